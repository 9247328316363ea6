package pipeline

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

// realTagger is the default tagger over the embedded rule pack.
func realTagger(t *testing.T) *tagger.Tagger {
	t.Helper()
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	tg, err := tagger.New(rs)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// sendRaw produces msgs to cfg.In as they are.
func sendRaw(t *testing.T, cfg Config, msgs ...kafkaio.Message) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := kafkaio.NewProducer(ctx, cfg.Conn, cfg.In, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.SendRaw(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
}

// hasEntity reports whether rec has an entity of that type and canonical name.
func hasEntity(rec *tagger.Record, typ, canonical string) bool {
	return slices.Contains(rec.Canonicals(), tagger.EntityKey{Type: typ, Canonical: canonical})
}

const (
	missileTitle = "N. Korea fires ballistic missiles into East Sea"
	missileBody  = "North Korea fired two ballistic missiles toward the East Sea on Tuesday, South Korea's Joint Chiefs of Staff said. Leader Kim Jong Un oversaw the launch."
)

// TestInputFormatsAndMapping runs the real tagger over text values keyed by id, an HTML body and a foreign JSON
// shape mapped with Fields, under --input-format auto, and checks labels, entities, ids, spans and dead letters.
func TestInputFormatsAndMapping(t *testing.T) {
	cfg := testConfig(t, testBrokers(t))
	cfg.InputFormat = tagger.InputAuto
	cfg.Fields = []string{"id=/meta/guid,/id", "title=/headline,/title", "body=/content,/body", "published_at=/published"}
	text := missileTitle + "\n" + missileBody
	html := `{"id":"in-html","title":"` + missileTitle + `","body":"<nav><a href=\"/\">Home</a> World</nav><p>North Korea fired two ballistic missiles toward the East Sea, South Korea&rsquo;s military said.</p><script>var kim = 'Russia';</script><p>Leader Kim Jong Un oversaw the launch.</p>"}`
	foreign := `{"headline":"` + missileTitle + `","content":"` + missileBody + `","meta":{"guid":"in-foreign"},"published":"2026-12-01T08:00:00Z"}`
	wrongType := `{"headline":["not","a","string"],"meta":{"guid":"in-wrong"}}`
	sendRaw(t, cfg,
		kafkaio.Message{Key: []byte("in-text"), Value: []byte(text)},
		kafkaio.Message{Key: []byte("in-html"), Value: []byte(html)},
		kafkaio.Message{Key: []byte("k-foreign"), Value: []byte(foreign)},
		kafkaio.Message{Key: []byte("in-wrong"), Value: []byte(wrongType)},
	)
	r := start(t, cfg, realTagger(t))
	out := collect(t, cfg, cfg.Out, 3, 0)
	recs := map[string]*tagger.Record{}
	for id, ms := range out {
		var rec tagger.Record
		if err := rec.UnmarshalJSON(ms[0].Value); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if h := ms[0].Headers[HeaderRecord]; h != "full" {
			t.Errorf("%s: %s header %q, want full", id, HeaderRecord, h)
		}
		recs[id] = &rec
	}
	for _, id := range []string{"in-text", "in-html", "in-foreign"} {
		rec := recs[id]
		if rec == nil {
			t.Errorf("no tagged record keyed %s; got %v", id, slices.Collect(maps.Keys(recs)))
			continue
		}
		labels := rec.Labels()
		if rec.Article.ID != id || !slices.Contains(labels, "north-korea") || !slices.Contains(labels, "military") {
			t.Errorf("%s: id %q labels %v, want north-korea and military", id, rec.Article.ID, labels)
		}
		if !hasEntity(rec, "LOCATION", "North Korea") || !hasEntity(rec, "PERSON", "Kim Jong-un") {
			t.Errorf("%s: entities %v, want North Korea and Kim Jong-un", id, rec.Canonicals())
		}
		if hasEntity(rec, "LOCATION", "Russia") {
			t.Errorf("%s: tagged the content of a script: %v", id, rec.Canonicals())
		}
		if rec.Article.Title != missileTitle {
			t.Errorf("%s: title %q", id, rec.Article.Title)
		}
	}
	if rec := recs["in-text"]; rec != nil {
		if f, _ := rec.Article.Field(tagger.InputFormatMember); string(f) != `"text"` || rec.Article.Body != missileBody {
			t.Errorf("text record: input_format %s, body %q", f, rec.Article.Body)
		}
	}
	if rec := recs["in-html"]; rec != nil {
		bt, _ := rec.Article.Field(tagger.BodyTextMember)
		if strings.Contains(string(bt), "<p>") || !strings.Contains(string(bt), "South Korea’s military") || strings.Contains(string(bt), "Home") {
			t.Errorf("HTML record body_text %s", bt)
		}
		for _, e := range rec.Entities {
			if e.Field != tagger.FieldBody {
				continue
			}
			if got := string([]rune(rec.Article.Body)[e.Start:e.End]); got != e.Text {
				t.Errorf("HTML span %d-%d of the tagged text is %q, want %q", e.Start, e.End, got, e.Text)
			}
		}
	}
	if rec := recs["in-foreign"]; rec != nil {
		if p, _ := rec.Article.Field(tagger.FieldPublishedAt); string(p) != `"2026-12-01T08:00:00Z"` {
			t.Errorf("mapped published_at %s", p)
		}
		if h, ok := rec.Article.Field("headline"); !ok || !strings.Contains(string(h), "N. Korea") {
			t.Errorf("the foreign object is not passed through whole: headline %s", h)
		}
	}
	dlq := collect(t, cfg, cfg.DLQ, 1, 0)
	if ms := dlq["in-wrong"]; len(ms) != 1 {
		t.Errorf("wrong-type record: %d dead letters", len(ms))
	} else if reason := ms[0].Headers[HeaderError]; !strings.HasPrefix(reason, "decode: ") || !strings.Contains(reason, `"/headline"`) || string(ms[0].Value) != wrongType {
		t.Errorf("wrong-type dead letter: reason %q value %q; want the pointer named and the value kept", reason, ms[0].Value)
	}
	if v := gaugeValue(r.p.metrics.ready); v != 1 {
		t.Errorf("tagpipe_ready = %v while consuming, want 1", v)
	}
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	if v := gaugeValue(r.p.metrics.ready); v != 0 {
		t.Errorf("tagpipe_ready = %v after the pipeline stopped, want 0", v)
	}
	for format, want := range map[string]float64{"text": 1, "json": 3} {
		if got := counterValue(r.p.metrics.inputFormats.WithLabelValues(format)); got != want {
			t.Errorf("tagpipe_records_input_format_total{format=%q} = %v, want %v", format, got, want)
		}
	}
}

// TestCompactRecords runs the same articles through two pipelines, --record full and --record compact, and checks
// that the compact records carry the same labels and entities in fewer bytes, with the header saying so.
func TestCompactRecords(t *testing.T) {
	brokers := testBrokers(t)
	arts := []tagger.Article{
		{ID: "c1", Title: missileTitle, Body: missileBody},
		{ID: "c2", Title: "Russia and North Korea sign defense pact", Body: "Russian President Vladimir Putin and Kim Jong Un signed a treaty in Pyongyang. Kim Jong Un called Putin a friend."},
	}
	got := map[tagger.RecordFormat]map[string]kafkaio.Message{}
	for _, f := range []tagger.RecordFormat{tagger.RecordFull, tagger.RecordCompact} {
		cfg := testConfig(t, brokers)
		cfg.Record = f
		produce(t, cfg, arts...)
		r := start(t, cfg, realTagger(t))
		got[f] = map[string]kafkaio.Message{}
		for id, ms := range collect(t, cfg, cfg.Out, len(arts), 0) {
			got[f][id] = ms[0]
		}
		if err := r.stop(t); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range arts {
		full, compact := got[tagger.RecordFull][a.ID], got[tagger.RecordCompact][a.ID]
		if h := compact.Headers[HeaderRecord]; h != "compact" {
			t.Errorf("%s: %s header %q, want compact", a.ID, HeaderRecord, h)
		}
		var fr, cr tagger.Record
		if err := fr.UnmarshalJSON(full.Value); err != nil {
			t.Fatal(err)
		}
		if err := cr.UnmarshalJSON(compact.Value); err != nil {
			t.Fatalf("%s: compact record does not decode: %v", a.ID, err)
		}
		if !strings.Contains(string(compact.Value), `"record":"compact"`) || len(compact.Value) >= len(full.Value) {
			t.Errorf("%s: compact record %d bytes against %d full, or no tagger.record: %s", a.ID, len(compact.Value), len(full.Value), compact.Value)
		}
		if !slices.Equal(fr.Labels(), cr.Labels()) || !slices.Equal(sortedKeys(fr.Canonicals()), sortedKeys(cr.Canonicals())) {
			t.Errorf("%s: full %v %v, compact %v %v", a.ID, fr.Labels(), fr.Canonicals(), cr.Labels(), cr.Canonicals())
		}
		if len(fr.Labels()) == 0 || len(fr.Entities) == 0 {
			t.Errorf("%s: nothing tagged: %s", a.ID, full.Value)
		}
	}
}

func sortedKeys(ks []tagger.EntityKey) []tagger.EntityKey {
	return slices.SortedFunc(slices.Values(ks), func(a, b tagger.EntityKey) int {
		return strings.Compare(a.Type+"\x00"+a.Canonical, b.Type+"\x00"+b.Canonical)
	})
}

// TestProcessDecodes runs tagProcessor over each input format and HTML mode with a fake tagger: the id source,
// the member that says the format, body_text, and the dead-letter reasons.
func TestProcessDecodes(t *testing.T) {
	html := `{"title":"T","body":"<p>Seoul&rsquo;s view</p><script>x()</script>"}`
	tests := []struct {
		name, format, html string
		fields             []string
		key, value         string
		wantKey            string // "" : a content id
		want, notWant      []string
		wantErr            string // prefix of the dead-letter reason
	}{
		{name: "text keyed", format: "text", key: "k1", value: "Title line\n\nBody text", wantKey: "k1",
			want: []string{`"input_format":"text"`, `"title":"Title line"`, `"body":"Body text"`}},
		{name: "text without key", format: "text", value: "Title line\nBody",
			want: []string{`"input_format":"text"`}},
		{name: "auto takes objects as json", format: "auto", key: "k", value: `{"id":"j1","title":"T"}`, wantKey: "j1",
			notWant: []string{`input_format`}},
		{name: "auto takes the rest as text", format: "auto", key: "k2", value: "Just text", wantKey: "k2",
			want: []string{`"input_format":"text"`}},
		{name: "html auto", value: html, want: []string{`"body_text":"Seoul’s view"`, `"body":"<p>Seoul&rsquo;s view</p>`}},
		{name: "html off", html: "off", value: html, notWant: []string{`body_text`}},
		{name: "html strip", html: "strip", value: `{"title":"T","body":"a &amp; b"}`, want: []string{`"body_text":"a & b"`}},
		{name: "mapped", fields: []string{"id=/meta/guid", "body=/content,/text"}, value: `{"meta":{"guid":"g1"},"title":"T","text":"B"}`,
			wantKey: "g1", want: []string{`"body":"B"`, `"meta":{"guid":"g1"}`}},
		{name: "mapped field missing is empty", fields: []string{"body=/content"}, value: `{"id":"m","title":"T"}`, wantKey: "m"},
		{name: "mapped field of the wrong type", fields: []string{"title=/headline"}, value: `{"headline":{"x":1}}`,
			wantErr: `decode: article: bad_field: "/headline"`},
		{name: "empty text", format: "text", key: "k", value: "  \n \n", wantErr: "decode: "},
		{name: "json that is text", value: "N. Korea fires missiles", wantErr: "decode: article: not_json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			if tt.format != "" {
				cfg.InputFormat = tt.format
			}
			if tt.html != "" {
				cfg.HTML = tt.html
			}
			cfg.Fields = tt.fields
			dec, err := cfg.Decoder()
			if err != nil {
				t.Fatal(err)
			}
			out, err := tagProcessor{t: &fakeTagger{}, dec: dec}.process(context.Background(), []byte(tt.key), []byte(tt.value), 1<<20)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) || reasonCode(err) != CodeDecode {
					t.Fatalf("err = %v, want a decode dead letter starting %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantKey != "" && string(out.key) != tt.wantKey || tt.wantKey == "" && len(out.key) != 32 {
				t.Errorf("key %q, want %q (or a content id)", out.key, tt.wantKey)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out.value), w) {
					t.Errorf("record lacks %s: %s", w, out.value)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(string(out.value), w) {
					t.Errorf("record has %s: %s", w, out.value)
				}
			}
		})
	}
}
