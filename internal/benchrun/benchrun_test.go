package benchrun

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
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

func TestRunTaggerOnly(t *testing.T) {
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	tg, err := tagger.New(rs)
	if err != nil {
		t.Fatal(err)
	}
	var progress strings.Builder
	o := Options{Tagger: tg, Articles: 20, Size: 600, Seed: 3, Duration: 5 * time.Millisecond, Repeat: 2,
		Progress: &progress}
	rep, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Corpus.Articles != 20 || rep.OneCore.ArticlesPerSec <= 0 || len(rep.OneCore.Runs) != 2 ||
		rep.AllCores.ArticlesPerSec <= 0 || rep.Gazetteer != nil || rep.Pipeline != nil {
		t.Errorf("report = %+v", rep)
	}
	if !strings.Contains(progress.String(), "tagger, 1 core") {
		t.Errorf("progress = %q", progress.String())
	}
	var text strings.Builder
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "tagger, 1 core") || !strings.Contains(text.String(), "peak RSS") {
		t.Errorf("table:\n%s", text.String())
	}
}

func TestRunBadOptions(t *testing.T) {
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	tg, err := tagger.New(rs)
	if err != nil {
		t.Fatal(err)
	}
	ok := Options{Tagger: tg, Articles: 5, Size: 600, Duration: time.Millisecond, Repeat: 1}
	for name, mod := range map[string]func(*Options){
		"no tagger":   func(o *Options) { o.Tagger = nil },
		"no articles": func(o *Options) { o.Articles = 0 },
		"no repeat":   func(o *Options) { o.Repeat = 0 },
		"both brokers": func(o *Options) {
			o.Embedded, o.Conn, o.Partitions, o.E2EDuration = true, &kafkaio.Conn{}, 1, time.Second
		},
		"missing corpus": func(o *Options) { o.CorpusPath = "/nonexistent/corpus.jsonl" },
		"unknown record": func(o *Options) { o.Record = "tiny" },
	} {
		o := ok
		mod(&o)
		if _, err := Run(context.Background(), o); !errors.Is(err, ErrUsage) {
			t.Errorf("%s: err = %v, want ErrUsage", name, err)
		}
	}
}

func TestRunEmbeddedCostCompact(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline on the embedded broker")
	}
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	tg, err := tagger.New(rs)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Tagger: tg, Articles: 20, Size: 600, Seed: 3, Duration: 5 * time.Millisecond, Repeat: 2,
		Embedded: true, Partitions: 1, E2EDuration: 200 * time.Millisecond, E2EArticles: 200,
		Compression: "none", Record: tagger.RecordCompact}
	rep, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Pipeline.Cost
	if rep.Record != "compact" || c.TaggerCPUus <= 0 || c.PipelineCPUus <= 0 || c.Ratio <= 0 || c.BrokerCPUus != 0 {
		t.Errorf("record %q, cost %+v: want compact and positive tagger and pipeline costs, no broker", rep.Record, c)
	}
	if want := (c.PipelineCPUus + c.BrokerCPUus) / c.TaggerCPUus; c.Ratio != want {
		t.Errorf("ratio %v, want %v", c.Ratio, want)
	}
	var text strings.Builder
	rep.WriteText(&text)
	if !strings.Contains(text.String(), "cost per article (pipeline max phase, compact records)") {
		t.Errorf("table:\n%s", text.String())
	}
}
