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

	"github.com/tagpipe/tagpipe/internal/benchrun"
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
			var r benchrun.Report
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
			if len(p.Segments) != 2 || (p.Segments[0]+p.Segments[1])/2 != p.Max.ArticlesPerSec {
				t.Errorf("segments %v, max rate %v: want two, and their median", p.Segments, p.Max.ArticlesPerSec)
			}
			for _, ph := range []benchrun.PhaseResult{p.Full, p.Half} {
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

// TestBenchNoJSONByDefault checks that a run without --json writes no file into the working directory.
func TestBenchNoJSONByDefault(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	benchCLI(t, "bench", "--articles", "20", "--size", "600", "--duration", "5ms", "--repeat", "1", "--gazetteer", "0")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("bench without --json wrote %v", entries)
	}
}
