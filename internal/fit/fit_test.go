package fit

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tagpipe/tagpipe/rules"
)

const pack = `topics:
  - label: storm
    threshold: 3   # too high: two storm words make a storm story
    terms: [storm, gale]
examples:
  - {name: calm, body: A calm day., not: [storm]}
`

func compile(t *testing.T, src string) (*rules.RuleSet, *rules.File) {
	t.Helper()
	f, errs := rules.Parse("p.yaml", []byte(src))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	rs, err := rules.Compile([]*rules.File{f})
	if err != nil {
		t.Fatal(err)
	}
	return rs, f
}

func TestFitAndRewrite(t *testing.T) {
	rs, f := compile(t, pack)
	var gold strings.Builder
	for i := range 40 {
		body, topics := "A storm and a gale hit the coast. Roofs fell.", `["storm"]`
		if i%2 == 1 {
			body, topics = "The market was quiet. Prices held.", `[]`
		}
		fmt.Fprintf(&gold, `{"id": "a%d", "title": "News", "body": %q, "gold": {"topics": %s}}`+"\n", i, body, topics)
	}
	arts, err := ReadGold(strings.NewReader(gold.String()))
	if err != nil || len(arts) != 40 {
		t.Fatalf("ReadGold: %d articles, %v", len(arts), err)
	}
	fitA, held := Split(arts, 0.3)
	fitB, _ := Split(append(arts[20:], arts[:20]...), 0.3)
	if len(held) == 0 || len(fitA) == 0 || len(fitA) != len(fitB) {
		t.Fatalf("split: %d fitted, %d held; not stable under reordering (%d)", len(fitA), len(held), len(fitB))
	}
	rep, changed := Fit(rs, arts, 0.3)
	if got := changed["storm"]; got >= 3 || got <= 0 {
		t.Fatalf("storm threshold %v, want lowered below 3 (report %+v)", got, rep)
	}
	if l := rep.Labels[0]; l.HeldBefore != 0 || l.HeldAfter != 1 || rep.After <= rep.Before {
		t.Errorf("held-out F1 %v -> %v (micro %v -> %v), want 0 -> 1", l.HeldBefore, l.HeldAfter, rep.Before, rep.After)
	}
	out, err := Rewrite([]byte(pack), f, changed)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("    threshold: %v   # too high", changed["storm"])
	if !strings.Contains(string(out), want) {
		t.Errorf("rewritten pack lacks %q:\n%s", want, out)
	}
	if _, f2 := compile(t, string(out)); f2.Topics[0].Threshold.Value != changed["storm"] {
		t.Errorf("rewritten threshold parses as %v", f2.Topics[0].Threshold.Value)
	}
}

func TestFitKeepsExamples(t *testing.T) {
	// every gold article says a single "storm" is a storm story, but an example says it is not
	rs, _ := compile(t, `topics:
  - {label: storm, threshold: 2, terms: [storm]}
examples:
  - {name: one word, body: A storm is forecast for next year., not: [storm]}
`)
	var arts []Article
	for i := range 20 {
		arts = append(arts, Article{ID: fmt.Sprint(i), Title: "News", Body: "A storm came.", Topics: []string{"storm"}})
	}
	if _, changed := Fit(rs, arts, 0.3); len(changed) != 0 {
		t.Errorf("fit changed %v, breaking the example", changed)
	}
}

func TestRewriteNeedsThresholdKey(t *testing.T) {
	src := "topics:\n  - {label: storm, terms: [storm]}\n"
	_, f := compile(t, src)
	if _, err := Rewrite([]byte(src), f, map[string]float64{"storm": 2}); err == nil {
		t.Error("Rewrite of a topic without a threshold key: no error")
	}
}
