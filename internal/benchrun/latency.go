package benchrun

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tagpipe/tagpipe/tagger"
)

// latencies collects the end-to-end latencies of one phase from the tagged records read back.
type latencies struct {
	mu     sync.Mutex
	phase  string // "-<phase>-" as it appears in the ids of the phase
	want   int
	ms     []float64
	last   time.Time
	done   chan struct{}
	closed bool
}

func newLatencies() *latencies { return &latencies{} }

func (l *latencies) start(phase string, want int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.phase, l.want, l.ms, l.done, l.closed = "-"+phase+"-", want, make([]float64, 0, want), make(chan struct{}), false
}

// record notes the latency of one tagged record, if it belongs to the current phase.
func (l *latencies) record(value []byte, now time.Time) {
	id, sent, ok := stampOf(value)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || !strings.Contains(id, l.phase) {
		return
	}
	l.ms = append(l.ms, float64(now.UnixNano()-sent)/1e6)
	l.last = now
	if len(l.ms) >= l.want {
		l.closed = true
		close(l.done)
	}
}

func (l *latencies) wait(ctx context.Context, timeout time.Duration) error {
	l.mu.Lock()
	done := l.done
	l.mu.Unlock()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(timeout):
		l.mu.Lock()
		defer l.mu.Unlock()
		return fmt.Errorf("only %d of %d tagged records came back within %v", len(l.ms), l.want, timeout)
	}
}

func (l *latencies) lastAt() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

func (l *latencies) result() PhaseResult {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := slices.Clone(l.ms)
	slices.Sort(s)
	return PhaseResult{Articles: len(s), P50ms: quantile(s, 0.50), P99ms: quantile(s, 0.99), MaxMs: quantile(s, 1)}
}

// stampOf decodes a tagged record with the tagger's decoder and returns its id and send stamp (the SentMember
// member, a JSON integer); ok is false when the record is not an article or has no valid stamp.
func stampOf(value []byte) (id string, sent int64, ok bool) {
	a, err := tagger.DecodeArticle(value)
	if err != nil {
		return "", 0, false
	}
	raw, found := a.Field(SentMember)
	if !found {
		return "", 0, false
	}
	sent, err = strconv.ParseInt(string(raw), 10, 64)
	return a.ID, sent, err == nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// quantile returns the q-quantile of sorted s (nearest rank).
func quantile(s []float64, q float64) float64 {
	if len(s) == 0 {
		return 0
	}
	i := int(q*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}
