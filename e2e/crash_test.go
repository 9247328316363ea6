package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// TestCrashKill9 kills `tagpipe run` with SIGKILL once a quarter of 20,000 records is committed, restarts it in
// the same consumer group and checks that every input id reaches the tagged topic or the DLQ, counting the
// duplicates that at-least-once delivery allows.
func TestCrashKill9(t *testing.T) {
	brokers := sharedBrokers(t)
	a := newAdmin(t, brokers)
	tp := newTopics(t, a, 3)

	const total, poisonEvery = 20000, 1000 // one unparseable record in every thousand
	good, goodIDs := articles(11, total-total/poisonEvery, 600)
	msgs := make([]kafka.Message, 0, total)
	ids := make([]string, 0, total)
	for i := range total {
		if i%poisonEvery == poisonEvery/2 {
			id := fmt.Sprintf("crash-poison-%05d", i)
			msgs = append(msgs, kafka.Message{Key: []byte(id), Value: []byte(`{"id":"` + id + `","title":"cut off`)})
			ids = append(ids, id)
			continue
		}
		msgs = append(msgs, good[0])
		ids = append(ids, goodIDs[0])
		good, goodIDs = good[1:], goodIDs[1:]
	}
	a.produce(t, tp.in, msgs)

	// Kill once a quarter of the input is committed, so the crash lands between commits with work both
	// committed and in flight (tagging is fast enough to output a quarter before the first commit).
	run1 := startTagpipe(t, "tagpipe run #1", nil, tp.run(brokers)...)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		done, _, err := a.committedOf(ctx, tp.group, tp.in)
		cancel()
		if err == nil && done >= total/4 {
			break
		}
		if !run1.running() {
			t.Fatalf("tagpipe run #1 exited with code %d before a quarter was committed", run1.code)
		}
		if time.Now().After(deadline) {
			t.Fatalf("a quarter of the input not committed after 2m (last: %d, %v)", done, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	run1.kill()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	committedAtKill, _, err := a.committedOf(ctx, tp.group, tp.in)
	if err != nil {
		t.Fatal(err)
	}
	taggedAtKill, err1 := a.count(ctx, tp.out)
	dlqAtKill, err2 := a.count(ctx, tp.dlq)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	t.Logf("killed with SIGKILL: %d records tagged, %d dead-lettered, %d of %d committed", taggedAtKill, dlqAtKill, committedAtKill, total)
	if committedAtKill >= total {
		t.Fatalf("the kill came after everything was committed: nothing left to recover")
	}

	run2 := startTagpipe(t, "tagpipe run #2", nil, tp.run(brokers)...)
	a.waitCommitted(t, run2, tp.group, tp.in, 3*time.Minute)
	if code := run2.stop(45 * time.Second); code != 0 {
		t.Errorf("tagpipe run #2 exited %d after SIGTERM, want 0", code)
	}

	res := countOutputs(ids, a.readAll(t, tp.out), a.readAll(t, tp.dlq))
	res.check(t, "crash", "kills=1", fmt.Sprintf("committed_at_kill=%d", committedAtKill))
	if want := total / poisonEvery; res.dlq != want {
		t.Errorf("dead-lettered ids = %d, want the %d unparseable records", res.dlq, want)
	}
	// Only records output before the kill but not yet committed may be output twice: a restart that ignored
	// the committed offsets (or lost them) would redo far more.
	if limit := int(taggedAtKill+dlqAtKill-committedAtKill) + 500; res.duplicates > limit {
		t.Errorf("duplicates = %d, more than the %d records output but uncommitted at the kill (+500)", res.duplicates, limit-500)
	}
}
