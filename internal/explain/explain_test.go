package explain

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

const testPack = `
entities:
  - canonical: North Korea
    type: LOCATION
    aliases: [DPRK]
    demonyms: [North Korean]
topics:
  - label: military
    threshold: 4
    title_weight: 2
    terms:
      - missile
      - {term: drill, weight: 3}
  - label: leaflets
    threshold: 2
    terms: [leaflet]
    requires:
      any: [border]
`

func tagWith(t *testing.T, p *Pack, title, body string) (*tagger.Record, Explanation) {
	t.Helper()
	tg, err := tagger.New(p.Rules, tagger.WithDiscovery(false))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := tg.Tag(context.Background(), tagger.Article{Title: title, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return rec, p.Explain(rules.Doc{Title: title, Body: body}, rec)
}

func TestExplain(t *testing.T) {
	p, errs := ParseFiles(map[string]string{"pack.yaml": testPack})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	tests := []struct {
		name, title, body string
		want              []Score // Label, Assigned, Raw, Blocked; evidence checked by count and decisive rules
		decisive          []string
	}{
		{"title counts double", "Missile drill", "", []Score{{Label: "military", Assigned: true, Raw: 8}}, nil},
		{"one rule decides", "", "A drill and a missile.", []Score{{Label: "military", Assigned: true, Raw: 4}},
			[]string{"military/terms/drill", "military/terms/missile"}},
		{"under the threshold", "", "A missile, and a leaflet.", []Score{{Label: "leaflets", Raw: 1}, {Label: "military", Raw: 1}}, nil},
		{"blocked by requires", "", "A leaflet, a leaflet.", []Score{{Label: "leaflets", Raw: 2, Blocked: true}}, nil},
		{"below the near-miss share", "", "A quiet day.", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ex := tagWith(t, p, tt.title, tt.body)
			if len(ex.Scores) != len(tt.want) {
				t.Fatalf("scores %+v, want %d", ex.Scores, len(tt.want))
			}
			for i, w := range tt.want {
				g := ex.Scores[i]
				if g.Label != w.Label || g.Assigned != w.Assigned || g.Blocked != w.Blocked || abs(g.Raw-w.Raw) > 1e-6 {
					t.Errorf("score %d = %+v, want %+v", i, g, w)
				}
				var sum float64
				for _, e := range g.Evidence {
					sum += e.Counted
				}
				if abs(sum-w.Raw) > 1e-6 {
					t.Errorf("%s: evidence counts sum to %v, raw %v", g.Label, sum, w.Raw)
				}
			}
			var decisive []string
			for _, s := range ex.Scores {
				for _, e := range s.Evidence {
					if e.Decisive {
						decisive = append(decisive, e.Rule)
					}
				}
			}
			if strings.Join(decisive, ",") != strings.Join(tt.decisive, ",") && tt.decisive != nil {
				t.Errorf("decisive %v, want %v", decisive, tt.decisive)
			}
		})
	}
}

func TestRuleHitsAliases(t *testing.T) {
	p, errs := ParseFiles(map[string]string{"pack.yaml": testPack})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rec, ex := tagWith(t, p, "", "The DPRK said North Koreans and the DPRK agreed.")
	hits := p.RuleHits(rec, ex)
	got := map[string]int{}
	for _, h := range hits {
		got[h.Rule] = h.Hits
		if h.Entity != nil && h.Decisive {
			t.Errorf("%s is decisive, but two aliases produced North Korea", h.Rule)
		}
	}
	if got["gazetteer/North Korea/aliases/DPRK"] != 2 || got["gazetteer/North Korea/demonyms/North Korean"] != 1 {
		t.Errorf("alias hits %v", got)
	}
	ids := strings.Join(p.RuleIDs(), " ")
	for _, id := range []string{"military/terms/drill", "leaflets/terms/leaflet", "gazetteer/North Korea/aliases/DPRK"} {
		if !strings.Contains(ids, id) {
			t.Errorf("RuleIDs lacks %s: %s", id, ids)
		}
	}
}

func TestParseFilesErrors(t *testing.T) {
	_, errs := ParseFiles(map[string]string{"a.yaml": "topics:\n  - label: x\n    treshold: 2\n"})
	found := false
	for _, e := range errs {
		found = found || e.Pos.File == "a.yaml" && e.Pos.Line == 3 && e.Pos.Col == 5 && e.Code == rules.CodeUnknownKey
	}
	if !found {
		t.Fatalf("no unknown_key at a.yaml:3:5 in %v", errs)
	}
}

func TestLoadDefault(t *testing.T) {
	p, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	def, _ := rules.Default()
	if p.Rules.Version() != def.Version() {
		t.Errorf("version %s, embedded %s", p.Rules.Version(), def.Version())
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// FuzzParseFiles checks that any pack that rules compiles also builds a Pack (the probe never fails on its
// own), that explaining never panics, and that no assigned label comes without evidence.
func FuzzParseFiles(f *testing.F) {
	f.Add(testPack, "The DPRK held a missile drill near the border; leaflet.")
	f.Add("topics:\n  - label: x\n    threshold: 1e-320\n    terms: [a]\n", "a a a")
	f.Add("entities:\n  - {canonical: A B, type: PERSON, aliases: [AB]}\n", "A B met AB.")
	f.Fuzz(func(t *testing.T, src, body string) {
		file, errs := rules.Parse("p.yaml", []byte(src))
		_, cerr := rules.Compile([]*rules.File{file})
		p, perrs := ParseFiles(map[string]string{"p.yaml": src})
		if (cerr == nil) != (len(perrs) == 0) {
			t.Fatalf("rules.Compile: %v (parse %v); ParseFiles: %v", cerr, errs, perrs)
		}
		if p == nil {
			return
		}
		tg, err := tagger.New(p.Rules, tagger.WithDiscovery(false))
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(body) {
			return
		}
		rec, err := tg.Tag(context.Background(), tagger.Article{Body: body})
		if err != nil {
			t.Fatal(err)
		}
		ex := p.Explain(rules.Doc{Body: body}, rec)
		_ = p.RuleHits(rec, ex)
		for _, s := range ex.Scores {
			if s.Assigned && len(s.Evidence) == 0 && s.Raw > 0 {
				t.Errorf("%s assigned without evidence", s.Label)
			}
		}
	})
}
