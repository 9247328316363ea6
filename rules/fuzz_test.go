package rules

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	paths, _ := filepath.Glob("testdata/*.yaml")
	for _, p := range paths {
		if src, err := os.ReadFile(p); err == nil {
			f.Add(src)
		}
	}
	f.Add([]byte("entities: [{canonical: a, type: PERSON, aliases: [b]}]\ntopics: [{label: x, terms: [a*]}]"))
	f.Fuzz(func(t *testing.T, src []byte) {
		file, errs := Parse("fuzz.yaml", src)
		if file == nil {
			t.Fatal("Parse returned a nil File")
		}
		errs = append(errs, Validate(file)...)
		lines := yamlLines(src)
		for _, e := range errs {
			if e.Pos.File != "fuzz.yaml" || e.Pos.Line < 1 || e.Pos.Line > len(lines) || e.Pos.Col < 1 {
				t.Fatalf("error with a position outside the file (%d lines): %v", len(lines), e)
			}
			if n := utf8.RuneCountInString(lines[e.Pos.Line-1]); e.Pos.Col > n+1 {
				t.Fatalf("column %d beyond line %d (%d characters): %v", e.Pos.Col, e.Pos.Line, n, e)
			}
			if e.Code == "" || e.Msg == "" {
				t.Fatalf("error without code or message: %#v", e)
			}
		}
		if len(errs) == 0 {
			if _, err := Compile([]*File{file}); err != nil {
				t.Fatalf("valid file did not compile: %v", err)
			}
		}
	})
}

func FuzzMatch(f *testing.F) {
	rs := loadEngine(f)
	prs := patternRuleSet(f, windowExprs)
	f.Add("Leaflets", "Balloons with leaflets crossed the border into North Korea.")
	f.Add("", "Kim Jong-un's NK U.S. Pyŏngyang 평양 Straße")
	f.Add("ß", "x\u0301 ǅ İstanbul ﬁ")
	for _, sh := range costShapes { // the adversarial shapes of issue 10, small
		d := sh.doc(2000)
		f.Add(d.Title, d.Body)
	}
	def, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, title, body string) {
		if !utf8.ValidString(title) || !utf8.ValidString(body) {
			t.Skip("Match takes valid UTF-8")
		}
		doc := Doc{Title: title, Body: body}
		r := rs.Match(doc)
		checkSpans(t, doc, r)
		for _, tp := range r.Topics {
			if tp.Score < 0.5 || tp.Score > 1 {
				t.Fatalf("assigned topic with score %v", tp.Score)
			}
		}
		checkPatternWindows(t, prs, windowExprs, body)
		// The default pack, through MatchContext: the same result as Match, never a budget error.
		r = def.Match(doc)
		checkSpans(t, doc, r)
		rc, err := def.MatchContext(t.Context(), doc)
		if err != nil || len(rc.Topics) != len(r.Topics) || !slices.Equal(rc.Mentions, r.Mentions) {
			t.Fatalf("MatchContext = %d topics, %d mentions, %v; Match: %d topics, %d mentions", len(rc.Topics),
				len(rc.Mentions), err, len(r.Topics), len(r.Mentions))
		}
	})
}

// yamlLines splits src into lines as YAML counts them: \r\n, \r, \n, NEL, LS and PS end a line.
func yamlLines(src []byte) []string {
	s := strings.NewReplacer("\r\n", "\n", "\r", "\n", "\u0085", "\n", "\u2028", "\n", "\u2029", "\n").Replace(string(src))
	return strings.Split(s, "\n")
}
