package rules

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Kim Jong-un's", "kim jong un s"},
		{"KIM JONG-UN", "kim jong un"},
		{"N. Korea", "n korea"},
		{"  --Pyŏngyang!! ", "pyongyang"},
		{"Pyo\u0306ngyang", "pyongyang"}, // decomposed breve
		{"Straße, Øresund, Łódź", "strasse oresund lodz"},
		{"anti-American", "anti american"},
		{"“Quoted”—dash…", "quoted dash"},
		{"Москва́ 2024", "москва 2024"},
		{"평양 방송", "평양 방송"},
		{"already folded", "already folded"},
		{"", ""},
		{"...", ""},
	} {
		if got := Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := foldCase("U.S."); got != "U S" {
		t.Errorf("foldCase(U.S.) = %q", got)
	}
}

// TestFoldedMaps checks the internal maps of a folded field against the original text.
func TestFoldedMaps(t *testing.T) {
	var f folded
	for _, s := range []string{"Kim Jong-un's visit", "Pyŏngyang — 평양, Straße!", "", "  ", "a", "x\u0301y z",
		"a ,b", "(Seoul) said: \"the “North” — and [a] South\"; x.", "x\u0301, \u0301y, – z”", ", , a"} {
		f.fold(s)
		if f.nRunes() != utf8.RuneCountInString(s) {
			t.Errorf("%q: %d runes mapped, want %d", s, f.nRunes(), utf8.RuneCountInString(s))
		}
		if got, want := strings.TrimSpace(string(f.text)), Fold(s); got != want {
			t.Errorf("%q: folded text %q, Fold gives %q", s, got, want)
		}
		if len(f.byteRune) != len(f.text) {
			t.Fatalf("%q: byteRune has %d entries for %d bytes", s, len(f.byteRune), len(f.text))
		}
		if want := int32(len(strings.Fields(string(f.text)))); f.nWords != want {
			t.Errorf("%q: %d words, want %d", s, f.nWords, want)
		}
		starts, clauses := naiveWords(&f)
		if !slices.Equal(f.wordStart, starts) || !slices.Equal(f.wordClause, clauses) {
			t.Errorf("%q: word starts %v, clauses %v; want %v, %v", s, f.wordStart, f.wordClause, starts, clauses)
		}
	}
}

// naiveWords computes the word starts and clause numbers of a folded field from its text and maps, as
// fieldWords did before folding kept them.
func naiveWords(f *folded) (starts, clauses []int32) {
	for i := 1; i < len(f.text); i++ {
		if f.text[i-1] == ' ' && f.text[i] != ' ' {
			starts = append(starts, int32(i))
		}
	}
	starts = append(starts, int32(len(f.text)))
	clauses = make([]int32, f.nWords)
	clause, last := int32(0), int32(-1)
	for ri, r := range []rune(f.src) {
		if clauseBreak(r) {
			clause++
			continue
		}
		if wi := f.runeWord[ri]; wi != last && wi < f.nWords {
			clauses[wi], last = clause, wi
		}
	}
	return starts, clauses
}

func loadEngine(t testing.TB) *RuleSet {
	t.Helper()
	p, err := LoadPath("testdata/engine.good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return p.Rules
}

// checkSpans verifies every span of r against doc: within bounds, in code points, and Text equal to the span.
func checkSpans(t testing.TB, doc Doc, r Result) {
	t.Helper()
	field := func(f Field) []rune {
		if f == Title {
			return []rune(doc.Title)
		}
		return []rune(doc.Body)
	}
	chk := func(what, text string, s Span) {
		rs := field(s.Field)
		if s.Start < 0 || s.End > len(rs) || s.Start >= s.End {
			t.Errorf("%s %q: span %+v out of bounds (field has %d code points)", what, text, s, len(rs))
			return
		}
		if got := string(rs[s.Start:s.End]); got != text {
			t.Errorf("%s: span %+v holds %q, Text is %q", what, s, got, text)
		}
	}
	for _, m := range r.Mentions {
		chk("mention", m.Text, m.Span)
	}
	for _, tp := range r.Topics {
		for _, e := range tp.Evidence {
			chk("evidence "+e.Rule, e.Text, e.Span)
		}
	}
}

func mentionStrings(r Result) []string {
	var out []string
	for _, m := range r.Mentions {
		s := fmt.Sprintf("%s:%s:%s", m.Field, m.Entity.Canonical, m.Text)
		if m.Demonym {
			s += ":d"
		}
		if m.Implied {
			s += ":i"
		}
		out = append(out, s)
	}
	return out
}

func TestMatchMentions(t *testing.T) {
	rs := loadEngine(t)
	for _, tc := range []struct {
		name        string
		title, body string
		want        []string
	}{
		{"folding and case", "KIM JONG-UN visits", "Kim Jong Un and kim jong-un's aide",
			[]string{"title:Kim Jong-un:KIM JONG-UN", "body:Kim Jong-un:Kim Jong Un", "body:Kim Jong-un:kim jong-un"}},
		{"person joined hyphen", "", "Kim Jongun arrived.", []string{"body:Kim Jong-un:Kim Jongun"}},
		{"punctuation in alias", "", "Officials in N Korea and N.Korea", []string{"body:North Korea:N Korea", "body:North Korea:N.Korea"}},
		{"word boundaries", "", "The DPRKs and xDPRK are not words; anti-American is.",
			[]string{"body:United States:American:d"}},
		{"demonym plural", "", "North Koreans and Americans", []string{"body:North Korea:North Koreans:d", "body:United States:Americans:d"}},
		{"demonym no other suffix", "", "Americana and Russianness", nil},
		{"longest wins", "", "the North Korean side and the Russian Security Council's view",
			[]string{"body:North Korea:North Korean:d", "body:Russian Security Council:Russian Security Council",
				"body:Russia:Russian Security Council:i"}},
		{"exact case", "US envoy", "Let us see: the U.S. and the U.S and NK, not nk or Us.",
			[]string{"title:United States:US", "body:United States:U.S", "body:United States:U.S", "body:North Korea:NK"}},
		{"diacritics", "", "In Pyŏngyang and PYONGYANG", []string{"body:Pyongyang:Pyŏngyang", "body:Pyongyang:PYONGYANG"}},
		{"code points before", "", "🙂🙂 Pyongyang — 평양 DPRK", []string{"body:Pyongyang:Pyongyang", "body:North Korea:DPRK"}},
		{"ambiguous first listed", "", "Georgia hosted talks.", []string{"body:Georgia:Georgia"}},
		{"ambiguous resolved by context", "", "Georgia officials said the State of Georgia would vote.",
			[]string{"body:Georgia (US state):Georgia", "body:Georgia (US state):State of Georgia"}},
		{"ambiguous: first listed when nothing decides; a generic alias implies no country", "", "The defense ministry said so.",
			[]string{"body:Ministry of Defense of Georgia:defense ministry"}},
		{"ambiguous: resolved by the country it implies", "", "Russian troops moved, the defense ministry said.",
			[]string{"body:Russia:Russian:d", "body:Ministry of Defence of Russia:defense ministry"}},
		{"ambiguous: the nearest preceding country decides", "",
			"Russian jets flew over Georgia, whose defense ministry protested; Georgia, the defense ministry said, would not yield.",
			[]string{"body:Russia:Russian:d", "body:Georgia:Georgia", "body:Ministry of Defense of Georgia:defense ministry", "body:Georgia:Georgia", "body:Ministry of Defense of Georgia:defense ministry"}},
		{"ambiguous: a country mentioned only after does not decide", "", "The defense ministry said Russian jets flew.",
			[]string{"body:Ministry of Defense of Georgia:defense ministry", "body:Russia:Russian:d"}},
		{"ambiguous: when nothing nearby decides, the title's country does", "Russian general jailed",
			"A court jailed him. " + strings.Repeat("The case lasted months. ", 8) + "He had served at the defense ministry.",
			[]string{"title:Russia:Russian:d", "body:Ministry of Defence of Russia:defense ministry"}},
		{"ambiguous: a country implied in the title decides too", "Russian Security Council meets",
			"A court jailed him. " + strings.Repeat("The case lasted months. ", 8) + "He had served at the defense ministry.",
			[]string{"title:Russian Security Council:Russian Security Council", "title:Russia:Russian Security Council:i",
				"body:Ministry of Defence of Russia:defense ministry"}},
		{"ambiguous: a title country does not outvote one nearby", "Russian general jailed",
			"He had served in Georgia, at the defense ministry.",
			[]string{"title:Russia:Russian:d", "body:Georgia:Georgia", "body:Ministry of Defense of Georgia:defense ministry"}},
		{"a possessive's s starts no alias", "", "Pyongyang's Korean media and Russia's Korean desk, not the S. Korean side.",
			[]string{"body:Pyongyang:Pyongyang", "body:Russia:Russia", "body:South Korea:S. Korean:d"}},
		{"a possessive's s starts no alias: curly apostrophe and a longer alias", "", "Busan’s Korean Bakers Union",
			nil},
		{"ambiguous: the owner right before wins over an unambiguous mention", "",
			"The Ministry of Defense of Georgia spoke. Russia's defense ministry replied.",
			[]string{"body:Ministry of Defense of Georgia:Ministry of Defense of Georgia", "body:Georgia:Ministry of Defense of Georgia:i",
				"body:Russia:Russia", "body:Ministry of Defence of Russia:defense ministry"}},
		{"ambiguous: an adjective right before is an owner", "", "Georgia hosted talks. The Russian defense ministry spoke.",
			[]string{"body:Georgia:Georgia", "body:Russia:Russian:d", "body:Ministry of Defence of Russia:defense ministry"}},
		{"ambiguous: an owners phrase decides, not the nearest country", "",
			"Georgia hosted talks. The Kremlin's defense ministry and Moscow's defense ministry spoke.",
			[]string{"body:Georgia:Georgia", "body:Ministry of Defence of Russia:defense ministry",
				"body:Ministry of Defence of Russia:defense ministry"}},
		{"apostrophe names", "", "the Democratic People’s Republic of Korea", []string{"body:North Korea:Democratic People’s Republic of Korea"}},
		{"empty", "", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := Doc{Title: tc.title, Body: tc.body}
			r := rs.Match(doc)
			checkSpans(t, doc, r)
			if got := mentionStrings(r); !slices.Equal(got, tc.want) {
				t.Errorf("mentions\n got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func score(raw, threshold float64) float64 { return 1 - math.Pow(0.5, raw/threshold) }

func TestMatchTopics(t *testing.T) {
	rs := loadEngine(t)
	type want struct {
		raw   float64 // evidence the rules give, worked out by hand from engine.good.yaml
		rules []string
	}
	for _, tc := range []struct {
		name        string
		title, body string
		want        map[string]want // label -> expected; labels not listed must not be assigned
	}{
		{"inflections", "", "Leaflets, leafleting and leafleted; balloons.",
			map[string]want{"leaflets": {4, []string{"leaflets/terms/leaflet", "leaflets/terms/leaflet", "leaflets/terms/leaflet", "leaflets/terms/balloon"}}}},
		{"no false inflection", "", "leafletx and balloonist and leafletted", nil},
		{"below threshold", "", "One leaflet.", nil},
		{"title weight", "A leaflet", "A balloon.",
			map[string]want{"leaflets": {3, []string{"leaflets/terms/leaflet", "leaflets/terms/balloon"}}}},
		{"one weak rule alone keeps half (relevance one_rule)", "A leaflet", "", nil},
		{"longest term in topic", "", "A propaganda balloon flew.",
			map[string]want{"leaflets": {2, []string{"leaflets/terms/propaganda balloon"}}}},
		{"near", "", "A leaflet crossed the border.",
			map[string]want{"leaflets": {2, []string{"leaflets/terms/leaflet", "leaflets/near/0"}}}},
		{"near entity by alias", "", "A leaflet drifted into the DPRK.",
			map[string]want{"leaflets": {2, []string{"leaflets/terms/leaflet", "leaflets/near/0"}}}},
		{"near too far", "", "A leaflet, as everyone can see here, crossed the border.", nil},
		{"unless", "", "The patient leaflet and another leaflet.", nil},
		{"unless only nearby", "", "A patient waited. " + strings.Repeat("word ", 10) + "A leaflet and a balloon.",
			map[string]want{"leaflets": {2, []string{"leaflets/terms/leaflet", "leaflets/terms/balloon"}}}},
		{"prefix term", "", "Denuclearization and denuclearize.",
			map[string]want{"nuclear": {4, []string{"nuclear/terms/denucleariz*", "nuclear/terms/denucleariz*"}}}},
		{"case term", "", "NK warhead; nk warheads.",
			map[string]want{"nuclear": {3, []string{"nuclear/terms/NK", "nuclear/terms/warhead", "nuclear/terms/warhead"}}}},
		{"title weight 3 and pattern", "Warhead", "A 15 kilotons yield; ½ 2 kiloton test.",
			map[string]want{"nuclear": {7, []string{"nuclear/terms/warhead", "nuclear/patterns/0", "nuclear/patterns/0"}}}},
		{"entity condition min", "", "Summit: North Korea, the DPRK and America met for talks.",
			map[string]want{"diplomacy": {3, []string{"diplomacy/terms/summit", "diplomacy/terms/talks", "diplomacy/entities/0"}}}},
		{"entity condition in title", "Talks in the DPRK", "",
			map[string]want{"diplomacy": {3, []string{"diplomacy/terms/talks", "diplomacy/entities/0"}}}},
		{"entity condition not met", "", "Summit talks in the DPRK.",
			map[string]want{"diplomacy": {2, []string{"diplomacy/terms/summit", "diplomacy/terms/talks"}}}},
		{"requires not met", "", "Summit talks in America.", nil},
		{"implied mentions count", "", "The Russian Security Council met; later the Russian Security Council spoke.",
			map[string]want{"russia-watch": {1, []string{"russia-watch/entities/0"}}}},
		{"demonyms count", "", "Russian and Russian officials.",
			map[string]want{"russia-watch": {1, []string{"russia-watch/entities/0"}}}},
		{"one mention is not enough", "", "A Russian official.", nil},
		{"a demonym in the title modifies a noun: half, not the title rule", "North Korean band", "Summit talks.",
			map[string]want{"diplomacy": {2, []string{"diplomacy/terms/summit", "diplomacy/terms/talks"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := Doc{Title: tc.title, Body: tc.body}
			r := rs.Match(doc)
			checkSpans(t, doc, r)
			got := map[string]Topic{}
			for _, tp := range r.Topics {
				got[tp.Label] = tp
			}
			for label, w := range tc.want {
				tp, ok := got[label]
				if !ok {
					t.Errorf("label %s not assigned; got %+v", label, r.Topics)
					continue
				}
				thr := map[string]float64{"leaflets": 2, "nuclear": 2, "diplomacy": 2, "russia-watch": 1}[label]
				if math.Abs(tp.Score-score(w.raw, thr)) > 1e-9 {
					t.Errorf("%s: score %v, want %v (raw %v)", label, tp.Score, score(w.raw, thr), w.raw)
				}
				var rules []string
				for _, e := range tp.Evidence {
					rules = append(rules, e.Rule)
				}
				if !slices.Equal(rules, w.rules) {
					t.Errorf("%s: evidence %q, want %q", label, rules, w.rules)
				}
			}
			for label := range got {
				if _, ok := tc.want[label]; !ok {
					t.Errorf("unexpected label %s: %+v", label, got[label])
				}
			}
		})
	}
}

func TestTopicOrderAndScore(t *testing.T) {
	f, errs := Parse("order.yaml", []byte(`
topics:
  - {label: b-topic, threshold: 1, terms: [rain]}
  - {label: a-topic, threshold: 1, terms: [rain]}
  - {label: c-topic, threshold: 4, terms: [rain]}
  - {label: d-topic, threshold: 1, terms: [rain, snow]}
`))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rs, err := Compile([]*File{f})
	if err != nil {
		t.Fatal(err)
	}
	r := rs.Match(Doc{Body: "rain and snow"})
	var got []string
	for _, tp := range r.Topics {
		got = append(got, fmt.Sprintf("%s=%.4f", tp.Label, tp.Score))
	}
	want := []string{"d-topic=0.7500", "a-topic=0.5000", "b-topic=0.5000"}
	if !slices.Equal(got, want) {
		t.Errorf("topics %v, want %v", got, want)
	}
}

func TestLookupAndDiscovery(t *testing.T) {
	rs := loadEngine(t)
	for _, tc := range []struct{ name, want string }{
		{"north korea", "North Korea"},
		{"dprk", "North Korea"},
		{"D.P.R.K", ""}, // folds to "d p r k", a different alias
		{"North Koreans", "North Korea"},
		{"Kim Jongun", "Kim Jong-un"},
		{"U.S.", "United States"},
		{"Georgia", "Georgia"},
		{"us", ""},
		{"Atlantis", ""},
	} {
		e, ok := rs.Lookup(tc.name)
		got := ""
		if ok {
			got = e.Canonical
		}
		if got != tc.want {
			t.Errorf("Lookup(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	d := rs.Discovery()
	checks := []struct {
		got  bool
		what string
	}{
		{d.IsTitle("GEN."), "IsTitle(GEN.)"},
		{d.IsTitle("president"), "IsTitle(president)"},
		{!d.IsTitle("General"), "!IsTitle(General)"},
		{d.OrganizationCue("Ministry"), "OrganizationCue"},
		{d.LocationCue("province"), "LocationCue"},
		{d.PersonCue("said"), "PersonCue"},
		{d.IsStopword("MONDAY"), "IsStopword"},
		{d.IsIgnored("Korean  war"), "IsIgnored"},
		{!d.IsIgnored("Korean"), "!IsIgnored(Korean)"},
		{!(Discovery{}).IsTitle("President"), "zero Discovery"},
	}
	for _, c := range checks {
		if !c.got {
			t.Errorf("%s failed", c.what)
		}
	}
	if got := d.Len(); got != 8 {
		t.Errorf("Discovery.Len() = %d, want 8", got)
	}
	for _, tc := range []struct {
		s    string
		want Lists
	}{
		{"Gen.", Titles}, {"MINISTRY", OrganizationCues}, {"said", PersonCues}, {"korean war", Ignored},
		{"Province", LocationCues}, {"Monday", Stopwords}, {"General", 0}, {"Pyŏngyang", 0},
	} {
		if got := d.Lists(tc.s); got != tc.want {
			t.Errorf("Lists(%q) = %b, want %b", tc.s, got, tc.want)
		}
	}
}

// BenchmarkDiscoveryLists compares one Lists call with the six list tests it replaces (what the tagger memoized).
func BenchmarkDiscoveryLists(b *testing.B) {
	rs, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	d := rs.Discovery()
	words := []string{"President", "Ministry", "said", "Monday", "Korean War", "Pyongyang", "the", "Gen."}
	b.Run("Lists", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			_ = d.Lists(words[i%len(words)])
		}
	})
	b.Run("six-tests", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			w := words[i%len(words)]
			_ = d.IsTitle(w) || d.OrganizationCue(w) || d.LocationCue(w) || d.PersonCue(w) || d.IsStopword(w) || d.IsIgnored(w)
		}
	})
}

func TestFoldInto(t *testing.T) {
	var buf [16]byte
	for _, s := range []string{"Gen.", "  Korean -- War ", "North Korea's", "", "...", "abcdefghijklmnop", "a b c d e f g h i"} {
		n, ok := foldInto(buf[:], s)
		if want := Fold(s); ok != (len(want) <= len(buf)) || ok && string(buf[:n]) != want {
			t.Errorf("foldInto(%q) = %q, %v; Fold gives %q", s, buf[:n], ok, want)
		}
	}
	if _, ok := foldInto(buf[:], "Pyŏngyang"); ok {
		t.Error("foldInto accepted non-ASCII")
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	rs := loadEngine(t)
	d := rs.Discovery()
	allocs := testing.AllocsPerRun(100, func() {
		rs.Lookup("North Korea")
		d.IsTitle("President")
		d.IsStopword("Monday")
		d.Lists("Korean War")
	})
	if allocs != 0 {
		t.Errorf("Lookup and Discovery allocate %v times per call", allocs)
	}
}

func TestRunExamples(t *testing.T) {
	f, errs := Parse("ex.yaml", []byte(`
topics:
  - {label: rain, terms: [rain]}
entities:
  - {canonical: Seoul, type: LOCATION}
examples:
  - name: passes
    body: rain in Seoul
    want: [rain, "LOCATION:seoul"]
  - name: fails
    body: rain
    want: ["LOCATION:Seoul"]
    not: [rain]
`))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rs, err := Compile([]*File{f})
	if err != nil {
		t.Fatal(err)
	}
	fails := RunExamples(rs, nil)
	if len(fails) != 1 || fails[0].Example.Name != "fails" {
		t.Fatalf("failures %v, want only the example named fails", fails)
	}
	if got, want := fails[0].Error(), `ex.yaml:10:5: example "fails": missing LOCATION:Seoul; unexpected rain`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	// A custom tagger that finds nothing fails the first example too.
	fails = RunExamples(rs, func(Doc) ([]string, []string) { return nil, nil })
	if len(fails) != 2 {
		t.Errorf("with an empty tagger: %d failures, want 2", len(fails))
	}
}

// TestLeftmostLongestAgainstNaive compares entity mentions with a word-level reference implementation on random
// texts, which guards the automaton, the boundary checks and the selection together.
func TestLeftmostLongestAgainstNaive(t *testing.T) {
	vocab := []string{"ka", "kab", "ab", "ba", "bab", "aka", "kaba", "b"}
	rng := rand.New(rand.NewPCG(1, 2))
	phrase := func(n int) []string {
		p := make([]string, n)
		for i := range p {
			p[i] = vocab[rng.IntN(len(vocab))]
		}
		return p
	}
	var sb strings.Builder
	sb.WriteString("entities:\n")
	aliases := map[string]int{}
	for i := 0; i < 40; i++ {
		a := strings.Join(phrase(1+rng.IntN(3)), " ")
		if _, ok := aliases[a]; ok {
			continue
		}
		aliases[a] = len(aliases)
		fmt.Fprintf(&sb, "  - {canonical: %q, type: LOCATION}\n", a)
	}
	f, errs := Parse("rand.yaml", []byte(sb.String()))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rs, err := Compile([]*File{f})
	if err != nil {
		t.Fatal(err)
	}
	for iter := 0; iter < 300; iter++ {
		words := phrase(1 + rng.IntN(30))
		seps := []string{" ", "-", ", ", "'", " — "}
		var text strings.Builder
		glued := make([]bool, len(words)) // an apostrophe joins word i to the one before: no name starts there
		for i, w := range words {
			if i > 0 {
				sep := seps[rng.IntN(len(seps))]
				glued[i] = sep == "'"
				text.WriteString(sep)
			}
			if rng.IntN(4) == 0 {
				w = strings.ToUpper(w)
			}
			text.WriteString(w)
		}
		var want []string
		for i := 0; i < len(words); {
			best := 0
			for k := 3; k >= 1 && !glued[i]; k-- {
				if i+k <= len(words) {
					if _, ok := aliases[strings.Join(words[i:i+k], " ")]; ok {
						best = k
						break
					}
				}
			}
			if best == 0 {
				i++
				continue
			}
			want = append(want, strings.Join(words[i:i+best], " "))
			i += best
		}
		doc := Doc{Body: text.String()}
		r := rs.Match(doc)
		checkSpans(t, doc, r)
		var got []string
		for _, m := range r.Mentions {
			got = append(got, m.Entity.Canonical)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("text %q:\n got %q\nwant %q", text.String(), got, want)
		}
	}
}

func TestConcurrentMatch(t *testing.T) {
	rs := loadEngine(t)
	doc := Doc{Title: "Leaflets", Body: "Balloons with leaflets crossed the border into North Korea."}
	want := rs.Match(doc)
	done := make(chan Result)
	for range 8 {
		go func() {
			var r Result
			for range 50 {
				r = rs.Match(doc)
			}
			done <- r
		}()
	}
	for range 8 {
		r := <-done
		if fmt.Sprint(r) != fmt.Sprint(want) {
			t.Fatalf("concurrent result differs:\n%v\n%v", r, want)
		}
	}
}

func TestInflections(t *testing.T) {
	f, errs := Parse("infl.yaml", []byte(`
topics:
  - label: rate
    threshold: 0.001
    terms: [rate]
  - label: sanctuary
    threshold: 0.001
    terms: [sanctuary]
  - label: ship
    threshold: 0.001
    terms: [ship]
  - label: denuclearize
    threshold: 0.001
    terms: [denuclearize]
  - label: box
    threshold: 0.001
    terms: [box]
  - label: war
    threshold: 0.001
    terms: [war]
  - label: prefix
    threshold: 0.001
    terms: [sanction*]
`))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rs, err := Compile([]*File{f})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		label string
		yes   []string
		no    []string
	}{
		{"rate", []string{"rate", "rates", "rated", "rating", "Rate's"}, []string{"rat", "rateing", "rateed", "ratex", "berate"}},
		{"sanctuary", []string{"sanctuary", "sanctuaries", "sanctuaried", "sanctuarying"}, []string{"sanctuar", "sanctuaryed"}},
		{"ship", []string{"ship", "ships", "shipping", "shipped", "shiping", "shiped"}, []string{"shipp", "shipps", "shipment", "worship"}},
		{"denuclearize", []string{"denuclearize", "denuclearizes", "denuclearized", "denuclearizing"}, []string{"denucleariz", "denuclearizeing", "denuclearization"}},
		{"box", []string{"box", "boxes", "boxed", "boxing"}, []string{"boxx", "boxxing", "boxd"}},
		{"war", []string{"war", "wars", "warring", "warred"}, []string{"ward", "warded", "wares", "sward"}},
		{"prefix", []string{"sanction", "sanctions", "sanctioned", "sanctionable"}, []string{"sanctio", "unsanctioned"}},
	} {
		for _, w := range tc.yes {
			if !slices.ContainsFunc(rs.Match(Doc{Body: "x " + w + " y"}).Topics, func(tp Topic) bool { return tp.Label == tc.label }) {
				t.Errorf("term %s does not match %q", tc.label, w)
			}
		}
		for _, w := range tc.no {
			if slices.ContainsFunc(rs.Match(Doc{Body: "x " + w + " y"}).Topics, func(tp Topic) bool { return tp.Label == tc.label }) {
				t.Errorf("term %s matches %q", tc.label, w)
			}
		}
	}
}
