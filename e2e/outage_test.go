package e2e

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// TestBrokerOutage stops the (private) broker while `tagpipe run` is processing, keeps it down for 10-20 s,
// starts it again and checks that the instance recovers by itself, without a restart, and loses nothing.
func TestBrokerOutage(t *testing.T) {
	b := privateKafka(t)
	a := newAdmin(t, b.Brokers())
	tp := newTopics(t, a, 3)

	const total = 6000
	msgs, ids := articles(12, total, 600)
	a.produce(t, tp.in, msgs)

	run := startTagpipe(t, "tagpipe run", nil, tp.run(b.Brokers())...)
	a.waitProgress(t, run, tp.out, 2*time.Minute, "a tenth of the records tagged", func(n int64) bool { return n >= total/10 })

	// Leave the broker running for the tests that follow, whatever happens here.
	t.Cleanup(func() {
		if !b.reachable() {
			if err := b.start(); err != nil {
				t.Errorf("restarting the private broker: %v", err)
			}
		}
	})
	// Watch the port to measure the outage as clients see it.
	var downAt, upAt atomic.Int64
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		deadline := time.Now().Add(5 * time.Minute)
		for time.Now().Before(deadline) {
			reach := b.reachable()
			now := time.Now().UnixNano()
			if !reach && downAt.Load() == 0 {
				downAt.Store(now)
			}
			if reach && downAt.Load() != 0 {
				upAt.Store(now)
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	stopAt := time.Now()
	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
	// local.sh start takes 5-15 s (more on a loaded machine) before the port opens: start it 3 s after the
	// stop so that the outage lasts 10-20 s on a typical machine.
	time.Sleep(time.Until(stopAt.Add(3 * time.Second)))
	if !run.running() {
		t.Fatalf("tagpipe run exited (code %d) while the broker was down", run.code)
	}
	if err := b.start(); err != nil {
		t.Fatal(err)
	}
	<-watchDone
	outage := time.Duration(upAt.Load() - downAt.Load())
	t.Logf("broker unreachable for %s", outage.Round(100*time.Millisecond))
	if downAt.Load() == 0 || upAt.Load() == 0 || outage < 10*time.Second {
		t.Errorf("the outage lasted %s, want at least 10s", outage)
	}

	a.waitCommitted(t, run, tp.group, tp.in, 3*time.Minute)
	if code := run.stop(45 * time.Second); code != 0 {
		t.Errorf("tagpipe run exited %d after SIGTERM, want 0", code)
	}
	res := countOutputs(ids, a.readAll(t, tp.out), a.readAll(t, tp.dlq))
	res.check(t, "broker-outage", fmt.Sprintf("outage=%.0fs", outage.Seconds()), "restarts=0")
	if res.dlq != 0 {
		t.Errorf("%d records were dead-lettered; the outage is no reason to dead-letter", res.dlq)
	}
}
