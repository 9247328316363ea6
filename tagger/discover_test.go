package tagger

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tagpipe/tagpipe/rules"
)

var testRules = sync.OnceValues(func() (*rules.RuleSet, error) {
	p, err := rules.LoadPath("testdata/pack.yaml")
	if err != nil {
		return nil, err
	}
	return p.Rules, nil
})

func testTagger(t testing.TB, opts ...Option) *Tagger {
	t.Helper()
	rs, err := testRules()
	if err != nil {
		t.Fatalf("loading testdata/pack.yaml: %v", err)
	}
	tg, err := New(rs, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// entityLine renders an entity for comparison: field, type, text, canonical, and a * for discovered ones.
func entityLine(e Entity) string {
	s := fmt.Sprintf("%s %s %q", e.Field[:1], e.Type[:3], e.Text)
	if e.Canonical != e.Text {
		s += " -> " + e.Canonical
	}
	if e.Source == SourceDiscovered {
		s += " *"
	}
	return s
}

func TestDiscovery(t *testing.T) {
	tests := []struct {
		name, title, body string
		want              []string // every entity, in order
	}{
		{
			name: "titles stripped",
			body: "Foreign Minister Park Min-jae met Mayor Olivia Brennan in Busan. Professor Tomas Lindqvist spoke later.",
			want: []string{`b PER "Park Min-jae" *`, `b PER "Olivia Brennan" *`, `b LOC "Busan"`,
				`b PER "Tomas Lindqvist" *`},
		},
		{
			name: "multi-word title",
			body: "Security Council Secretary Andrei Volkov arrived in Seoul, and spokesperson Irina Sokolova said so.",
			want: []string{`b PER "Andrei Volkov" *`, `b LOC "Seoul"`, `b PER "Irina Sokolova" *`},
		},
		{
			name:  "N. Korea is never split",
			title: "N. Korea's envoy Ri Song-chol visits Busan",
			body:  "N. Korea sent Ri Song-chol. NK. Korea watchers were surprised.",
			want: []string{`t LOC "N. Korea" -> North Korea`, `t PER "Ri Song-chol" *`, `t LOC "Busan"`,
				`b LOC "N. Korea" -> North Korea`, `b PER "Ri Song-chol" *`, `b LOC "NK" -> North Korea`},
		},
		{
			name: "organizations by cue",
			body: "The Haejin Shipyard said repairs would take weeks. Officials of the Ministry of Ocean Affairs " +
				"agreed, NK News reported. Members of the Harbour Workers Association and the Bridge of Hope " +
				"Coalition were not consulted.",
			want: []string{`b ORG "Haejin Shipyard" *`, `b ORG "Ministry of Ocean Affairs" *`, `b ORG "NK News" *`,
				`b ORG "Harbour Workers Association" *`, `b ORG "Bridge of Hope Coalition" *`},
		},
		{
			name: "a sentence's first word before a connector is no part of a name unless it is a cue",
			body: "Traffic on the Haejin Island was slow. Ministry of Ocean Affairs officials came. Sea of Okhotsk " +
				"ice melted.",
			want: []string{`b LOC "Haejin Island" *`, `b ORG "Ministry of Ocean Affairs" *`, `b LOC "Sea of Okhotsk" *`},
		},
		{
			name: "hyphenated adjectives are no names; an attribution after a comma is no apposition",
			body: "Tourists want a short Nordic-style town break. Aid helps defectors settle in Uppsala, the " +
				"foundation said. Aurora, a Russian carrier, flew.",
			want: []string{`b LOC "Uppsala" *`, `b ORG "Aurora" *`, `b LOC "Russian" -> Russia`},
		},
		{
			name: "civic names whose second word is a function word (the head word is not overwritten by it)",
			body: "Police said Mothers Against Violence rallied. Doctors Without Borders said so.",
			want: []string{`b ORG "Mothers Against Violence" *`, `b ORG "Doctors Without Borders" *`},
		},
		{
			name: "organization containing a gazetteer place",
			body: "The Association for Families Separated by North Korea met in Seoul.",
			want: []string{`b ORG "Association for Families Separated by North Korea" *`,
				`b LOC "North Korea"`, `b LOC "Seoul"`},
		},
		{
			name: "names that start with a place or its adjective",
			body: "The Busan Ferry Association and the South Korean Fisheries Agency met. Grapes from the Russian " +
				"Creek Valley sold well, NK News said.",
			want: []string{`b ORG "Busan Ferry Association" *`, `b LOC "Busan"`,
				`b ORG "South Korean Fisheries Agency" *`, `b LOC "South Korean" -> South Korea`,
				`b LOC "Russian Creek Valley" *`, `b ORG "NK News" *`},
		},
		{
			name: "a name without context needs its surname to recur",
			body: "Storm Gilda hit Busan while Nimbus Cloud sold tickets. The talks included Julia Merton and " +
				"Peter Vance. Merton left early. The party's candidate, Rosa Imbert, won. Yonhap Media Council " +
				"members agreed.",
			want: []string{`b LOC "Busan"`, `b PER "Julia Merton" *`, `b PER "Merton" -> Julia Merton *`,
				`b PER "Rosa Imbert" *`, `b ORG "Yonhap Media Council" *`, `b ORG "Yonhap"`},
		},
		{
			name: "single words in a place context",
			body: "Talks were held in Tromsolund, near Varnhelm and outside Quellburg, then in the border town of " +
				"Ostrava. Sessions in Congress, in English, in Room 101, in Hartmann's office and at the Prize in " +
				"Physics event were not places. Defense analyst Lena Hartmann wrote that confidence in Hartmann grew.",
			want: []string{`b LOC "Tromsolund" *`, `b LOC "Varnhelm" *`, `b LOC "Quellburg" *`, `b LOC "Ostrava" *`,
				`b PER "Hartmann" -> Lena Hartmann *`, `b PER "Lena Hartmann" *`, `b PER "Hartmann" -> Lena Hartmann *`},
		},
		{
			name: "locations by cue",
			body: "Boats left the Gangseo area for Wando Island, crossing the Yellow Sea near Hwasun County.",
			want: []string{`b LOC "Gangseo" *`, `b LOC "Wando Island" *`, `b LOC "Yellow Sea" *`,
				`b LOC "Hwasun County" *`},
		},
		{
			name: "ships are not people",
			body: "The launch of the Choe Hyon destroyer failed, and the Kang Kon-class destroyer was towed to Busan " +
				"by the frigate Amnok Jin. Ri Sun-sin, the newest corvette, sailed with Park Tae-ho, the captain.",
			want: []string{`b LOC "Busan"`, `b PER "Park Tae-ho" *`},
		},
		{
			name:  "coreference to full names",
			title: "Putin hosts Orban as Hartmann warns",
			body: "Vladimir Putin met Viktor Orban on Tuesday. Defense analyst Lena Hartmann said the talks mattered. " +
				"Hartmann's report followed. Choi Seong-ho, a fisherman, agreed. Choi told reporters Kim Jong Un " +
				"had not replied; Kim did not comment.",
			want: []string{`t PER "Putin" -> Vladimir Putin`, `t PER "Orban" -> Viktor Orban *`,
				`t PER "Hartmann" -> Lena Hartmann *`, `b PER "Vladimir Putin"`, `b PER "Viktor Orban" *`,
				`b PER "Lena Hartmann" *`, `b PER "Hartmann" -> Lena Hartmann *`, `b PER "Choi Seong-ho" *`,
				`b PER "Choi" -> Choi Seong-ho *`, `b PER "Kim Jong Un" -> Kim Jong-un`, `b PER "Kim" -> Kim Jong-un`},
		},
		{
			name: "sentence-initial words",
			body: "Harbour cranes stood idle. Still, the harbour reopened. Fishermen said Monday that Busan looked " +
				"calm. State media kept quiet. Heavy Rain fell. Unlike Busan, Seoul was dry. Ferry tickets sold out " +
				"as ferry lines reopened.",
			want: []string{`b LOC "Busan"`, `b LOC "Busan"`, `b LOC "Seoul"`},
		},
		{
			name:  "title-case headline adds no new names",
			title: "Ferry Operator Resumes Service To Wando Island After Storm",
			body:  "The ferry resumed service on Tuesday.",
			want:  nil,
		},
		{
			name:  "all-caps headline is skipped",
			title: "FERRY OPERATOR HALTS SERVICE TO WANDO ISLAND",
			body:  "Service stopped.",
			want:  nil,
		},
		{
			name: "ignored phrases and lone capitalized words",
			body: "The Harbour Festival drew crowds to Busan. Crowds cheered Mr. Lindqvist and Telegram users posted.",
			want: []string{`b LOC "Busan"`, `b ORG "Telegram" *`}, // a platform before `users`: an organization
		},
		{
			name: "an ordinal before a cue is part of the name",
			body: "The Third Committee met in Busan. First, the Harbour Workers Association voted.",
			want: []string{`b ORG "Third Committee" *`, `b LOC "Busan"`, `b ORG "Harbour Workers Association" *`},
		},
		{
			name: "a common given name makes a person without context",
			body: "Peter Kiprono won ahead of Olga Brandt in Busan. Grace Notes played, and Tiber Lund sold tickets.",
			want: []string{`b PER "Peter Kiprono" *`, `b PER "Olga Brandt" *`, `b LOC "Busan"`},
		},
		{
			name: "platforms and names after a kind of organization",
			body: "He wrote on X. Officials said on Truth Social that the boy band Blue Orbit and the shipbuilder " +
				"Haneul Ocean would join. Vortex is popular, and Nora Quill posted photos.",
			want: []string{`b ORG "X" *`, `b ORG "Truth Social" *`, `b ORG "Blue Orbit" *`, `b ORG "Haneul Ocean" *`,
				`b PER "Nora Quill" *`},
		},
		{
			name: "organizations by their kind noun: called, apposition, after the name, sentence-initial",
			body: "A small group called Free Sky Haneul launched balloons. The tour was run by a promoter, Arte Vela. " +
				"Travellers fly with Orlan, a Busan carrier. The Vostok Intur travel agency said so. " +
				"Distributor CinemaLane agreed. Rights group Memoria objected, and the group, Stepping Stones for " +
				"Freedom, helped.",
			want: []string{`b ORG "Free Sky Haneul" *`, `b ORG "Arte Vela" *`, `b ORG "Orlan" *`,
				`b LOC "Busan"`, `b ORG "Vostok Intur" *`, `b ORG "CinemaLane" *`, `b ORG "Memoria" *`,
				`b ORG "Stepping Stones for Freedom" *`},
		},
		{
			name: "civic groups named as groups of people for or of something",
			body: "Citizens for Fair Elections rallied with Reporters Without Borders. Families of the victims wept. " +
				"Haneul Harbour & Ferry Association paid.",
			want: []string{`b ORG "Citizens for Fair Elections" *`, `b ORG "Reporters Without Borders" *`,
				`b ORG "Haneul Harbour & Ferry Association" *`},
		},
		{
			name: "a place that starts a site's name is part of it",
			body: "Hikers crossed Busan Harbour Valley, and Hina Sato waved to a man surnamed Park.",
			want: []string{`b LOC "Busan Harbour Valley" *`, `b PER "Hina Sato" *`, `b PER "Park" *`},
		},
		{
			name: "initials and demonyms",
			body: "North Korean media quoted John F. Kennedy, and South Korean officials quoted Olivia M. Brennan.",
			want: []string{`b LOC "North Korean" -> North Korea`, `b PER "John F. Kennedy" *`,
				`b LOC "South Korean" -> South Korea`, `b PER "Olivia M. Brennan" *`},
		},
		{
			name: "apostrophes inside names, possessives outside",
			body: "The Ministry of the People's Armed Forces spoke. The North Korean People's Revolutionary Party " +
				"fought. Russia's Ferry Association and Busan's Harbour Workers Association did not.",
			want: []string{`b ORG "Ministry of the People's Armed Forces" *`,
				`b ORG "North Korean People's Revolutionary Party" *`, `b LOC "North Korean" -> North Korea`,
				`b LOC "Russia"`, `b ORG "Ferry Association" *`, `b LOC "Busan"`, `b ORG "Harbour Workers Association" *`},
		},
		{
			name: "gazetteer found through lookup",
			body: "Reporters from Yonhap News Agency and Yonhap's sister outlet asked President Kim Jong Un.",
			want: []string{`b ORG "Yonhap News Agency" -> Yonhap`, `b ORG "Yonhap"`, `b PER "Kim Jong Un" -> Kim Jong-un`},
		},
	}
	tg := testTagger(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := tg.Tag(context.Background(), Article{Title: tt.title, Body: tt.body})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range rec.Entities {
				got = append(got, entityLine(e))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("entities:\n  got  %s\n  want %s", strings.Join(got, "\n       "), strings.Join(tt.want, "\n       "))
			}
			checkSpans(t, Article{Title: tt.title, Body: tt.body}, rec)
		})
	}
}

func TestDiscoveryOff(t *testing.T) {
	tg := testTagger(t, WithDiscovery(false))
	rec, err := tg.Tag(context.Background(), Article{Body: "Mayor Olivia Brennan visited Busan and the Haejin Shipyard."})
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Entities) != 1 || rec.Entities[0].Canonical != "Busan" {
		t.Errorf("entities = %v, want only the gazetteer's Busan", rec.Entities)
	}
}

// checkSpans verifies that every entity and evidence span lies inside its field, in code points, and that its
// text is exactly the span's runes.
func checkSpans(t *testing.T, a Article, rec *Record) {
	t.Helper()
	fields := map[string][]rune{"title": []rune(rec.Article.Title), "body": []rune(rec.Article.Body)}
	check := func(what, field, text string, start, end int) {
		f, ok := fields[field]
		if !ok {
			t.Errorf("%s %q: unknown field %q", what, text, field)
			return
		}
		if start < 0 || start > end || end > len(f) {
			t.Errorf("%s %q: span %d..%d outside %s (%d code points)", what, text, start, end, field, len(f))
			return
		}
		if got := string(f[start:end]); got != text {
			t.Errorf("%s: span %s %d..%d is %q, text says %q", what, field, start, end, got, text)
		}
	}
	for _, e := range rec.Entities {
		check("entity", e.Field, e.Text, e.Start, e.End)
		if e.Canonical == "" || e.Type == "" || !slices.Contains([]string{SourceGazetteer, SourceDiscovered, SourceProse}, e.Source) {
			t.Errorf("entity %+v incomplete", e)
		}
	}
	for _, tp := range rec.Topics {
		for _, ev := range tp.Evidence {
			check("evidence "+ev.Rule, ev.Field, ev.Text, ev.Start, ev.End)
		}
	}
	for i := 1; i < len(rec.Entities); i++ {
		p, e := rec.Entities[i-1], rec.Entities[i]
		if fieldIndex(p.Field) > fieldIndex(e.Field) || p.Field == e.Field && p.Start > e.Start {
			t.Errorf("entities out of order: %+v before %+v", p, e)
		}
	}
}
