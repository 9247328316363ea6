package e2e

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// TestBrokerOutage stops the (private) broker while `tagpipe run` is processing, keeps it stopped for 12 s,
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
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	done, _, err := a.committedOf(ctx, tp.group, tp.in)
	if err != nil {
		t.Fatal(err)
	}
	if done >= total {
		t.Fatalf("all %d records were committed before the outage: make the input bigger", total)
	}
	t.Logf("stopping the broker with %d of %d records committed", done, total)
	if err := b.stop(); err != nil {
		t.Fatal(err)
	}
	// The broker stays stopped for 12 s from the moment its port closed, then starts again; clients see a
	// longer outage, as the start takes a few seconds more before the port opens.
	for i := 0; downAt.Load() == 0; i++ {
		if i == 1000 {
			t.Fatal("the broker's port still accepts connections 10s after local.sh stop")
		}
		time.Sleep(10 * time.Millisecond)
	}
	const stopped = 12 * time.Second
	time.Sleep(time.Until(time.Unix(0, downAt.Load()).Add(stopped)))
	if !run.running() {
		t.Fatalf("tagpipe run exited (code %d) while the broker was down", run.code)
	}
	if err := b.start(); err != nil {
		t.Fatal(err)
	}
	<-watchDone
	outage := time.Duration(upAt.Load() - downAt.Load())
	t.Logf("broker unreachable for %s", outage.Round(100*time.Millisecond))
	if upAt.Load() == 0 || outage < stopped {
		t.Errorf("the broker was unreachable for %s, want at least %s", outage, stopped)
	}

	a.waitCommitted(t, run, tp.group, tp.in, 3*time.Minute)
	if code := run.stop(45 * time.Second); code != 0 {
		t.Errorf("tagpipe run exited %d after SIGTERM, want 0", code)
	}
	res := countOutputs(ids, a.readAll(t, tp.out), a.readAll(t, tp.dlq))
	res.check(t, "broker-outage", fmt.Sprintf("stopped=%.0fs unreachable=%.0fs committed_at_stop=%d", stopped.Seconds(), outage.Seconds(), done), "restarts=0")
	if res.dlq != 0 {
		t.Errorf("%d records were dead-lettered; the outage is no reason to dead-letter", res.dlq)
	}
}
