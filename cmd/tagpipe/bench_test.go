package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tagpipe/tagpipe/tagger"
)

// benchCLI runs the CLI and fails the test on a non-zero exit.
func benchCLI(t *testing.T, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	if code := run(ctx, args, strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("tagpipe %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}

func TestBenchWriteCorpus(t *testing.T) {
	path := filepath.Join(t.TempDir(), "corpus.jsonl")
	benchCLI(t, "bench", "--write-corpus", path, "--articles", "7", "--size", "600", "--seed", "9")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	err = tagger.ReadArticles(f, tagger.FormatJSONL, func(a tagger.Article, err error) error {
		if err != nil {
			return err
		}
		if size := len(a.Title) + len(a.Body); size > 600 || size < 300 {
			t.Errorf("article %s has %d bytes, want about 600", a.ID, size)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != 7 {
		t.Errorf("wrote %d articles, want 7", n)
	}
}

// TestBenchReport checks the shape of the report, not the speed: every measurement is there and positive.
func TestBenchReport(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		e2e  bool
	}{
		{"tagger only", []string{"--gazetteer", "30"}, false},
		{"embedded broker", []string{"--gazetteer", "0", "--embedded", "--e2e-duration", "300ms", "--e2e-articles", "0",
			"--warmup", "50", "--repeat", "2"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.e2e && testing.Short() {
				t.Skip("starts an embedded broker")
			}
			jsonPath := filepath.Join(t.TempDir(), "bench.json")
			args := append([]string{"bench", "--articles", "200", "--size", "600", "--duration", "20ms",
				"--repeat", "1", "--json", jsonPath}, tc.args...)
			out, _ := benchCLI(t, args...)
			for _, want := range []string{"tagger, 1 core", "cores", "peak RSS"} {
				if !strings.Contains(out, want) {
					t.Errorf("table lacks %q:\n%s", want, out)
				}
			}
			data, err := os.ReadFile(jsonPath)
			if err != nil {
				t.Fatal(err)
			}
			wantRuns := 1 // --repeat
			if tc.e2e {
				wantRuns = 2
			}
			var r benchReport
			if err := json.Unmarshal(data, &r); err != nil {
				t.Fatal(err)
			}
			if r.Corpus.Articles != 200 || r.OneCore.ArticlesPerSec <= 0 || r.AllCores.ArticlesPerSec <= 0 ||
				r.OneCore.GOMAXPROCS != 1 || len(r.OneCore.Runs) != wantRuns {
				t.Errorf("report = %+v", r)
			}
			if r.PeakRSS <= 0 {
				t.Errorf("peak RSS %d", r.PeakRSS)
			}
			if !tc.e2e {
				if r.Pipeline != nil || r.Gazetteer == nil || r.Gazetteer.Entries != 30 || r.Gazetteer.Slowdown <= 0 {
					t.Errorf("pipeline %+v, gazetteer %+v", r.Pipeline, r.Gazetteer)
				}
				return
			}
			p := r.Pipeline
			if p == nil || !p.Embedded {
				t.Fatalf("no pipeline result: %+v", p)
			}
			if p.Max.ArticlesPerSec <= 0 || p.Max.Articles != 200 || p.Warmup != 50 {
				t.Errorf("max = %+v after a warm-up of %d", p.Max, p.Warmup)
			}
			if len(p.Segments) != 2 || median(p.Segments) != p.Max.ArticlesPerSec {
				t.Errorf("segments %v, max rate %v: want two, and their median", p.Segments, p.Max.ArticlesPerSec)
			}
			for _, ph := range []e2eResult{p.Full, p.Half} {
				if ph.Articles < 1 || ph.P50ms <= 0 || ph.P99ms < ph.P50ms || ph.MaxMs < ph.P99ms {
					t.Errorf("paced phase = %+v", ph)
				}
			}
			if p.Half.TargetRate >= p.Full.TargetRate {
				t.Errorf("half rate %v not below full rate %v", p.Half.TargetRate, p.Full.TargetRate)
			}
		})
	}
}

func TestBenchUsage(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--articles", "0"},
		{"bench", "--repeat", "0"},
		{"bench", "--compression", "brotli"},
		{"bench", "--warmup", "-1"},
		{"bench", "--embedded", "--brokers", "127.0.0.1:1"},
		{"bench", "--corpus", "/nonexistent/corpus.jsonl"},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), args, strings.NewReader(""), &out, &errOut); code != exitUsage {
			t.Errorf("tagpipe %s: exit %d, want %d (stderr %q)", strings.Join(args, " "), code, exitUsage, errOut.String())
		}
	}
}

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

func TestSentStamp(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{`{"id":"a","bench_sent_ns":123,"topics":[]}`, 123, true},
		{`{"id":"a","bench_sent_ns":42}`, 42, true},
		{`{"id":"a"}`, 0, false},
		{`{"id":"a","bench_sent_ns":"x"}`, 0, false},
	} {
		got, ok := sentStamp([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("sentStamp(%s) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
	if got := string(recordID([]byte(`{"id":"c1-5-full-3","title":"x"}`))); got != "c1-5-full-3" {
		t.Errorf("recordID = %q", got)
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
