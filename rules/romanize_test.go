package rules

import (
	"slices"
	"testing"
)

func TestRomanizedLookup(t *testing.T) {
	rs, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, want string }{
		{"Cho Song Hui", "Choe Son-hui"},
		{"Choi Son Hee", "Choe Son-hui"},
		{"Lee Jae-myong", "Lee Jae-myung"},
		{"Rhee Jae Myeong", "Lee Jae-myung"},
		{"Kim Jong Eun", "Kim Jong-un"},
		{"Ju Ae", "Kim Ju-ae"},
		{"Kim Yeo Jeong", "Kim Yo-jong"},
		{"Park Jae-myung", ""}, // another surname: another person
		{"Kim Tae-ho", ""},     // nobody the pack knows
		{"John Smith", ""},
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
}

func TestRomanizeOff(t *testing.T) {
	src := "entities:\n  - {canonical: Kim Jong-un, type: PERSON}\n  - {canonical: Choe Son-hui, type: PERSON, romanize: false}\n"
	f, errs := Parse("r.yaml", []byte(src))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rs, err := Compile([]*File{f})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rs.Lookup("Kim Jong Eun"); !ok {
		t.Error("Kim Jong Eun not romanized")
	}
	if _, ok := rs.Lookup("Choi Son Hee"); ok {
		t.Error("romanize: false still romanizes")
	}
}

func TestSurnameConflict(t *testing.T) {
	rs, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		body string
		want []string
	}{
		{"Daniil Medvedev won in Paris. Medvedev said he was tired.", []string{"Paris"}},
		{"Dmitry Medvedev spoke. Medvedev warned. Former President Medvedev, Mr. Medvedev.",
			[]string{"Dmitry Medvedev", "Dmitry Medvedev", "Dmitry Medvedev", "Dmitry Medvedev"}},
		{"Yesterday Medvedev warned.", []string{"Dmitry Medvedev"}},
	} {
		var got []string
		for _, m := range rs.Match(Doc{Body: tc.body}).Mentions {
			got = append(got, m.Entity.Canonical)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: mentions %q, want %q", tc.body, got, tc.want)
		}
	}
}

// TestOwnersDefaultPack checks that the default pack's generic ministries resolve by the owner right before them,
// whatever else the article names.
func TestOwnersDefaultPack(t *testing.T) {
	rs, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ body, want string }{
		{"Russian troops moved. Seoul's defence ministry said so.", "Ministry of National Defense"},
		{"Ukraine's foreign ministry said Moscow lied. The North's foreign ministry replied.",
			"Ministry of Foreign Affairs of North Korea"},
		{"South Korea's Ministry of National Defense spoke. Russia's defense ministry replied.", "Ministry of Defence of Russia"},
		{"Seoul officials met. The Kremlin's foreign ministry said no.", "Ministry of Foreign Affairs of Russia"},
	} {
		var last string
		for _, m := range rs.Match(Doc{Body: tc.body}).Mentions {
			if m.Entity.Type == Organization && !m.Implied {
				last = m.Entity.Canonical
			}
		}
		if last != tc.want {
			t.Errorf("%q: last ministry %q, want %q", tc.body, last, tc.want)
		}
	}
}

// TestImpliesSpelledDefaultPack checks that a mention implies its country only through an alias that spells the
// country out, and that a canonical name listed under exact keeps its letter case.
func TestImpliesSpelledDefaultPack(t *testing.T) {
	rs, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		body string
		want []string // canonical names of all mentions, implied ones marked "+"
	}{
		{"Russia's transport ministry agreed.", []string{"Ministry of Transport of Russia", "+Russia"}},
		{"The Ministry of the Interior and Safety agreed.", []string{"Ministry of the Interior and Safety"}},
		{"The foreign ministry said so.", []string{"Ministry of Foreign Affairs of South Korea"}},
		{"The South Korean navy sailed.", []string{"Republic of Korea Navy", "+South Korea"}},
		{"USFK said so.", []string{"United States Forces Korea"}},
		{"Apple opened a store; an apple fell.", []string{"Apple"}},
		{"Israel's health ministry said so.", []string{"Israel"}}, // a country's body the pack does not list
		{"Taipei's foreign ministry said so.", []string{"Taipei", "Ministry of Foreign Affairs of Taiwan"}},
	} {
		var got []string
		for _, m := range rs.Match(Doc{Body: tc.body}).Mentions {
			if m.Implied {
				got = append(got, "+"+m.Entity.Canonical)
			} else {
				got = append(got, m.Entity.Canonical)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: mentions %q, want %q", tc.body, got, tc.want)
		}
	}
}
