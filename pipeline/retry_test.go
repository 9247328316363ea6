package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

func TestClassify(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	tests := []struct {
		name string
		err  error
		want errClass
	}{
		{"dial refused", refused, errTransient},
		{"dial refused wrapped by kafka-go", fmt.Errorf("kafka.(*Client).Produce: %w", refused), errTransient},
		{"connection reset", &net.OpError{Op: "read", Net: "tcp", Err: &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET}}, errTransient},
		{"broken pipe", fmt.Errorf("write: %w", syscall.EPIPE), errTransient},
		{"EOF", io.EOF, errTransient},
		{"unexpected EOF", fmt.Errorf("read response: %w", io.ErrUnexpectedEOF), errTransient},
		{"i/o timeout", &net.OpError{Op: "read", Net: "tcp", Err: os.ErrDeadlineExceeded}, errTransient},
		{"request deadline", context.DeadlineExceeded, errTransient},
		{"DNS failure", &net.DNSError{Err: "no such host", Name: "kafka-0", IsNotFound: true}, errTransient},
		{"unrecognised error", errors.New("something odd"), errTransient},
		{"leader not available", kafka.LeaderNotAvailable, errTransient},
		{"not leader for partition", kafka.NotLeaderForPartition, errTransient},
		{"not enough replicas", kafka.NotEnoughReplicas, errTransient},
		{"not enough replicas after append", kafka.NotEnoughReplicasAfterAppend, errTransient},
		{"request timed out", fmt.Errorf("produce: %w", kafka.RequestTimedOut), errTransient},
		{"network exception", kafka.NetworkException, errTransient},
		{"kafka storage error", kafka.KafkaStorageError, errTransient},
		{"unknown topic", kafka.UnknownTopicOrPartition, errOutput},
		{"unknown topic wrapped", fmt.Errorf("produce to out: %w", kafka.UnknownTopicOrPartition), errOutput},
		{"topic authorization", kafka.TopicAuthorizationFailed, errOutput},
		{"cluster authorization", kafka.ClusterAuthorizationFailed, errOutput},
		{"invalid topic", kafka.InvalidTopic, errOutput},
		{"invalid required acks", kafka.InvalidRequiredAcks, errOutput},
		{"corrupt message", kafka.InvalidMessage, errOutput},
		{"policy violation", kafka.PolicyViolation, errOutput},
		{"writer closed", io.ErrClosedPipe, errOutput},
		{"broker: message too large", kafka.MessageSizeTooLarge, errTooLarge},
		{"broker: record list too large", kafka.RecordListTooLarge, errTooLarge},
		{"writer: message too large", fmt.Errorf("produce to dlq: %w", kafka.MessageTooLargeError{}), errTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := classify(tt.err); got != tt.want {
				t.Errorf("classify(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	b := backoff{min: 100 * time.Millisecond, max: 2 * time.Second}
	tests := []struct {
		n    int
		want time.Duration
	}{{1, 100 * time.Millisecond}, {2, 200 * time.Millisecond}, {4, 800 * time.Millisecond}, {5, 1600 * time.Millisecond},
		{6, b.max}, {1000, b.max}}
	for _, tt := range tests {
		if got := b.base(tt.n); got != tt.want {
			t.Errorf("base(%d) = %s, want %s", tt.n, got, tt.want)
		}
		lo, hi := time.Duration(float64(tt.want)*0.8), min(time.Duration(float64(tt.want)*1.2), b.max)
		if got := b.jittered(tt.n, 0); got != lo {
			t.Errorf("jittered(%d, 0) = %s, want %s", tt.n, got, lo)
		}
		if got := b.jittered(tt.n, 0.9999999); got > hi || got < lo {
			t.Errorf("jittered(%d, ~1) = %s, want within [%s, %s]", tt.n, got, lo, hi)
		}
		for range 50 {
			if got := b.delay(tt.n); got < lo || got > hi {
				t.Fatalf("delay(%d) = %s, outside [%s, %s]", tt.n, got, lo, hi)
			}
		}
	}
	// Jitter spreads the instances: 50 draws of one attempt are not all equal.
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[b.delay(3)] = true
	}
	if len(seen) < 2 {
		t.Errorf("delay(3) gave one value in 50 draws: no jitter")
	}
}

func TestLogLimiter(t *testing.T) {
	l := &logLimiter{every: time.Second}
	t0 := time.Unix(1000, 0)
	steps := []struct {
		at         time.Duration
		ok         bool
		suppressed int
	}{{0, true, 0}, {100 * time.Millisecond, false, 0}, {900 * time.Millisecond, false, 0}, {time.Second, true, 2},
		{1500 * time.Millisecond, false, 0}, {5 * time.Second, true, 1}}
	for _, s := range steps {
		ok, n := l.allow(t0.Add(s.at))
		if ok != s.ok || n != s.suppressed {
			t.Errorf("allow at +%s = %v, %d; want %v, %d", s.at, ok, n, s.ok, s.suppressed)
		}
	}
}

func TestRetryQueueBackoff(t *testing.T) {
	q := newRetryQueue()
	if msgs, _ := q.take(); msgs != nil {
		t.Fatalf("empty queue returned %d records", len(msgs))
	}
	q.push(kafka.Message{Key: []byte("a")})
	q.push(kafka.Message{Key: []byte("b")}, kafka.Message{Key: []byte("c")})
	select {
	case <-q.wake:
	default:
		t.Fatal("push did not wake the resender")
	}
	msgs, d := q.take()
	if lo, hi := retryBackoff.jittered(2, 0), retryBackoff.jittered(2, 1); len(msgs) != 3 || d < lo || d > hi {
		t.Fatalf("take = %d records, %s; want 3, within [%s, %s]", len(msgs), d, lo, hi)
	}
	q.succeeded()
	q.push(kafka.Message{})
	if _, d := q.take(); d > retryBackoff.jittered(1, 1) {
		t.Errorf("backoff after a success = %s, want at most %s", d, retryBackoff.jittered(1, 1))
	}
}
