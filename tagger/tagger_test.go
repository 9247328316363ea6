package tagger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jdkato/prose/v2"
	"github.com/tagpipe/tagpipe/rules"
)

var fixedClock = func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

func defaultTagger(t testing.TB, opts ...Option) *Tagger {
	t.Helper()
	rs, err := rules.Default()
	if err != nil {
		t.Fatalf("default pack: %v", err)
	}
	opts = append([]Option{WithClock(fixedClock), WithVersion("test"), WithLogger(slog.New(slog.DiscardHandler))},
		opts...)
	tg, err := New(rs, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// Our own sample article (not taken from any news source).
const sampleJSON = `{"id":"s1","source":"unit test","title":"N. Korea test-fires missiles as Kim Jong Un watches",` +
	`"body":"North Korea fired two short-range ballistic missiles into the East Sea on Friday, South Korea's ` +
	`Joint Chiefs of Staff said. Leader Kim Jong Un watched the launch from a site near Pyongyang, the state ` +
	`news agency KCNA reported. Defense analyst Mira Castellanos said the test showed growing confidence. ` +
	`Castellanos added that Moscow had stayed silent.","published_at":"2026-02-27"}`

func TestTagDefaultPack(t *testing.T) {
	tg := defaultTagger(t)
	a, err := DecodeArticle([]byte(sampleJSON))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := tg.Tag(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	labels := rec.Labels()
	for _, want := range []string{"north-korea", "military"} {
		if !slices.Contains(labels, want) {
			t.Errorf("labels %v lack %q", labels, want)
		}
	}
	keys := rec.Canonicals()
	for _, want := range []EntityKey{
		{"LOCATION", "North Korea"}, {"PERSON", "Kim Jong-un"}, {"LOCATION", "Pyongyang"},
		{"ORGANIZATION", "Korean Central News Agency"}, {"PERSON", "Mira Castellanos"}, {"LOCATION", "Moscow"},
	} {
		if !slices.Contains(keys, want) {
			t.Errorf("entities %v lack %v", keys, want)
		}
	}
	for _, k := range keys {
		if k.Canonical == "Castellanos" || k.Canonical == "Leader" || k.Canonical == "Defense" {
			t.Errorf("spurious entity %v", k)
		}
	}
	rs := tg.Rules()
	if rec.Tagger.Version != "test" || rec.Tagger.RulesVersion != rs.Version() || !rec.Tagger.TaggedAt.Equal(fixedClock()) {
		t.Errorf("meta = %+v", rec.Tagger)
	}
	checkSpans(t, a, rec)

	out, err := json.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	// Passthrough members first, in input order, then the tagger's.
	order := []string{`"id":"s1"`, `"source":"unit test"`, `"title":`, `"body":`, `"published_at":"2026-02-27"`,
		`"topics":[`, `"entities":[`, `"tagger":{"version":"test"`}
	last := -1
	for _, o := range order {
		i := strings.Index(string(out), o)
		if i <= last {
			t.Fatalf("%s missing or out of order in %s", o, out)
		}
		last = i
	}
	// Deterministic: tagging again gives the same bytes.
	rec2, _ := tg.Tag(context.Background(), a)
	out2, _ := json.Marshal(rec2)
	if string(out) != string(out2) {
		t.Error("output differs between two runs")
	}
}

func TestNew(t *testing.T) {
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		rs      *rules.RuleSet
		opts    []Option
		wantErr bool
	}{
		{name: "defaults", rs: rs},
		{name: "nil rules", rs: nil, wantErr: true},
		{name: "prose NER without discovery", rs: rs, opts: []Option{WithDiscovery(false), WithProseNER(true)},
			wantErr: true},
		{name: "discovery off", rs: rs, opts: []Option{WithDiscovery(false)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg, err := New(tt.rs, tt.opts...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && (tg.Rules() != tt.rs || tg.Version() == "") {
				t.Errorf("Rules() = %p, Version() = %q", tg.Rules(), tg.Version())
			}
		})
	}
}

func TestSetRules(t *testing.T) {
	tg := defaultTagger(t)
	def := tg.Rules()
	small, err := testRules()
	if err != nil {
		t.Fatal(err)
	}
	a := Article{Title: "Ferry port reopens", Body: "The ferry port in Busan reopened after repairs to the harbour."}
	before, _ := tg.Tag(context.Background(), a)
	if err := tg.SetRules(small); err != nil {
		t.Fatal(err)
	}
	after, _ := tg.Tag(context.Background(), a)
	if after.Tagger.RulesVersion != small.Version() || before.Tagger.RulesVersion != def.Version() {
		t.Errorf("rules versions %q -> %q", before.Tagger.RulesVersion, after.Tagger.RulesVersion)
	}
	if !slices.Contains(after.Labels(), "harbours") || slices.Contains(before.Labels(), "harbours") {
		t.Errorf("labels before %v, after %v: the swap did not take effect", before.Labels(), after.Labels())
	}
	if err := tg.SetRules(nil); !errors.Is(err, ErrNoRules) || tg.Rules() != small {
		t.Errorf("SetRules(nil) = %v, rules now %p", err, tg.Rules())
	}
}

func TestTagCanceled(t *testing.T) {
	tg := defaultTagger(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := tg.Tag(ctx, Article{Title: "x"}); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestTagRepairsInvalidUTF8(t *testing.T) {
	tg := defaultTagger(t)
	a := Article{Title: "Seoul \xff news", Body: "Officials in Pyongyang\xfe said nothing."}
	rec, err := tg.Tag(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Article.Repaired || !utf8.ValidString(rec.Article.Title) || !utf8.ValidString(rec.Article.Body) {
		t.Errorf("not repaired: %+v", rec.Article)
	}
	checkSpans(t, a, rec)
}

// TestTagConcurrent tags articles from many goroutines while the rule set is swapped back and forth; run it with
// -race. Every record must equal the sequential result for the rule set it reports.
func TestTagConcurrent(t *testing.T) {
	tg := defaultTagger(t)
	def := tg.Rules()
	small, err := testRules()
	if err != nil {
		t.Fatal(err)
	}
	articles := make([]Article, 8)
	for i := range articles {
		articles[i] = Article{ID: fmt.Sprint(i), Title: genTitle(rand.New(rand.NewPCG(uint64(i), 1))),
			Body: genArticle(rand.New(rand.NewPCG(uint64(i), 2)), 1500)}
	}
	want := map[string]map[string]string{} // rules version -> article id -> JSON
	for _, rs := range []*rules.RuleSet{def, small} {
		seq := defaultTagger(t)
		seq.SetRules(rs)
		want[rs.Version()] = map[string]string{}
		for _, a := range articles {
			rec, _ := seq.Tag(context.Background(), a)
			b, _ := json.Marshal(rec)
			want[rs.Version()][a.ID] = string(b)
		}
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			tg.SetRules([]*rules.RuleSet{def, small}[i%2])
			time.Sleep(100 * time.Microsecond)
		}
	})
	var workers sync.WaitGroup
	for w := range 4 {
		workers.Go(func() {
			for i := range 40 {
				a := articles[(w+i)%len(articles)]
				rec, err := tg.Tag(context.Background(), a)
				if err != nil {
					t.Error(err)
					return
				}
				b, _ := json.Marshal(rec)
				if string(b) != want[rec.Tagger.RulesVersion][a.ID] {
					t.Errorf("article %s under %s differs from the sequential result", a.ID, rec.Tagger.RulesVersion)
					return
				}
			}
		})
	}
	workers.Wait()
	close(stop)
	wg.Wait()
}

func TestProseNER(t *testing.T) {
	if testing.Short() {
		t.Skip("loads prose's model")
	}
	tg := testTagger(t, WithProseNER(true))
	a := Article{Title: "Ferry “Hope” leaves Busan", Body: "Captain Olivia Brennan of Canada sailed from Busan to " +
		"Jeju with Daniel Okafor."}
	rec, err := tg.Tag(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	checkSpans(t, a, rec)
	if !slices.Contains(rec.Canonicals(), EntityKey{"LOCATION", "Busan"}) {
		t.Errorf("gazetteer entity missing: %v", rec.Canonicals())
	}
}

func TestAligner(t *testing.T) {
	text := proseQuotes("Kim’s aide “Lee  Sung-ho” met Lee\nSung-ho's friend.")
	al := aligner{text: text}
	for _, want := range []struct {
		find       string
		start, end int
	}{{"Kim", 0, 3}, {"Lee Sung-ho", 12, 24}, {"Lee Sung-ho", 30, 41}} {
		s, e, ok := al.find(want.find)
		if !ok || s != want.start || e != want.end {
			t.Errorf("find(%q) = %d, %d, %v; want %d, %d", want.find, s, e, ok, want.start, want.end)
		}
	}
	if _, _, ok := al.find("Kim"); ok {
		t.Error("found Kim again after the cursor passed it")
	}
}

func FuzzTag(f *testing.F) {
	f.Add("N. Korea's Kim Jong Un meets Putin", "Security Council Secretary Andrei Volkov met Choi Seong-ho. Choi said.")
	f.Add("", "The Haejin Shipyard’s “Kang Kon” destroyer sailed to Wando Island near the Gangseo area.")
	f.Add("FERRY HALTS", "John F. Kennedy and Olivia M. Brennan. NK News. Ministry of Ocean Affairs and the Bridge")
	f.Add("Ünïcödé Tëst", "Seoul\u2028Busan\x00Ри Сон Чхоль 김정은 e\u0301 Ŏ Kim Jong-un's")
	f.Add("Kim", "Kim Myong-sik. Kim. 'S 's ’s -Kim- Kim-- of the of the And And")
	for _, sh := range textShapes { // the complexity tests' shapes, small
		f.Add(sh.gen(60), sh.gen(4<<10))
	}
	tg := defaultTagger(f)
	f.Fuzz(func(t *testing.T, title, body string) {
		a := Article{Title: title, Body: body}
		rec, err := tg.Tag(context.Background(), a)
		if err != nil {
			t.Fatal(err)
		}
		checkSpans(t, a, rec)
		if _, err := rec.MarshalJSON(); err != nil {
			t.Fatal(err)
		}
	})
}

// Generated benchmark text: sentences built from our own templates and names.
var (
	benchNames = []string{"Kim Jong Un", "Choi Seong-ho", "Mira Castellanos", "Andrei Volkov", "Park Min-jae",
		"Olivia Brennan", "Vladimir Putin", "Lee Jae-myung", "Tomas Lindqvist", "Ri Song-chol"}
	benchPlaces = []string{"Pyongyang", "Seoul", "Moscow", "the Yellow Sea", "Busan", "Wando Island",
		"the Kursk region", "Washington", "the Gangseo area", "Kaesong"}
	benchOrgs = []string{"the Haejin Shipyard", "KCNA", "the Ministry of Ocean Affairs", "the unification ministry",
		"the Harbour Workers Association", "Yonhap", "the Joint Chiefs of Staff", "NK News"}
	benchTemplates = []string{
		"%[1]s said on Tuesday that talks with %[2]s would continue despite objections from %[3]s.",
		"Officials in %[2]s confirmed that %[3]s had delayed the shipment by two weeks.",
		"The announcement came after %[1]s visited %[2]s, according to %[3]s.",
		"Security Council Secretary %[1]s told reporters the missile tests near %[2]s were a warning.",
		"Analysts said the sanctions have hurt trade, and %[3]s expects further leaflet launches across the border.",
		"Still, %[1]s insisted that the nuclear programme was not negotiable, %[3]s reported from %[2]s.",
		"Residents of %[2]s described the drills as louder than last year's, while %[3]s declined to comment.",
		"The 5,000-ton Kang Kon destroyer returned to %[2]s on Monday after repairs by %[3]s.",
	}
)

func genArticle(r *rand.Rand, size int) string {
	var b strings.Builder
	for b.Len() < size {
		fmt.Fprintf(&b, benchTemplates[r.IntN(len(benchTemplates))], benchNames[r.IntN(len(benchNames))],
			benchPlaces[r.IntN(len(benchPlaces))], benchOrgs[r.IntN(len(benchOrgs))])
		if r.IntN(4) == 0 {
			b.WriteString("\n\n")
		} else {
			b.WriteByte(' ')
		}
	}
	return strings.TrimSpace(b.String())
}

func genTitle(r *rand.Rand) string {
	return fmt.Sprintf("%s meets officials in %s", benchNames[r.IntN(len(benchNames))], benchPlaces[r.IntN(len(benchPlaces))])
}

func BenchmarkTag(b *testing.B) {
	for _, bc := range []struct {
		name string
		size int
		opts []Option
	}{
		{"3KB", 3000, nil},
		{"600B", 600, nil},
		{"3KB-nodiscovery", 3000, []Option{WithDiscovery(false)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			tg := defaultTagger(b, bc.opts...)
			r := rand.New(rand.NewPCG(7, uint64(bc.size)))
			articles := make([]Article, 32)
			bytes := 0
			for i := range articles {
				articles[i] = Article{Title: genTitle(r), Body: genArticle(r, bc.size)}
				bytes += len(articles[i].Title) + len(articles[i].Body)
			}
			b.SetBytes(int64(bytes / len(articles)))
			b.ReportAllocs()
			ctx := context.Background()
			i := 0
			for b.Loop() {
				if _, err := tg.Tag(ctx, articles[i%len(articles)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkTokenize compares the discovery tokenizer with prose's (tokenization only, model loaded once).
func BenchmarkTokenize(b *testing.B) {
	text := genArticle(rand.New(rand.NewPCG(1, 2)), 3000)
	b.Run("own", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		b.ReportAllocs()
		var toks []token
		for b.Loop() {
			toks = tokenize(text, toks[:0])
		}
	})
	b.Run("prose", func(b *testing.B) {
		m := proseModel()
		b.SetBytes(int64(len(text)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := prose.NewDocument(text, prose.UsingModel(m), prose.WithTagging(false),
				prose.WithExtraction(false), prose.WithSegmentation(false)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkDiscovery measures discovery alone: the gazetteer mentions come from one Match done beforehand.
func BenchmarkDiscovery(b *testing.B) {
	for _, size := range []int{3000, 600} {
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			rs := defaultTagger(b).Rules()
			r := rand.New(rand.NewPCG(7, uint64(size)))
			type input struct {
				doc rules.Doc
				ms  []rules.Mention
			}
			inputs := make([]input, 32)
			for i := range inputs {
				doc := rules.Doc{Title: genTitle(r), Body: genArticle(r, size)}
				inputs[i] = input{doc, rs.Match(doc).Mentions}
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				in := inputs[i%len(inputs)]
				entities(context.Background(), rs, in.doc, in.ms, true)
				i++
			}
		})
	}
}
