package rules

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// relPack is a small pack for the relevance model: a country label, a subject label and an organization source.
const relPack = `
entities:
  - {canonical: South Korea, type: LOCATION, demonyms: [South Korean]}
  - {canonical: Joint Chiefs of Staff, type: ORGANIZATION, aliases: [JCS]}
  - {canonical: Lee Jae-myung, type: PERSON}
topics:
  - label: south-korea
    threshold: 2
    entities:
      - {any: [South Korea], weight: 1}
      - {any: [Joint Chiefs of Staff, Lee Jae-myung], weight: 2}
  - label: military
    threshold: 2
    terms: [{term: missile, weight: 2}, {term: military, weight: 1}, {term: drill, weight: 1}]
  - label: plain
    threshold: 2
    relevance: {attribution: 1, background: 1, modifier: 1, passing: 1}
    terms: [{term: missile, weight: 2}]
`

func loadRel(t *testing.T, extra string) *RuleSet {
	t.Helper()
	f, errs := Parse("rel.yaml", []byte(relPack+extra))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rs, err := Compile([]*File{f})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func scoreOf(scores []TopicScore, label string) TopicScore {
	for _, s := range scores {
		if s.Label == label {
			return s
		}
	}
	return TopicScore{}
}

func TestSplitSentences(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"One. Two! Three? Four", []string{"One. ", "Two! ", "Three? ", "Four"}},
		{"The U.S. and N. Korea met. Mr. Kim left.", []string{"The U.S. and N. Korea met. ", "Mr. Kim left."}},
		{`He said "yes." Then he left. 3 people came.`, []string{`He said "yes." `, "Then he left. ", "3 people came."}},
		{"It fell 1.5 percent. ok then", []string{"It fell 1.5 percent. ok then"}},
		{"A heading\n\nThe first paragraph", []string{"A heading\n\n", "The first paragraph"}},
		{"", []string{""}},
	} {
		starts := splitSentences(nil, tc.in)
		var got []string
		for i, s := range starts {
			end := len(tc.in)
			if i+1 < len(starts) {
				end = int(starts[i+1])
			}
			got = append(got, tc.in[s:end])
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("splitSentences(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestRelevanceFactors(t *testing.T) {
	rs := loadRel(t, "")
	type ev struct {
		label, text string
		factor      float64
		why         string
	}
	for _, tc := range []struct {
		name, title, body string
		want              []ev
		assigned, not     []string
	}{
		{name: "a source after the hit", title: "Balloons land",
			body: "Balloons landed in parks, the JCS said. They held paper. Officials removed them.",
			want: []ev{{"south-korea", "JCS", 0, "attribution,below min"}}, not: []string{"south-korea"}},
		{name: "according to", title: "Boat arrives",
			body: "A family arrived by boat, according to South Korea's spy agency. They were questioned.",
			want: []ev{{"south-korea", "South Korea", 0, "modifier,attribution,below min"}},
			not:  []string{"south-korea"}},
		{name: "the source reporting its own action", title: "Shots fired",
			body:     "The JCS said it fired warning shots. The intruders left.",
			want:     []ev{{"south-korea", "JCS", 1, ""}},
			assigned: []string{"south-korea"}},
		{name: "a headline source", title: "JCS: artillery fired near the border", body: "Shells fell into the sea.",
			want: []ev{{"south-korea", "JCS", 0, "attribution,below min"}}, not: []string{"south-korea"}},
		{name: "a person's words are the story", title: "Lee speaks",
			body:     "Lee Jae-myung said talks must resume. He spoke in Seoul.",
			want:     []ev{{"south-korea", "Lee Jae-myung", 1, ""}},
			assigned: []string{"south-korea"}},
		{name: "another predicate of the subject", title: "Visit",
			body: "The envoy praised the missile program and said it would grow. Talks ended.",
			want: []ev{{"military", "missile", 1, ""}}},
		{name: "a cause named in passing", title: "Markets fall",
			body: "Stocks fell on Monday amid fears over a missile launch. Banks led the losses. Traders were calm.",
			want: []ev{{"military", "missile", 0.5, "background"}, {"plain", "missile", 1, ""}},
			not:  []string{"military"}, assigned: []string{"plain"}},
		{name: "a demonym modifying a noun", title: "A South Korean band tours Europe", body: "Tickets sold out.",
			want: []ev{{"south-korea", "South Korean", 0, "modifier,below min"}}, not: []string{"south-korea"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scores := rs.Explain(Doc{Title: tc.title, Body: tc.body})
			for _, w := range tc.want {
				sc := scoreOf(scores, w.label)
				i := slices.IndexFunc(sc.Evidence, func(e ScoredEvidence) bool { return e.Text == w.text })
				if i < 0 {
					t.Errorf("%s: no evidence %q in %+v", w.label, w.text, sc)
					continue
				}
				e := sc.Evidence[i]
				if e.Factor != w.factor || strings.Join(e.Why, ",") != w.why {
					t.Errorf("%s %q: factor %v %v, want %v %q", w.label, w.text, e.Factor, e.Why, w.factor, w.why)
				}
			}
			res := rs.Match(Doc{Title: tc.title, Body: tc.body})
			for _, l := range tc.assigned {
				if !slices.ContainsFunc(res.Topics, func(tp Topic) bool { return tp.Label == l }) {
					t.Errorf("%s not assigned: %+v", l, scoreOf(scores, l))
				}
			}
			for _, l := range tc.not {
				if slices.ContainsFunc(res.Topics, func(tp Topic) bool { return tp.Label == l }) {
					t.Errorf("%s assigned: %+v", l, scoreOf(scores, l))
				}
			}
		})
	}
}

func TestRelevancePassing(t *testing.T) {
	rs := loadRel(t, "")
	late := "Visitors came. Hotels were full. Shops were busy. A museum shows an old missile."
	sc := scoreOf(rs.Explain(Doc{Title: "Tourists flock to the island", Body: late}), "military")
	if sc.Assigned || sc.Raw != 1 || len(sc.Notes) != 1 || !strings.HasPrefix(sc.Notes[0], "passing:") {
		t.Errorf("one later sentence: %+v, want raw 1 (2 x passing 0.5) with a passing note", sc)
	}
	// the same word in the lead, or in two later sentences, is not passing
	for _, body := range []string{"A missile museum opened. Visitors came.",
		"Visitors came. Hotels were full. A missile is shown. A military drill is staged."} {
		if sc := scoreOf(rs.Explain(Doc{Title: "Island news", Body: body}), "military"); !sc.Assigned {
			t.Errorf("%q: military not assigned: %+v", body, sc)
		}
	}
	// sentence boundaries from the caller replace the built-in splitter: one sentence, so the lead
	body := "Visitors came. Hotels were full. Shops were busy. A museum shows an old missile."
	if sc := scoreOf(rs.Explain(Doc{Title: "Island", Body: body, Sentences: []int{}}), "military"); !sc.Assigned {
		t.Errorf("caller's sentences: %+v, want the missile in the lead", sc)
	}
}

func TestRelevancePackDefaults(t *testing.T) {
	rs := loadRel(t, "relevance: {attribution: 0, lead: 0}\n")
	sc := scoreOf(rs.Explain(Doc{Title: "Shells fall", Body: "Shells fell, the JCS said. More fell."}), "south-korea")
	if len(sc.Evidence) != 0 || sc.Raw != 0 {
		t.Errorf("attribution 0: %+v, want the attributed mention dropped", sc)
	}
	rs2 := loadRel(t, "relevance: {speech_verbs: [announced]}\n")
	sc = scoreOf(rs2.Explain(Doc{Title: "Shells", Body: "Shells fell, the JCS announced. More fell."}), "south-korea")
	if len(sc.Evidence) != 1 || strings.Join(sc.Evidence[0].Why, ",") != "attribution,below min" {
		t.Errorf("custom speech verbs: %+v", sc)
	}
}

func TestRelevanceValidate(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"relevance: {attribution: 2}\n", "relevance.attribution must be a share between 0 and 1"},
		{"relevance: {min_sentences: 0}\n", "relevance.min_sentences must be a whole number >= 1"},
		{"relevance: {lead: 1.5}\n", "relevance.lead must be a whole number"},
		{"relevance: {title_mentions: 1.5}\n", "relevance.title_mentions must be a whole number"},
		{"relevance: {place: 1.5}\n", "relevance.place must be a share between 0 and 1"},
		{"relevance: {place_prepositions: ['']}\n", "is empty"},
		{"topics:\n  - {label: x, terms: [a], relevance: {place_prepositions: [in]}}\n", `unknown key "place_prepositions"`},
		{"relevance: {speech_verbs: ['']}\n", "is empty"},
		{"relevance: {bogus: 1}\n", `unknown key "bogus"`},
		{"topics:\n  - {label: x, terms: [a], relevance: {speech_verbs: [said]}}\n", `unknown key "speech_verbs"`},
	} {
		f, errs := Parse("bad.yaml", []byte(tc.yaml))
		if len(errs) == 0 {
			errs = Validate(f)
		}
		if !strings.Contains(errs.Error(), tc.want) {
			t.Errorf("%q: errors %v, want %q", tc.yaml, errs, tc.want)
		}
	}
}

func TestRelevanceOneRule(t *testing.T) {
	rs := loadRel(t, "")
	body := "A drill was held. Another drill followed. The last drill ended."
	sc := scoreOf(rs.Explain(Doc{Title: "Village news", Body: body}), "military")
	if sc.Assigned || sc.Raw != 1.5 || len(sc.Notes) != 1 || !strings.HasPrefix(sc.Notes[0], "one_rule:") {
		t.Errorf("one weak rule three times: %+v, want raw 1.5 (3 x 0.5) with a one_rule note", sc)
	}
	if sc := scoreOf(rs.Explain(Doc{Title: "News", Body: "A drill was held. The military drill ended."}), "military"); !sc.Assigned {
		t.Errorf("two rules: %+v, want assigned", sc)
	}
	if sc := scoreOf(rs.Explain(Doc{Title: "News", Body: "A missile flew. Another missile fell."}), "military"); !sc.Assigned {
		t.Errorf("one strong rule: %+v, want assigned", sc)
	}
}

// subjPack is a pack for the factors that ask who the subject is: place, object, shared and title_mentions.
const subjPack = `
entities:
  - {canonical: Russia, type: LOCATION, demonyms: [Russian]}
topics:
  - label: russia
    threshold: 2
    relevance: {place: 0.5, object: 0.5, title_mentions: 1, one_rule: 1, modifier: 1}
    entities:
      - {any: [Russia], weight: 1}
      - {any: [Russia], min: 2, weight: 1}
  - label: loose
    threshold: 2
    relevance: {one_rule: 1}
    entities:
      - {any: [Russia], weight: 1}
      - {any: [Russia], min: 2, weight: 1}
  - label: weak
    threshold: 2
    relevance: {shared: 0.5}
    terms: [{term: defector, weight: 1}]
  - label: rights
    threshold: 2
    terms: [{term: defector, weight: 2}]
`

func TestRelevanceSubject(t *testing.T) {
	f, errs := Parse("subj.yaml", []byte(subjPack))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rs, err := Compile([]*File{f})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, label, title, body, text string
		factor                         float64
		why                            string
	}{
		{"a place", "russia", "Balloons", "Balloons landed in Russia and fell in Russia.", "Russia", 0.5, "place"},
		{"a place after an article", "russia", "Trip", "They flew to the Russia of old, to the Russia of tsars.", "Russia", 0.5, "place"},
		{"an object", "russia", "Final", "Ukraine beat Russia, then Japan beat Russia.", "Russia", 0.5, "object"},
		{"the subject", "russia", "Shells", "Russia fired shells.", "Russia", 1, ""},
		{"a subject after a clause opener", "russia", "Shells", "Officials said that Russia fired shells.", "Russia", 1, ""},
		{"a subject after a comma", "russia", "Shells", "On Monday, Russia fired shells.", "Russia", 1, ""},
		{"a party", "russia", "Treaty", "They signed a treaty with Russia.", "Russia", 1, ""},
		{"a demonym after a preposition is an object", "russia", "Prices", "Prices rose in Russian markets and in Russian shops.", "Russian", 0.5, "object"},
		{"factors off", "loose", "Final", "Ukraine beat Russia in Russia.", "Russia", 1, ""},
		{"another label's word", "weak", "Talk", "A defector spoke.", "defector", 0.5, "shared"},
		{"the strongest label keeps its word", "rights", "Talk", "A defector spoke.", "defector", 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := scoreOf(rs.Explain(Doc{Title: tc.title, Body: tc.body}), tc.label)
			i := slices.IndexFunc(sc.Evidence, func(e ScoredEvidence) bool { return e.Text == tc.text })
			if i < 0 {
				t.Fatalf("no evidence %q in %+v", tc.text, sc)
			}
			if e := sc.Evidence[i]; e.Factor != tc.factor || strings.Join(e.Why, ",") != tc.why {
				t.Errorf("%q: factor %v %v, want %v %q", tc.text, e.Factor, e.Why, tc.factor, tc.why)
			}
		})
	}
	// (each case has two mentions: one kept at 0.5 is half a mention, short of min 1)
	// title_mentions: 1 makes a title mention one mention, short of min 2; by default it satisfies any min
	doc := Doc{Title: "Russia theatre tours Asia", Body: "Tickets sold out."}
	if sc := scoreOf(rs.Explain(doc), "russia"); sc.Assigned || sc.Raw != 1 {
		t.Errorf("title_mentions 1: %+v, want raw 1 (min 2 not met)", sc)
	}
	if sc := scoreOf(rs.Explain(doc), "loose"); !sc.Assigned || sc.Raw != 2 {
		t.Errorf("title satisfies any min: %+v, want raw 2", sc)
	}
	if sc := scoreOf(rs.Explain(Doc{Title: "Russia warns", Body: "Russia fired shells."}), "russia"); !sc.Assigned {
		t.Errorf("title and body mention: %+v, want assigned", sc)
	}
}

// TestSkipToStop compares skipToStop with a byte-at-a-time scan on random strings of stops, near misses (bytes
// one off a stop) and high bytes, from every start.
func TestSkipToStop(t *testing.T) {
	alphabet := []byte(".!?\n-/ >@\t\x0b a\x80\xae\xbf\xff")
	rng := rand.New(rand.NewPCG(5, 6))
	for iter := 0; iter < 2000; iter++ {
		b := make([]byte, rng.IntN(40))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
			if rng.IntN(3) > 0 {
				b[i] = 'x'
			}
		}
		s := string(b)
		for from := 0; from <= len(s); from++ {
			want := from
			for want < len(s) && !sentenceByte[s[want]] {
				want++
			}
			if got := skipToStop(s, from); got != want {
				t.Fatalf("skipToStop(%q, %d) = %d, want %d", s, from, got, want)
			}
		}
	}
}
