package e2e

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestOutputTopicMissing starts `tagpipe run` with an output topic that does not exist (and without
// --create-topics): it must exit non-zero with an error that names the topic, having committed nothing.
func TestOutputTopicMissing(t *testing.T) {
	brokers := sharedBrokers(t)
	a := newAdmin(t, brokers)
	tp := topics{in: uniqueName(t, "in"), out: uniqueName(t, "out"), dlq: uniqueName(t, "dlq"), group: uniqueName(t, "group")}
	a.createTopic(t, tp.in, 3)
	a.createTopic(t, tp.dlq, 1)
	msgs, _ := articles(14, 50, 600)
	a.produce(t, tp.in, msgs)

	start := time.Now()
	code, _, stderr := runTagpipe(t, 2*time.Minute, nil, nil, tp.run(brokers)...)
	t.Logf("exit %d after %s: %s", code, time.Since(start).Round(time.Millisecond), exitMessage(stderr))
	if code == 0 {
		t.Errorf("tagpipe run exited 0 without an output topic")
	}
	if want := "topic " + tp.out + " does not exist or this user may not Describe it"; !strings.Contains(exitMessage(stderr), want) {
		t.Errorf("the error does not say %q: %q", want, exitMessage(stderr))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if done, _, err := a.committedOf(ctx, tp.group, tp.in); err != nil || done != 0 {
		t.Errorf("committed %d records (err %v) without an output topic", done, err)
	}
	if ps, err := a.partitions(ctx, tp.out); err == nil {
		t.Errorf("the output topic %s was created (%d partitions) without --create-topics", tp.out, len(ps))
	}
}

// TestOutputTopicDeleted deletes the output topic in the middle of a run, so that every produce fails with
// UNKNOWN_TOPIC_OR_PARTITION (the broker's auto-creation is not asked for). `tagpipe run` must retry, then exit
// non-zero with a clear error, without committing what it could not write; once the topic exists again, a
// restart tags every record that was not committed, with nothing lost.
//
// (min.insync.replicas=2 on a one-broker cluster, the usual way to refuse acks=all writes, does not refuse
// them on Kafka 4.1: the broker caps it at the replication factor.)
func TestOutputTopicDeleted(t *testing.T) {
	brokers := sharedBrokers(t)
	a := newAdmin(t, brokers)
	tp := newTopics(t, a, 3)
	const batch = 1000
	first, ids := articles(15, 2*batch, 600)
	second, ids := first[batch:], ids[batch:]
	first = first[:batch]

	a.produce(t, tp.in, first)
	run1 := startTagpipe(t, "tagpipe run #1", nil, tp.run(brokers)...)
	a.waitCommitted(t, run1, tp.group, tp.in, 2*time.Minute)

	a.deleteTopic(t, tp.out)
	brokeAt := time.Now()
	a.produce(t, tp.in, second)
	code, exited := run1.wait(3 * time.Minute)
	if !exited {
		t.Fatalf("tagpipe run still running %s after its output topic was deleted", time.Since(brokeAt).Round(time.Second))
	}
	gaveUp := time.Since(brokeAt)
	msg := exitMessage(run1.stderr.String())
	t.Logf("exit %d after %s: %s", code, gaveUp.Round(100*time.Millisecond), msg)
	if code == 0 {
		t.Errorf("tagpipe run exited 0 although it could not write")
	}
	if !strings.Contains(msg, tp.out) {
		t.Errorf("the error does not name the output topic %s: %q", tp.out, msg)
	}
	attempts := maxAttempt(run1.stderr.String())
	t.Logf("the producer made %d attempt(s) before giving up", attempts)
	if attempts < 2 {
		t.Errorf("gave up after %s and %d attempt(s): no retries (want --max-attempts, default 10)", gaveUp.Round(100*time.Millisecond), attempts)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done, _, err := a.committedOf(ctx, tp.group, tp.in)
	if err != nil {
		t.Fatal(err)
	}
	if done != batch {
		t.Errorf("committed %d records, want exactly the %d written before the topic was deleted", done, batch)
	}

	// The first batch's tagged records went with the deleted topic; the second batch must all arrive.
	a.createTopic(t, tp.out, 3)
	run2 := startTagpipe(t, "tagpipe run #2", nil, tp.run(brokers)...)
	a.waitCommitted(t, run2, tp.group, tp.in, 2*time.Minute)
	if code := run2.stop(45 * time.Second); code != 0 {
		t.Errorf("tagpipe run #2 exited %d after SIGTERM, want 0", code)
	}
	res := countOutputs(ids, a.readAll(t, tp.out), a.readAll(t, tp.dlq))
	res.check(t, "output-deleted", fmt.Sprintf("exit=%d attempts=%d committed_at_exit=%d", code, attempts, done))
}

// attemptRE matches the retry warnings in a JSON log: kafka-go's "error writing messages to T (partition P,
// attempt N): ..." and the pipeline's "produce failed; retrying" with "attempt":N.
var attemptRE = regexp.MustCompile(`error writing messages to [^ ]+ \(partition \d+, attempt (\d+)\)|"msg":"produce failed; retrying".*"attempt":(\d+)`)

// maxAttempt returns the highest produce attempt a tagpipe log shows (1 when none is logged).
func maxAttempt(log string) int {
	n := 1
	for _, m := range attemptRE.FindAllStringSubmatch(log, -1) {
		if k, err := strconv.Atoi(m[1] + m[2]); err == nil && k > n {
			n = k
		}
	}
	return n
}

// exitMessage returns the error tagpipe printed before exiting: stderr from its last "tagpipe: " line on (an
// error may span lines), or the last line.
func exitMessage(stderr string) string {
	s := strings.TrimSpace(stderr)
	if i := strings.LastIndex("\n"+s, "\ntagpipe: "); i >= 0 {
		return s[i:]
	}
	return s[strings.LastIndex(s, "\n")+1:]
}
