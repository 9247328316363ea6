package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/tagpipe/tagpipe/internal/rulediff"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

func packTagger(t testing.TB, src string) *tagger.Tagger {
	t.Helper()
	pack, err := rules.LoadFiles(map[string]string{"topics.yaml": src})
	if err != nil {
		t.Fatal(err)
	}
	tg, err := tagger.New(pack.Rules, tagger.WithDiscovery(false))
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

type failingTagger struct{}

func (failingTagger) Tag(context.Context, tagger.Article) (*tagger.Record, error) {
	return nil, errors.New("candidate broke")
}

// shadowPipeline is a pipeline (not run) with main and shadow taggers.
func shadowPipeline(t *testing.T, main, shadow Tagger) *Pipeline {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Brokers = []string{"127.0.0.1:1"}
	p, err := New(cfg, main, WithShadow(shadow))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestShadowDifferences(t *testing.T) {
	main := packTagger(t, watchPackA)
	cand := packTagger(t, watchPackA+"      - drill\n")
	drillOnly := packTagger(t, strings.Replace(watchPackA, "missile", "drill", 1))
	tests := []struct {
		name    string
		shadow  Tagger
		body    string
		want    *rulediff.Change // nil: no shadow record
		records float64
		errs    float64
	}{
		{"same tags", cand, "A missile test.", nil, 1, 0},
		{"a label gained", cand, "An army drill.", &rulediff.Change{ID: "a1", Gained: []string{"military"}, Lost: []string{},
			OldVersion: main.Rules().Version(), NewVersion: cand.Rules().Version()}, 1, 0},
		{"a label lost", drillOnly, "A missile test.", &rulediff.Change{ID: "a1", Gained: []string{}, Lost: []string{"military"},
			OldVersion: main.Rules().Version(), NewVersion: drillOnly.Rules().Version()}, 1, 0},
		{"the same pack", main, "An army drill.", nil, 1, 0},
		{"the candidate fails", failingTagger{}, "An army drill.", nil, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := shadowPipeline(t, main, tt.shadow)
			val, _ := json.Marshal(map[string]string{"id": "a1", "body": tt.body})
			out, err := p.proc.process(context.Background(), nil, val, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			msgs := p.appendShadow(nil, out)
			if tt.want == nil {
				if len(msgs) != 0 {
					t.Errorf("shadow record %s, want none", msgs[0].Value)
				}
			} else {
				if len(msgs) != 1 || msgs[0].Topic != "tagpipe.shadow" || string(msgs[0].Key) != "a1" {
					t.Fatalf("shadow records %v, want one to tagpipe.shadow keyed a1", msgs)
				}
				var got rulediff.Change
				if err := json.Unmarshal(msgs[0].Value, &got); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(&got, tt.want) {
					t.Errorf("change %+v, want %+v", got, *tt.want)
				}
			}
			// The output record is the main rules' in every case.
			if !strings.Contains(string(out.value), main.Rules().Version()) || out.rulesVersion != main.Rules().Version() {
				t.Errorf("output not tagged by the main rules: %s", out.value)
			}
			m := p.metrics.shadow
			if counterValue(m.records) != tt.records || counterValue(m.errors) != tt.errs {
				t.Errorf("records %v errors %v, want %v %v", counterValue(m.records), counterValue(m.errors), tt.records, tt.errs)
			}
			changed := counterValue(m.differences.WithLabelValues("military", "gained")) + counterValue(m.differences.WithLabelValues("military", "lost"))
			if (changed == 1) != (tt.want != nil) || counterValue(m.changed) != changed {
				t.Errorf("differences{military,*} = %v, changed records %v", changed, counterValue(m.changed))
			}
		})
	}
}

func TestShadowConfig(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Brokers = []string{"127.0.0.1:1"}
	cfg.ShadowRules = "cand/"
	if _, err := New(cfg, &fakeTagger{}); err == nil || !strings.Contains(err.Error(), "no shadow tagger") {
		t.Errorf("shadow-rules without a shadow tagger: %v", err)
	}
	cfg.ShadowTopic = cfg.Out
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "shadow-topic") {
		t.Errorf("shadow-topic = out: %v", err)
	}
	cfg.ShadowTopic = ""
	cfg.ShadowRules = ""
	if _, err := New(cfg, &fakeTagger{}, WithShadow(&fakeTagger{})); err == nil || !strings.Contains(err.Error(), "shadow-topic") {
		t.Errorf("a shadow tagger without a topic: %v", err)
	}
}

// BenchmarkShadowCost measures what a shadow run adds to a record: process (decode, tag, marshal) alone, with a
// shadow tagger, and one Tag of the candidate. "shadow" / "main" is the cost ratio per record; ("shadow" -
// "main") / "tag" near 1 says the shadow costs one extra Tag and little else.
func BenchmarkShadowCost(b *testing.B) {
	def, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	main, err := tagger.New(def)
	if err != nil {
		b.Fatal(err)
	}
	cand, err := tagger.New(def, tagger.WithVersion("candidate")) // same work as a candidate pack of the same size
	if err != nil {
		b.Fatal(err)
	}
	a := benchArticles(1)[0]
	val, _ := json.Marshal(map[string]string{"id": a.ID, "title": a.Title, "body": a.Body})
	run := func(b *testing.B, proc processor) {
		for b.Loop() {
			if _, err := proc.process(context.Background(), nil, val, 1<<20); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("main", func(b *testing.B) { run(b, tagProcessor{t: main}) })
	b.Run("shadow", func(b *testing.B) {
		s := &shadowRun{t: cand, topic: "s", m: newShadowMetrics(prometheus.NewRegistry())}
		run(b, tagProcessor{t: main, shadow: s})
	})
	b.Run("tag", func(b *testing.B) {
		for b.Loop() {
			if _, err := cand.Tag(context.Background(), a); err != nil {
				b.Fatal(err)
			}
		}
	})
}
