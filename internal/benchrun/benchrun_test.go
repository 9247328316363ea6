package benchrun

import (
	"os"
	"testing"
	"time"
)

func TestQuantiles(t *testing.T) {
	s := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, tc := range []struct {
		q    float64
		want float64
	}{{0.5, 5}, {0.99, 10}, {1, 10}, {0.1, 1}, {0, 1}} {
		if got := quantile(s, tc.q); got != tc.want {
			t.Errorf("quantile(%v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	if got := median([]float64{3, 1, 2, 10}); got != 2.5 {
		t.Errorf("median = %v, want 2.5", got)
	}
}

func TestStampOf(t *testing.T) {
	for _, tc := range []struct {
		in     string
		id     string
		sent   int64
		wantOK bool
	}{
		{`{"id":"a","bench_sent_ns":123,"topics":[]}`, "a", 123, true},
		{`{"id":"c1-5-full-3","title":"x","bench_sent_ns":42}`, "c1-5-full-3", 42, true},
		{`{ "id" : 17 , "bench_sent_ns" : 5 }`, "17", 5, true}, // a numeric, spaced id
		{`{"title":"has \"id\":\"x\"","bench_sent_ns":7,"id":"b"}`, "b", 7, true},
		{`{"id":"a"}`, "", 0, false},
		{`{"id":"a","bench_sent_ns":"x"}`, "", 0, false},
		{`not json`, "", 0, false},
	} {
		id, sent, ok := stampOf([]byte(tc.in))
		if ok != tc.wantOK || ok && (id != tc.id || sent != tc.sent) {
			t.Errorf("stampOf(%s) = %q, %d, %v; want %q, %d, %v", tc.in, id, sent, ok, tc.id, tc.sent, tc.wantOK)
		}
	}
}

func TestProcCPU(t *testing.T) {
	// Burn a little CPU so that the process has used at least one clock tick.
	for deadline := time.Now().Add(30 * time.Millisecond); time.Now().Before(deadline); {
	}
	if got := procCPU(os.Getpid()); got <= 0 {
		t.Errorf("procCPU(self) = %v, want > 0", got)
	}
	if got := procCPU(0); got != 0 {
		t.Errorf("procCPU(0) = %v", got)
	}
	if peakRSS() <= 0 || loadAvg() == "" || cpuModel() == "" {
		t.Errorf("peakRSS %d, loadAvg %q, cpuModel %q: want all set on Linux", peakRSS(), loadAvg(), cpuModel())
	}
}

func TestTimedTaggerMarksOutOfOrder(t *testing.T) {
	tt := newTimedTagger(nil, 0, []int64{2, 3, 4})
	tt.mark(1)
	if n := len(tt.markSnapshots()); n != 0 {
		t.Fatalf("%d snapshots before the first mark", n)
	}
	tt.mark(3) // the goroutine holding count 3 got here before the one holding 2
	tt.mark(2)
	if n := len(tt.markSnapshots()); n != 2 {
		t.Fatalf("%d snapshots after counts 3 and 2, want 2 (marks 2 and 3)", n)
	}
	tt.mark(4)
	tt.mark(5)
	if n := len(tt.markSnapshots()); n != 3 {
		t.Errorf("%d snapshots after the last mark, want 3", n)
	}
}
