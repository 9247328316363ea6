package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// errClass says what the pipeline does about a failed produce.
type errClass int

const (
	// errTransient: the brokers are unreachable, restarting or busy. Retried with capped backoff until they are
	// back; bounded only by shutdown.
	errTransient errClass = iota
	// errOutput: the output itself is unusable (topic missing, not writable, misconfigured). Retried
	// Config.MaxAttempts times, then the instance stops.
	errOutput
	// errTooLarge: the record is too large for the writer or the broker.
	errTooLarge
)

// outputErrors are the broker error codes that say the output is unusable, whatever kafka-go's Temporary says
// (it calls UnknownTopicOrPartition temporary: a topic being created).
var outputErrors = map[kafka.Error]bool{
	kafka.UnknownTopicOrPartition:     true,
	kafka.TopicAuthorizationFailed:    true,
	kafka.ClusterAuthorizationFailed:  true,
	kafka.InvalidTopic:                true,
	kafka.InvalidRequiredAcks:         true,
	kafka.InvalidMessage:              true, // a corrupt record: sending it again will not help
	kafka.InvalidRecord:               true,
	kafka.PolicyViolation:             true,
	kafka.SASLAuthenticationFailed:    true,
	kafka.UnsupportedVersion:          true,
	kafka.UnsupportedForMessageFormat: true,
	kafka.TopicDeletionDisabled:       true,
	kafka.InvalidPartitionNumber:      true,
}

// classify sorts a produce error. Connection-level failures (refused, reset, EOF, timeouts, DNS) and the broker
// errors kafka-go calls temporary (leader not available, not enough replicas, request timed out, ...) are
// transient; so is any error it does not recognise, since an unknown error during an outage must not stop the
// instance. Broker error codes that name the output as unusable, and io.ErrClosedPipe (the writer is closed),
// are output errors.
func classify(err error) errClass {
	var tooLarge kafka.MessageTooLargeError
	if errors.As(err, &tooLarge) || errors.Is(err, kafka.MessageSizeTooLarge) || errors.Is(err, kafka.RecordListTooLarge) {
		return errTooLarge
	}
	if errors.Is(err, io.ErrClosedPipe) {
		return errOutput
	}
	var kerr kafka.Error
	if errors.As(err, &kerr) {
		if outputErrors[kerr] || !kerr.Temporary() {
			return errOutput
		}
		return errTransient
	}
	return errTransient
}

// logLimiter lets one log line through per interval and counts the others.
type logLimiter struct {
	every time.Duration

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

// allow reports whether a line may be logged now and how many were suppressed since the last one.
func (l *logLimiter) allow(now time.Time) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.last.IsZero() && now.Sub(l.last) < l.every {
		l.suppressed++
		return false, 0
	}
	n := l.suppressed
	l.last, l.suppressed = now, 0
	return true, n
}

// limitedKafkaLogger bridges kafka-go's error logging to slog: at warn, at most once per interval (the rest at
// debug), and at debug for lines that quiet reports routinely (a fetch that timed out on an idle topic).
func limitedKafkaLogger(log *slog.Logger, every time.Duration, quiet func(msg string) bool) kafka.Logger {
	lim := &logLimiter{every: every}
	return kafka.LoggerFunc(func(format string, args ...any) {
		msg := trimLog(format, args...)
		if quiet != nil && quiet(msg) {
			log.Debug(msg)
			return
		}
		if ok, n := lim.allow(time.Now()); ok {
			if n > 0 {
				log.Warn(msg, "suppressed", n)
			} else {
				log.Warn(msg)
			}
			return
		}
		log.Debug(msg)
	})
}

func trimLog(format string, args ...any) string {
	return strings.TrimSpace(fmt.Sprintf(format, args...))
}

// retryQueue holds the records whose produce failed until the resend loop sends them again.
type retryQueue struct {
	mu       sync.Mutex
	msgs     []kafka.Message
	failures int           // failed produce rounds since the last success, for the backoff
	wake     chan struct{} // capacity 1: something to resend
}

func newRetryQueue() retryQueue { return retryQueue{wake: make(chan struct{}, 1)} }

// push queues msgs after a failed produce round.
func (q *retryQueue) push(msgs ...kafka.Message) {
	if len(msgs) == 0 {
		return
	}
	q.mu.Lock()
	q.msgs = append(q.msgs, msgs...)
	q.failures++
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// succeeded resets the backoff after a produce that worked.
func (q *retryQueue) succeeded() {
	q.mu.Lock()
	q.failures = 0
	q.mu.Unlock()
}

// take returns the queued records and the wait before sending them.
func (q *retryQueue) take() ([]kafka.Message, time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	msgs := q.msgs
	q.msgs = nil
	return msgs, retryBackoff.delay(max(q.failures, 1))
}

// sleep waits d or until ctx ends, reporting whether the full wait passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
