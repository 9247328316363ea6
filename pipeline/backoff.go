package pipeline

import (
	"math/rand/v2"
	"time"
)

// backoff is the one retry schedule of the pipeline: fetch, produce and the rules watcher. Attempt n waits
// min doubled n-1 times, capped at max, times a random factor in [0.8, 1.2) (never over max), so that the
// instances of a group do not retry in lock-step after a broker restart.
type backoff struct {
	min, max time.Duration
}

// Schedules of the pipeline's retries.
var (
	// retryBackoff paces fetch and produce retries: 100 ms doubling to 2 s.
	retryBackoff = backoff{min: 100 * time.Millisecond, max: 2 * time.Second}
	// watchBackoff paces the rules watcher after an error: 1 s doubling to 30 s.
	watchBackoff = backoff{min: time.Second, max: 30 * time.Second}
)

// base returns the wait before attempt n (1-based) without jitter.
func (b backoff) base(n int) time.Duration {
	d := b.min
	for i := 1; i < n && d < b.max; i++ {
		d *= 2
	}
	return min(d, b.max)
}

// delay returns the jittered wait before attempt n (1-based).
func (b backoff) delay(n int) time.Duration {
	return b.jittered(n, rand.Float64())
}

// jittered applies the jitter factor 0.8 + 0.4*u (u in [0, 1)) to base(n), capped at max.
func (b backoff) jittered(n int, u float64) time.Duration {
	d := time.Duration(float64(b.base(n)) * (0.8 + 0.4*u))
	return min(d, b.max)
}
