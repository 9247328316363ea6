package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/segmentio/kafka-go"

	"github.com/tagpipe/tagpipe/tagger"
)

// goldArticle is a hand-written article with its labels (all of them, per the taxonomy) and entities it must
// have.
type goldArticle struct {
	id, title, body string
	labels          []string
	entities        []tagger.EntityKey
}

func loc(c string) tagger.EntityKey    { return tagger.EntityKey{Type: "LOCATION", Canonical: c} }
func person(c string) tagger.EntityKey { return tagger.EntityKey{Type: "PERSON", Canonical: c} }

var goldArticles = []goldArticle{
	{"fmt-missile", "N. Korea fires ballistic missiles into East Sea",
		"North Korea fired two ballistic missiles toward the East Sea on Tuesday, South Korea's Joint Chiefs of Staff said. Leader Kim Jong Un oversaw the launch from a site near Pyongyang.",
		[]string{"military", "north-korea"}, []tagger.EntityKey{loc("North Korea"), loc("East Sea"), person("Kim Jong-un")}},
	{"fmt-pact", "Putin and Kim sign defense pact in Pyongyang",
		"Russian President Vladimir Putin and North Korean leader Kim Jong Un signed a mutual defense treaty in Pyongyang on Wednesday, pledging military assistance if either country is attacked. The summit deepened ties between Moscow and Pyongyang.",
		[]string{"diplomacy", "military", "north-korea", "russia"}, []tagger.EntityKey{person("Vladimir Putin"), person("Kim Jong-un"), loc("Pyongyang")}},
	{"fmt-leaflets", "Activists float anti-Pyongyang leaflets across border",
		"South Korean activists launched balloons carrying propaganda leaflets across the border into North Korea on Friday. Pyongyang warned it would retaliate against the leaflet campaign, and Seoul's unification ministry urged the groups to stop.",
		[]string{"inter-korean", "leaflets", "north-korea", "south-korea"}, []tagger.EntityKey{loc("North Korea"), loc("Seoul"), {Type: "ORGANIZATION", Canonical: "Ministry of Unification"}}},
}

// htmlBody is a scraped page's body: paragraphs, character references, a nav bar and a script that name
// entities of their own (Russia, Moscow, Tokyo) which must not be tagged.
func htmlBody(body string) string {
	var b strings.Builder
	b.WriteString(`<nav><a href="/">Home</a> | <a href="/tokyo">Tokyo desk</a></nav><article>`)
	for s := range strings.SplitSeq(body, ". ") {
		fmt.Fprintf(&b, "<p>%s.</p>\n", strings.ReplaceAll(html.EscapeString(strings.TrimSuffix(s, ".")), "&#39;", "&rsquo;"))
	}
	b.WriteString(`</article><script>track("Moscow Russia Tokyo");</script>`)
	return b.String()
}

// TestInteropInputFormats has third-party producers write articles as they would: kcat (librdkafka) plain text
// values keyed by id and JSON articles with HTML bodies, Python confluent-kafka a foreign JSON shape
// {"headline", "content", "meta": {"guid"}}. Each goes through `tagpipe run` with only flags changed, and every
// record must carry the gold labels and entities under the producer's id.
func TestInteropInputFormats(t *testing.T) {
	brokers := sharedBrokers(t)
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		if kcat, err = exec.LookPath("kafkacat"); err != nil {
			t.Skip("kcat not installed (Debian package kcat; `make setup` installs it)")
		}
	}
	a := newAdmin(t, brokers)
	kcatProduce := func(t *testing.T, topic string, value func(goldArticle) string) {
		dir := t.TempDir()
		for _, g := range goldArticles { // one file per message: a text value holds line breaks
			path := filepath.Join(dir, g.id)
			if err := os.WriteFile(path, []byte(value(g)), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			out, err := exec.CommandContext(ctx, kcat, "-P", "-b", brokers, "-t", topic, "-k", g.id, "-X", "acks=all", path).CombinedOutput()
			cancel()
			if err != nil {
				t.Fatalf("kcat -P: %v\n%s", err, out)
			}
		}
	}
	tests := []struct {
		name    string
		flags   []string
		produce func(t *testing.T, topic string)
		check   func(t *testing.T, g goldArticle, rec *tagger.Record)
	}{
		{"kcat plain text", []string{"--input-format", "text"}, func(t *testing.T, topic string) {
			kcatProduce(t, topic, func(g goldArticle) string { return g.title + "\n" + g.body + "\n" })
		}, func(t *testing.T, g goldArticle, rec *tagger.Record) {
			if f, _ := rec.Article.Field(tagger.InputFormatMember); string(f) != `"text"` || rec.Article.Title != g.title || rec.Article.Body != g.body {
				t.Errorf("%s: input_format %s title %q body %q", g.id, f, rec.Article.Title, rec.Article.Body)
			}
		}},
		{"kcat HTML body", nil, func(t *testing.T, topic string) {
			kcatProduce(t, topic, func(g goldArticle) string {
				b, _ := json.Marshal(map[string]string{"id": g.id, "title": g.title, "body": htmlBody(g.body)})
				return string(b)
			})
		}, func(t *testing.T, g goldArticle, rec *tagger.Record) {
			raw, _ := rec.Article.Field(tagger.FieldBody)
			var body string
			json.Unmarshal(raw, &body)
			if body != htmlBody(g.body) || !rec.Article.BodyText || strings.Contains(rec.Article.Body, "<") ||
				strings.Contains(g.body, "'") != strings.Contains(rec.Article.Body, "’") {
				t.Errorf("%s: body kept %v, body_text %q", g.id, body == htmlBody(g.body), rec.Article.Body)
			}
			for _, k := range rec.Canonicals() {
				if k.Canonical == "Tokyo" || k.Canonical == "Russia" && !slices.Contains(g.labels, "russia") {
					t.Errorf("%s: tagged %v from the nav bar or the script", g.id, k)
				}
			}
			for _, e := range rec.Entities {
				if e.Field == tagger.FieldBody && string([]rune(rec.Article.Body)[e.Start:e.End]) != e.Text {
					t.Errorf("%s: span %d-%d does not point at %q in body_text", g.id, e.Start, e.End, e.Text)
				}
			}
		}},
		{"confluent-kafka foreign JSON", []string{"--field", "id=/meta/guid", "--field", "title=/headline", "--field", "body=/content,/text"},
			func(t *testing.T, topic string) {
				if err := exec.Command("python3", "-c", "import confluent_kafka").Run(); err != nil {
					t.Skip("Python confluent-kafka not importable (`make setup` installs it)")
				}
				var docs []map[string]any
				for i, g := range goldArticles {
					docs = append(docs, map[string]any{"headline": g.title, "content": g.body, "meta": map[string]any{"guid": g.id, "rev": i},
						"published": "2026-12-0" + strconv.Itoa(i+1) + "T06:00:00Z"})
				}
				in, _ := json.Marshal(docs)
				cmd := exec.Command("python3", "-c", producerPy, brokers, topic)
				cmd.Stdin = bytes.NewReader(in)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("confluent-kafka producer: %v\n%s", err, out)
				}
			}, func(t *testing.T, g goldArticle, rec *tagger.Record) {
				if h, _ := rec.Article.Field("headline"); !strings.Contains(string(h), g.title) || rec.Article.Title != g.title {
					t.Errorf("%s: headline %s title %q: the object is not passed through with the mapped fields", g.id, h, rec.Article.Title)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tp := newTopics(t, a, 3)
			tc.produce(t, tp.in)
			run := startTagpipe(t, "tagpipe run", nil, tp.run(brokers, tc.flags...)...)
			a.waitCommitted(t, run, tp.group, tp.in, 2*time.Minute)
			if code := run.stop(45 * time.Second); code != 0 {
				t.Errorf("tagpipe run exited %d after SIGTERM, want 0", code)
			}
			if dlq := a.readAll(t, tp.dlq); len(dlq) > 0 {
				t.Errorf("%d dead letters, first: %s", len(dlq), headerValue(dlq[0], "tagpipe-error"))
			}
			got := map[string]*tagger.Record{}
			for _, m := range a.readAll(t, tp.out) {
				var rec tagger.Record
				if err := rec.UnmarshalJSON(m.Value); err != nil {
					t.Fatalf("output record: %v", err)
				}
				if rec.Article.ID != string(m.Key) {
					t.Errorf("record id %q under key %q", rec.Article.ID, m.Key)
				}
				got[string(m.Key)] = &rec
			}
			for _, g := range goldArticles {
				rec := got[g.id]
				if rec == nil {
					t.Errorf("no tagged record keyed %s", g.id)
					continue
				}
				if labels := slices.Sorted(slices.Values(rec.Labels())); !slices.Equal(labels, g.labels) {
					t.Errorf("%s: labels %v, want %v", g.id, labels, g.labels)
				}
				for _, k := range g.entities {
					if !slices.Contains(rec.Canonicals(), k) {
						t.Errorf("%s: no entity %v in %v", g.id, k, rec.Canonicals())
					}
				}
				tc.check(t, g, rec)
			}
		})
	}
}

// producerPy produces each JSON object of the array on stdin to argv[2] with confluent-kafka, unkeyed (the id
// is inside the object), and waits for every delivery.
const producerPy = `
import json, sys
from confluent_kafka import Producer
p = Producer({"bootstrap.servers": sys.argv[1], "acks": "all"})
errs = []
def done(err, msg):
    if err is not None:
        errs.append(str(err))
for doc in json.load(sys.stdin):
    p.produce(sys.argv[2], value=json.dumps(doc).encode(), on_delivery=done)
p.flush(30)
if errs or len(p) > 0:
    raise SystemExit("delivery failed: %s (%d pending)" % (errs, len(p)))
`

// TestCompactRecordsThroughKafka runs the same input through `tagpipe run --record full` and `--record compact`,
// reads the compact output with `tagpipe consume` (also filtered by label), validates every record against
// docs/record.compact.schema.json and checks that labels and entities equal those of the full records.
func TestCompactRecordsThroughKafka(t *testing.T) {
	brokers := sharedBrokers(t)
	a := newAdmin(t, brokers)
	const n = 60
	msgs, ids := articles(23, n, 3000)
	outputs := map[string][]kafka.Message{}
	var compactTopic string
	for _, format := range []string{"full", "compact"} {
		tp := newTopics(t, a, 3)
		a.produce(t, tp.in, msgs)
		run := startTagpipe(t, "tagpipe run --record "+format, nil, tp.run(brokers, "--record", format)...)
		a.waitCommitted(t, run, tp.group, tp.in, 2*time.Minute)
		if code := run.stop(45 * time.Second); code != 0 {
			t.Errorf("tagpipe run --record %s exited %d after SIGTERM", format, code)
		}
		outputs[format] = a.readAll(t, tp.out)
		res := countOutputs(ids, outputs[format], a.readAll(t, tp.dlq))
		res.check(t, "record-"+format)
		if format == "compact" {
			compactTopic = tp.out
		}
	}
	sch := compactSchema(t)
	full := map[string]*tagger.Record{}
	fullBytes, compactBytes := 0, 0
	for _, m := range outputs["full"] {
		var rec tagger.Record
		if err := rec.UnmarshalJSON(m.Value); err != nil {
			t.Fatal(err)
		}
		if h := headerValue(m, "tagpipe-record"); h != "full" {
			t.Errorf("full record header tagpipe-record %q", h)
		}
		full[string(m.Key)] = &rec
		fullBytes += len(m.Value)
	}
	for _, m := range outputs["compact"] {
		if h := headerValue(m, "tagpipe-record"); h != "compact" {
			t.Errorf("compact record header tagpipe-record %q", h)
		}
		compactBytes += len(m.Value)
	}

	code, stdout, stderr := runTagpipe(t, 2*time.Minute, nil, nil, "consume", "--brokers", brokers, "--topic", compactTopic,
		"--from-beginning", "--timeout", "5s", "--max", strconv.Itoa(n))
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if code != 0 || len(lines) != n {
		t.Fatalf("consume: exit %d, %d lines, want %d\n%s", code, len(lines), n, tail(stderr, 2000))
	}
	labelled := map[string]int{}
	for _, l := range lines {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(l))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(v); err != nil {
			t.Errorf("consumed compact record does not validate: %v\n%.300s", err, l)
		}
		var rec tagger.Record
		if err := rec.UnmarshalJSON([]byte(l)); err != nil {
			t.Fatal(err)
		}
		f := full[rec.Article.ID]
		if f == nil {
			t.Errorf("compact record %s has no full record", rec.Article.ID)
			continue
		}
		if !slices.Equal(rec.Labels(), f.Labels()) || !sameKeys(rec.Canonicals(), f.Canonicals()) || len(rec.Entities) != len(f.Entities) {
			t.Errorf("%s: compact %v %v (%d mentions), full %v %v (%d)", rec.Article.ID, rec.Labels(), rec.Canonicals(), len(rec.Entities),
				f.Labels(), f.Canonicals(), len(f.Entities))
		}
		for _, l := range rec.Labels() {
			labelled[l]++
		}
	}
	// consume's filters read compact records as they read full ones.
	label := "north-korea"
	code, stdout, _ = runTagpipe(t, 2*time.Minute, nil, nil, "consume", "--brokers", brokers, "--topic", compactTopic,
		"--from-beginning", "--timeout", "5s", "--label", label)
	if got := strings.Count(stdout, "\n"); code != 0 || got != labelled[label] || got == 0 {
		t.Errorf("consume --label %s of compact records: exit %d, %d records, want %d", label, code, got, labelled[label])
	}
	t.Logf("RECORDS full=%d bytes compact=%d bytes ratio=%.3f over %d articles of 3 KB", fullBytes, compactBytes,
		float64(compactBytes)/float64(fullBytes), n)
	if compactBytes >= fullBytes {
		t.Errorf("compact records are %d bytes against %d full", compactBytes, fullBytes)
	}
}

// compactSchema compiles docs/record.compact.schema.json (which refers to the full schema's definitions).
func compactSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	const base = "https://tagpipe.example/schemas/"
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, f := range []string{"full", "compact"} {
		name := "record." + f + ".schema.json"
		b, err := os.ReadFile(filepath.Join(repoRoot, "docs", name))
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource(base+name, v); err != nil {
			t.Fatal(err)
		}
	}
	sch, err := c.Compile(base + "record.compact.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func sameKeys(a, b []tagger.EntityKey) bool {
	key := func(k tagger.EntityKey) string { return k.Type + "\x00" + k.Canonical }
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i] = key(a[i])
	}
	for i := range b {
		kb[i] = key(b[i])
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}
