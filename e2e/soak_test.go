package e2e

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// envSoak enables TestSoak and sets its duration (e.g. 10m); envSoakRate sets its load, articles/s.
const (
	envSoak     = "TAGPIPE_SOAK"
	envSoakRate = "TAGPIPE_SOAK_RATE"
)

// TestSoak runs `tagpipe run` at a steady load for TAGPIPE_SOAK (documented run: 10m; not in CI) and samples
// the process's resident set size every 5 s. After a warm-up of a fifth of the run (at least a minute), RSS
// must grow by less than 10%: the median of the first minute after warm-up against the median of the last
// minute. Nothing may be lost.
func TestSoak(t *testing.T) {
	brokers := sharedBrokers(t)
	d, err := time.ParseDuration(os.Getenv(envSoak))
	if err != nil || d < 3*time.Minute {
		t.Skipf("soak test off: set %s to a duration of at least 3m (the documented run: %s=10m)", envSoak, envSoak)
	}
	rate := 200
	if r, err := strconv.Atoi(os.Getenv(envSoakRate)); err == nil && r > 0 {
		rate = r
	}
	warmup := max(time.Minute, d/5)
	a := newAdmin(t, brokers)
	tp := newTopics(t, a, 3)
	run := startTagpipe(t, "tagpipe run (soak)", nil, tp.run(brokers)...)

	// Producer: rate articles per second in ten batches a second, article i of a seeded corpus.
	type sample struct {
		at  time.Duration
		rss int64 // bytes
	}
	var samples []sample
	var ids []string
	start := time.Now()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	nextSample := time.Duration(0)
	i := 0
	for time.Since(start) < d {
		<-tick.C
		want := int(time.Since(start).Seconds() * float64(rate))
		if want > i {
			msgs, batchIDs := articlesFrom(18, i, want-i, 1000)
			a.produce(t, tp.in, msgs)
			ids = append(ids, batchIDs...)
			i = want
		}
		if el := time.Since(start); el >= nextSample {
			rss, err := residentBytes(run.cmd.Process.Pid)
			if err != nil {
				t.Fatalf("RSS of tagpipe run: %v (exited: %v)", err, !run.running())
			}
			samples = append(samples, sample{el, rss})
			nextSample += 5 * time.Second
		}
		if !run.running() {
			t.Fatalf("tagpipe run exited with code %d during the soak", run.code)
		}
	}
	a.waitCommitted(t, run, tp.group, tp.in, 3*time.Minute)
	if code := run.stop(45 * time.Second); code != 0 {
		t.Errorf("tagpipe run exited %d after SIGTERM, want 0", code)
	}

	window := func(from, to time.Duration) int64 {
		var v []int64
		for _, s := range samples {
			if s.at >= from && s.at < to {
				v = append(v, s.rss)
			}
		}
		if len(v) == 0 {
			return 0
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	base := window(warmup, warmup+time.Minute)
	end := window(d-time.Minute, d+time.Minute)
	var peak int64
	for _, s := range samples {
		peak = max(peak, s.rss)
	}
	growth := 100 * float64(end-base) / float64(base)
	res := countOutputs(ids, a.readAll(t, tp.out), a.readAll(t, tp.dlq))
	res.check(t, "soak", fmt.Sprintf("duration=%s rate=%d/s", d, rate))
	t.Logf("SOAK duration=%s rate=%d/s in=%d rss_first=%.1fMB rss_after_warmup=%.1fMB rss_end=%.1fMB rss_peak=%.1fMB growth=%.1f%%",
		d, rate, len(ids), mb(samples[0].rss), mb(base), mb(end), mb(peak), growth)
	var b strings.Builder
	for _, s := range samples {
		fmt.Fprintf(&b, " %.0fs=%.1f", s.at.Seconds(), mb(s.rss))
	}
	t.Logf("RSS samples (MB):%s", b.String())
	if growth >= 10 {
		t.Errorf("RSS grew %.1f%% after warm-up (%.1f MB -> %.1f MB), want under 10%%", growth, mb(base), mb(end))
	}
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

// residentBytes returns VmRSS of process pid.
func residentBytes(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmRSS", pid)
}
