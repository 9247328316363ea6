package benchrun

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestCostOf(t *testing.T) {
	for _, tt := range []struct {
		name             string
		perCPUSec        float64
		pipeline, broker time.Duration
		n                int
		want             Cost
	}{
		// The example: tagger 125 µs, tagpipe 188 µs, broker 166 µs per article: ratio 2.83.
		{"issue example", 8000, 188 * time.Millisecond, 166 * time.Millisecond, 1000,
			Cost{TaggerCPUus: 125, PipelineCPUus: 188, BrokerCPUus: 166, Ratio: (188.0 + 166) / 125}},
		{"no broker pid", 5000, 3 * time.Second, 0, 10000, Cost{TaggerCPUus: 200, PipelineCPUus: 300, Ratio: 1.5}},
		{"no tagger rate", 0, time.Second, time.Second, 100, Cost{PipelineCPUus: 10000, BrokerCPUus: 10000}},
		{"no articles", 5000, time.Second, time.Second, 0, Cost{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := costOf(tt.perCPUSec, tt.pipeline, tt.broker, tt.n)
			for _, f := range []struct {
				name      string
				got, want float64
			}{{"tagger", got.TaggerCPUus, tt.want.TaggerCPUus}, {"pipeline", got.PipelineCPUus, tt.want.PipelineCPUus},
				{"broker", got.BrokerCPUus, tt.want.BrokerCPUus}, {"ratio", got.Ratio, tt.want.Ratio}} {
				if math.Abs(f.got-f.want) > 1e-9 {
					t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
				}
			}
		})
	}
}

func TestTopicLogBytes(t *testing.T) {
	d1, d2 := t.TempDir(), t.TempDir()
	write := func(path string, n int) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, make([]byte, n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(d1, "bench-out-0", "00000000000000000000.log"), 1000)
	write(filepath.Join(d1, "bench-out-0", "00000000000000005000.log"), 500)
	write(filepath.Join(d1, "bench-out-0", "00000000000000000000.index"), 4096) // not a segment
	write(filepath.Join(d2, "bench-out-1", "00000000000000000000.log"), 250)
	write(filepath.Join(d1, "bench-out-dlq-0", "00000000000000000000.log"), 99) // another topic
	write(filepath.Join(d1, "bench-out-x", "00000000000000000000.log"), 99)     // not a partition
	if got, ok := topicLogBytes([]string{d1, d2}, "bench-out"); !ok || got != 1750 {
		t.Errorf("topicLogBytes = %d, %v; want 1750, true", got, ok)
	}
	if _, ok := topicLogBytes([]string{d1}, "missing"); ok {
		t.Error("a missing topic was found")
	}
}

func TestPropertiesLogDirs(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		props string
		want  []string
	}{
		{"# log.dirs=/no\nlog.dir=/one\nlog.dirs = /a,/b\n", []string{"/a", "/b"}},
		{"node.id=1\nlog.dir=/one\n", []string{"/one"}},
		{"node.id=1\n", nil},
	} {
		p := filepath.Join(dir, "server.properties")
		if err := os.WriteFile(p, []byte(tt.props), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := propertiesLogDirs(p); !slices.Equal(got, tt.want) {
			t.Errorf("propertiesLogDirs(%q) = %q, want %q", tt.props, got, tt.want)
		}
	}
	if got := brokerLogDirs(os.Getpid()); got != nil { // a go test has no .properties argument
		t.Errorf("brokerLogDirs(test process) = %q, want nil", got)
	}
}
