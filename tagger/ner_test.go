package tagger

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/tagpipe/tagpipe/rules"
)

func TestParseNERMode(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    NERMode
		wantErr bool
	}{
		{"", NERBuiltin, false}, {"builtin", NERBuiltin, false}, {"prose", NERProse, false},
		{" Hybrid ", NERHybrid, false}, {"spacy", "", true}, {"builtin,prose", "", true},
	} {
		got, err := ParseNERMode(tc.in)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("ParseNERMode(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestNewNERConflicts(t *testing.T) {
	rs, err := testRules()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		opts    []Option
		wantErr string
	}{
		{"unknown mode", []Option{WithNER("spacy")}, `unknown NER mode "spacy"`},
		{"hybrid without discovery", []Option{WithNER(NERHybrid), WithDiscovery(false)}, "conflicts"},
		{"prose without discovery", []Option{WithDiscovery(false), WithProseNER(true)}, "conflicts"},
		{"builtin without discovery", []Option{WithNER(NERBuiltin), WithDiscovery(false)}, ""},
	} {
		tg, err := New(rs, tc.opts...)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.wantErr)
		case err == nil && tg.NER() != NERBuiltin:
			t.Errorf("%s: mode %q", tc.name, tg.NER())
		}
	}
}

// pspan is a prose entity for the merge tests: the n-th occurrence (from 0) of text in a field, with a label.
type pspan struct {
	field, text, label string
	n                  int
}

// hybridWith runs hybrid discovery on doc with prose's entities given by spans instead of prose's model, so the
// merge and filter are tested on their own.
func hybridWith(t *testing.T, rs *rules.RuleSet, doc rules.Doc, spans []pspan) []Entity {
	t.Helper()
	texts := [2]string{doc.Title, doc.Body}
	var ps []proseSpan
	for _, s := range spans {
		fi := fieldIndex(s.field)
		from := 0
		for k := 0; ; k++ {
			i := strings.Index(texts[fi][from:], s.text)
			if i < 0 {
				t.Fatalf("%q not in the %s", s.text, s.field)
			}
			if k == s.n {
				start := utf8.RuneCountInString(texts[fi][:from+i])
				ps = append(ps, proseSpan{fi: fi, start: start, end: start + utf8.RuneCountInString(s.text), label: s.label})
				break
			}
			from += i + len(s.text)
		}
	}
	res, err := rs.MatchContext(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	sc := scratchPool.Get().(*scratch)
	defer func() { sc.trim(); scratchPool.Put(sc) }()
	x := &discovery{ctx: context.Background(), rs: rs, d: rs.Discovery(), texts: texts, ms: res.Mentions, sc: sc,
		prose: ps}
	ents, err := x.run()
	if err != nil {
		t.Fatal(err)
	}
	return ents
}

func proseLine(e Entity) string {
	return fmt.Sprintf("%s %s %q %s", e.Type[:3], e.Source, e.Text, e.Canonical)
}

// TestHybridMerge checks what addProse keeps of prose's entities and how: each case gives prose's entities and
// the entities (type, source, text, canonical) expected among the record's, and those that must not be there.
func TestHybridMerge(t *testing.T) {
	rs, err := testRules()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name      string
		body      string
		prose     []pspan
		want, not []string
	}{
		{
			name:  "a plain First Last confirmed by prose, and its surname resolved",
			body:  "The winner came from Seiya Murase shortly before half-time. Murase celebrated with the fans.",
			prose: []pspan{{"body", "Seiya Murase", "PERSON", 0}},
			want:  []string{`PER discovered "Seiya Murase" Seiya Murase`, `PER discovered "Murase" Seiya Murase`},
		},
		{
			name: "without prose the weak person is dropped",
			body: "The winner came from Seiya Murase shortly before half-time.",
			not:  []string{`PER discovered "Seiya Murase" Seiya Murase`},
		},
		{
			name:  "a name nothing cues, added with the article and the possessive trimmed",
			body:  "Donors praised the Stepping Stones Trust's work. The vote was close.",
			prose: []pspan{{"body", "the Stepping Stones Trust's", "ORG", 0}},
			want:  []string{`ORG prose "Stepping Stones Trust" Stepping Stones Trust`},
		},
		{
			name:  "an organization prose types and discovery does not",
			body:  "Talks were hosted by Stepping Stones Trust in the capital.",
			prose: []pspan{{"body", "Stepping Stones Trust", "ORG", 0}},
			want:  []string{`ORG prose "Stepping Stones Trust" Stepping Stones Trust`},
		},
		{
			name:  "a PERSON label on capitalized words no name has is an organization",
			body:  "Talks were hosted by Stepping Stones in the capital. Hanseong Semiconductor said profit rose.",
			prose: []pspan{{"body", "Stepping Stones", "PERSON", 0}, {"body", "Hanseong Semiconductor", "PERSON", 0}},
			want: []string{`ORG prose "Stepping Stones" Stepping Stones`,
				`ORG prose "Hanseong Semiconductor" Hanseong Semiconductor`},
			not: []string{`PER prose "Stepping Stones" Stepping Stones`},
		},
		{
			name:  "an organization cut at a connector is extended over it",
			body:  "Talks were hosted by Stepping Stones for Freedom and the Light of Hope in the capital.",
			prose: []pspan{{"body", "Stepping Stones", "ORG", 0}},
			want:  []string{`ORG prose "Stepping Stones for Freedom" Stepping Stones for Freedom`},
			not:   []string{`ORG prose "Stepping Stones" Stepping Stones`},
		},
		{
			name:  "a span over a gazetteer mention is dropped",
			body:  "Officials in Busan Harbour Lee said nothing.",
			prose: []pspan{{"body", "Busan Harbour Lee", "PERSON", 0}},
			not:   []string{`PER prose "Busan Harbour Lee" Busan Harbour Lee`, `PER prose "Harbour Lee" Harbour Lee`},
		},
		{
			name:  "a name beside a vessel word is a ship",
			body:  "Footage showed the relaunch of the Kang Kon destroyer at the port.",
			prose: []pspan{{"body", "Kang Kon", "PERSON", 0}},
			not:   []string{`PER prose "Kang Kon" Kang Kon`},
		},
		{
			name: "single words: an acronym organization kept; a demonym, a sentence-initial common word and " +
				"a plain word dropped",
			body: "Officials met KOTRA staff. Venezuelan traders came. The officials left for Ostrava.",
			prose: []pspan{{"body", "KOTRA", "ORG", 0}, {"body", "Officials", "ORG", 0},
				{"body", "Venezuelan", "GPE", 0}, {"body", "Ostrava", "GPE", 0}},
			want: []string{`ORG prose "KOTRA" KOTRA`},
			not: []string{`ORG prose "Officials" Officials`, `LOC prose "Venezuelan" Venezuelan`,
				`LOC prose "Ostrava" Ostrava`},
		},
		{
			name:  "labels outside the taxonomy and lower-case words are dropped",
			body:  "The Hanrim Cup final was held in Seoul on Monday by the Hanrim Sports club.",
			prose: []pspan{{"body", "Hanrim Cup", "EVENT", 0}, {"body", "Hanrim Sports club", "ORG", 0}},
			not:   []string{`EVE prose "Hanrim Cup" Hanrim Cup`, `ORG prose "Hanrim Sports club" Hanrim Sports club`},
		},
		{
			name:  "a span across a line break is dropped",
			body:  "The statement came from Alma\nVeikko on Friday.",
			prose: []pspan{{"body", "Alma\nVeikko", "PERSON", 0}},
			not:   []string{`PER prose "Alma\nVeikko" Alma Veikko`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ents := hybridWith(t, rs, rules.Doc{Title: "Report", Body: tc.body}, tc.prose)
			var got []string
			for _, e := range ents {
				got = append(got, proseLine(e))
				if e.Start < 0 || e.End > utf8.RuneCountInString(tc.body) ||
					string([]rune(tc.body)[e.Start:e.End]) != e.Text {
					t.Errorf("span %d-%d of %q does not hold its text", e.Start, e.End, e.Text)
				}
			}
			for _, w := range tc.want {
				if !slices.Contains(got, w) {
					t.Errorf("missing %s; got %q", w, got)
				}
			}
			for _, n := range tc.not {
				if slices.Contains(got, n) {
					t.Errorf("unexpected %s", n)
				}
			}
		})
	}
}

func TestIsDemonym(t *testing.T) {
	for w, want := range map[string]bool{
		"venezuelan": false, "venezuelans": true, "canadian": true, "congolese": true, "danish": true,
		"pakistani": true, "kotra": false, "ostrava": false, "oman": false,
	} {
		if got := isDemonym(w); got != want {
			t.Errorf("isDemonym(%q) = %v, want %v", w, got, want)
		}
	}
}

// TestHybridConcurrent tags articles in hybrid mode from several goroutines with one shared prose model and
// expects what sequential tagging gives (run it with -race).
func TestHybridConcurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("loads prose's model")
	}
	tg := testTagger(t, WithNER(NERHybrid), WithClock(fixedClock))
	as := []Article{
		{Title: "Ferry leaves Busan", Body: "Captain Olivia Brennan of Canada sailed from Busan with Daniel Okafor."},
		{Title: "Match report", Body: "Japan took the lead through Seiya Murase. Murase then left the field."},
		{Title: "Talks", Body: "Officials from Stepping Stones Trust met Alma Veikko in Busan on Friday."},
	}
	want := make([]string, len(as))
	for i, a := range as {
		rec, err := tg.Tag(context.Background(), a)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := rec.MarshalJSON()
		want[i] = string(b)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range 3 {
				i := (g + k) % len(as)
				rec, err := tg.Tag(context.Background(), as[i])
				if err != nil {
					t.Error(err)
					return
				}
				if b, _ := rec.MarshalJSON(); string(b) != want[i] {
					t.Errorf("goroutine %d, article %d: %s\nwant %s", g, i, b, want[i])
				}
			}
		})
	}
	wg.Wait()
}

func TestChunkEnd(t *testing.T) {
	for _, tc := range []struct {
		s    string
		max  int
		want int
	}{
		{"short", 10, 5},
		{"one line\nand another line", 12, 9},
		{"no line breaks here at all", 12, 8},
		{"abcdefghijklmnop", 8, 8},
		{"abcdefg한국", 8, 7}, // not inside a rune
	} {
		if got := chunkEnd(tc.s, tc.max); got != tc.want {
			t.Errorf("chunkEnd(%q, %d) = %d, want %d", tc.s, tc.max, got, tc.want)
		}
	}
}

// TestProseChunks tags a body longer than a chunk in hybrid mode: the spans of entities found in later chunks
// point at their text, and a context that is done stops the call.
func TestProseChunks(t *testing.T) {
	if testing.Short() {
		t.Skip("loads prose's model")
	}
	tg := testTagger(t, WithNER(NERHybrid))
	para := "Officials from Stepping Stones Trust met the Busan mayor on Friday about the ferry timetable.\n"
	body := strings.Repeat(para, 2*proseChunk/len(para)+1) + "Japan took the lead through Seiya Murase."
	a := Article{Title: "Ferry talks", Body: body}
	rec, err := tg.Tag(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	checkSpans(t, a, rec)
	if !slices.Contains(rec.Canonicals(), EntityKey{"PERSON", "Seiya Murase"}) {
		t.Errorf("the name in the last chunk is missing: %v", rec.Canonicals())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := proseSpans(ctx, rules.Doc{Body: body}); !errors.Is(err, context.Canceled) {
		t.Errorf("proseSpans with a cancelled context: %v", err)
	}
}
