package rules

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRequiredWords(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{`\b\d+ kilotons?\b`, []string{"kiloton"}},
		{`(?i)\banti-(?:pyongyang|north korea[n]?) leaflets?\b`, []string{"pyongyang", "north korea"}},
		{`\bthe North(?:'s|’s)?(?:[,.;:)]| [a-z])`, []string{"the north"}},
		{`\bSeoul(?:'s|’s) (?:government|military)`, []string{"government", "military"}},
		{`(?i)(balloon|leaflet)s? launching`, []string{"launching"}},
		{`(?i)(balloons|leaflets) (?:sent|flown)`, []string{"balloons", "leaflets"}},
		{`(?i)(balloons|leaflets)`, []string{"balloons", "leaflets"}},
		{`(?:abc)+x`, []string{"abc"}},
		{`(ab|c*)d`, []string{"d"}},
		{`(ab|c*)`, nil},
		{`\d+`, nil},
		{`a?b`, []string{"b"}},
		{`a?`, nil},
		{`café au lait`, []string{"lait"}},
		{`U\.S\.-led`, []string{"u s led"}},
		{`[`, nil},
	} {
		got, _ := analyzeRegex(tc.expr)
		if !slices.Equal(got, tc.want) {
			t.Errorf("analyzeRegex(%q) words = %q, want %q", tc.expr, got, tc.want)
		}
	}
}

// TestPrefilterNeverSkipsAMatch checks the prefilter's promise: whenever a pattern matches a text, one of its
// required words is in the folded text.
func TestPrefilterNeverSkipsAMatch(t *testing.T) {
	exprs := []string{`(?i)kiloton`, `(?i)sanctions? (bill|law)`, `NK-\d+`, `(?i)ask`, `(?i)SS-\d+`, `Straße`}
	texts := []string{
		"a 10 KILOTON yield", "new sanction law", "the NK-2 site", "a ſſ-3 missile", "\u212Aask kelvin",
		"ASK ME", "Straße", "sanctions\u00a0bill", "nothing here",
	}
	var f folded
	for _, e := range exprs {
		re := regexp.MustCompile(e)
		words, _ := analyzeRegex(e)
		for _, s := range texts {
			f.fold(s)
			var bw []literal
			for _, w := range words {
				bw = append(bw, newLiteral(w))
			}
			if re.MatchString(s) && words != nil && !slices.ContainsFunc(bw, func(l literal) bool { return l.index(f.text, 0) >= 0 }) {
				t.Errorf("%q matches %q but its words %q are not in %q", e, s, words, f.text)
			}
		}
	}
}

// windowExprs are patterns of bounded width (run in windows) and a few others, for the window tests.
var windowExprs = []string{
	`\bthe North(?:'s|’s)?(?:[,.;:)]| [a-z])`,
	`\bSeoul(?:'s|’s) (?:government|military|spy agency|defen[cs]e)`,
	`(?i)\b(?:north and south korea|seoul and pyongyang)\b`,
	`\b\d+ kilotons?\b`,
	`(?i)ab(?:c|d)`,
	`^Seoul`,
	`government$`,
	`(?i)\bk[a-z]{0,3}\b`,
	// literal prefixes (run from the first occurrence of the prefix on, or not at all), with and without words
	`\$ ?\d[\d.,]* ?(?:million|billion)\b`,
	`Seoul[a-z’' ]*government`,
	`é+\S*`,
	`\.\s*\n`,
}

// patternRuleSet compiles one topic per expression, with a threshold any hit reaches.
func patternRuleSet(t testing.TB, exprs []string) *RuleSet {
	t.Helper()
	var src strings.Builder
	src.WriteString("topics:\n")
	for i, e := range exprs {
		fmt.Fprintf(&src, "  - {label: p%d, threshold: 0.001, patterns: [{regex: %s}]}\n", i, strconv.Quote(e))
	}
	f, errs := Parse("p.yaml", []byte(src.String()))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rs, err := Compile([]*File{f})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// checkPatternWindows compares the pattern evidence of rs (built by patternRuleSet) on body with a scan of the
// whole body by the standard library.
func checkPatternWindows(t testing.TB, rs *RuleSet, exprs []string, body string) {
	t.Helper()
	r := rs.Match(Doc{Body: body})
	got := map[string][]string{}
	for _, tp := range r.Topics {
		for _, e := range tp.Evidence {
			got[tp.Label] = append(got[tp.Label], fmt.Sprintf("%d-%d", e.Start, e.End))
		}
	}
	for i, e := range exprs {
		var want []string
		for _, loc := range regexp.MustCompile(e).FindAllStringIndex(body, -1) {
			if loc[0] < loc[1] {
				want = append(want, fmt.Sprintf("%d-%d", utf8.RuneCountInString(body[:loc[0]]), utf8.RuneCountInString(body[:loc[1]])))
			}
		}
		if label := fmt.Sprintf("p%d", i); !slices.Equal(got[label], want) {
			t.Fatalf("%q over %q:\n got %v\nwant %v", e, body, got[label], want)
		}
	}
}

// TestPatternWindowsAgainstFullScan checks that running patterns in windows around their required words finds
// exactly the matches a scan of the whole field finds.
func TestPatternWindowsAgainstFullScan(t *testing.T) {
	rs := patternRuleSet(t, windowExprs)
	pieces := []string{"the North", "the North's", "the North,", " ", " ", "Seoul's", "Seoul’s", "government",
		"military", "North and South Korea", "north and south KOREA", "Seoul and Pyongyang", "12 kilotons", "abc",
		"ABD", "x", "é", "평양", ".", "\n", "defence", "spy agency", "theNorth", "Seoul", "K", "\u212Aab", "kim",
		"$", "$5", "5,000", " million", "billion", "ée"}
	rng := rand.New(rand.NewPCG(3, 4))
	for iter := 0; iter < 400; iter++ {
		var b strings.Builder
		for k := rng.IntN(40); k >= 0; k-- {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		checkPatternWindows(t, rs, windowExprs, b.String())
	}
}

// TestLiteralIndexLikeBytesIndex checks that the rare-byte search finds exactly the occurrences bytes.Index finds
// (overlapping ones included), in order, on texts made of the words' own letters so that near misses abound.
func TestLiteralIndexLikeBytesIndex(t *testing.T) {
	words := []string{"eoul and pyongyang", "the north", "aaa", "a", "president", "outh and north korea", "x9"}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, w := range words {
		l := newLiteral(w)
		for range 300 {
			alphabet := w + " "
			var text []byte
			for range rng.IntN(80) {
				if rng.IntN(8) == 0 {
					text = append(text, w...)
				} else {
					text = append(text, alphabet[rng.IntN(len(alphabet))])
				}
			}
			var want, got []int
			for off := 0; ; {
				i := bytes.Index(text[off:], []byte(w))
				if i < 0 {
					break
				}
				want = append(want, off+i)
				off += i + 1
			}
			for off := 0; ; {
				b := l.index(text, off)
				if b < 0 {
					break
				}
				got = append(got, b)
				off = b + 1
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%q in %q: got %v, want %v", w, text, got, want)
			}
		}
	}
}
