// Package fit fits a rule pack's per-topic thresholds to a gold file and writes the pack back as YAML, its other
// text (comments included) unchanged. The two types to learn first are Article (one labelled article) and Report
// (what a fit changed and the F1 before and after, per label, on the part of the gold it did not see).
//
// A label's threshold only decides that label, and its raw score (rules.TopicScore.Raw) does not depend on the
// threshold, so each label is fitted on its own: every candidate threshold is scored exactly from one Explain
// per article. A candidate that would break one of the pack's examples is never chosen.
package fit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/tagpipe/tagpipe/rules"
)

// Article is one labelled article of a gold JSONL file (the eval format: id, title, body, gold.topics).
type Article struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Body   string `json:"body"`
	Topics []string
}

// ReadGold reads a gold JSONL file.
func ReadGold(r io.Reader) ([]Article, error) {
	var out []Article
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var a struct {
			Article
			Gold struct {
				Topics []string `json:"topics"`
			} `json:"gold"`
		}
		if err := json.Unmarshal(line, &a); err != nil {
			return nil, fmt.Errorf("fit: gold line %d: %w", n, err)
		}
		a.Article.Topics = a.Gold.Topics
		out = append(out, a.Article)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("fit: reading gold: %w", err)
	}
	return out, nil
}

// Split puts about fraction of the articles in held (chosen by a hash of the id, so the split is stable across
// runs and does not depend on the file's order) and the rest in fitPart.
func Split(arts []Article, fraction float64) (fitPart, held []Article) {
	for _, a := range arts {
		h := fnv.New32a()
		h.Write([]byte(a.ID))
		if float64(h.Sum32()%1000) < fraction*1000 {
			held = append(held, a)
		} else {
			fitPart = append(fitPart, a)
		}
	}
	return fitPart, held
}

// Label is one label's fit.
type Label struct {
	Label                  string
	Before, After          float64 // threshold
	FitBefore, FitAfter    float64 // F1 on the fitted part
	HeldBefore, HeldAfter  float64 // F1 on the held-out part
	HeldSupport, Predicted int     // gold and predicted articles on the held-out part, after
}

// Report is what Fit did.
type Report struct {
	Labels        []Label // in pack order
	NFit, NHeld   int
	Before, After float64 // held-out micro F1
}

// candidates are the multiples of a label's threshold tried.
var candidates = []float64{0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.4, 1.6, 1.8, 2}

type scored struct {
	gold  []string
	score map[string]rules.TopicScore
}

func explainAll(rs *rules.RuleSet, arts []Article) []scored {
	out := make([]scored, len(arts))
	for i, a := range arts {
		m := map[string]rules.TopicScore{}
		for _, s := range rs.Explain(rules.Doc{Title: a.Title, Body: a.Body}) {
			m[s.Label] = s
		}
		out[i] = scored{gold: a.Topics, score: m}
	}
	return out
}

func assigned(s rules.TopicScore, threshold float64) bool {
	return s.RequiresMet && s.Raw > 0 && s.Raw >= threshold*(1-1e-9)
}

// counts returns tp, fp, fn of label at threshold over arts.
func counts(arts []scored, label string, threshold float64) (tp, fp, fn int) {
	for _, a := range arts {
		got, want := assigned(a.score[label], threshold), slices.Contains(a.gold, label)
		switch {
		case got && want:
			tp++
		case got:
			fp++
		case want:
			fn++
		}
	}
	return tp, fp, fn
}

func f1(tp, fp, fn int) float64 {
	if tp == 0 {
		if fp+fn == 0 {
			return 1
		}
		return 0
	}
	return 2 * float64(tp) / float64(2*tp+fp+fn)
}

// Fit fits the thresholds of rs's topics on the fitted part of arts and reports F1 on both parts. It returns the
// new threshold per label (only labels whose threshold changed).
func Fit(rs *rules.RuleSet, arts []Article, holdoutFraction float64) (Report, map[string]float64) {
	fitArts, heldArts := Split(arts, holdoutFraction)
	fitS, heldS := explainAll(rs, fitArts), explainAll(rs, heldArts)
	var exS []scored
	var exNot [][]string
	for _, x := range rs.Examples() {
		exS = append(exS, explainAll(rs, []Article{{Title: x.Title, Body: x.Body, Topics: x.Want}})...)
		exNot = append(exNot, x.Not)
	}
	rep := Report{NFit: len(fitArts), NHeld: len(heldArts)}
	changed := map[string]float64{}
	var tb, fb, nb, ta, fa, na int
	for _, label := range rs.Labels() {
		base := thresholdOf(label, fitS, heldS, exS)
		if base <= 0 {
			continue
		}
		best, bestF1 := base, f1(counts(fitS, label, base))
		for _, c := range candidates {
			t := base * c
			if !examplesHold(exS, exNot, label, t) {
				continue
			}
			if f := f1(counts(fitS, label, t)); f > bestF1+1e-9 ||
				math.Abs(f-bestF1) <= 1e-9 && math.Abs(c-1) < math.Abs(best/base-1) {
				best, bestF1 = t, f
			}
		}
		best = math.Round(best*100) / 100
		l := Label{Label: label, Before: base, After: best}
		l.FitBefore, l.FitAfter = f1(counts(fitS, label, base)), f1(counts(fitS, label, best))
		t0, f0, n0 := counts(heldS, label, base)
		t1, f1c, n1 := counts(heldS, label, best)
		l.HeldBefore, l.HeldAfter = f1(t0, f0, n0), f1(t1, f1c, n1)
		l.HeldSupport, l.Predicted = t1+n1, t1+f1c
		tb, fb, nb, ta, fa, na = tb+t0, fb+f0, nb+n0, ta+t1, fa+f1c, na+n1
		rep.Labels = append(rep.Labels, l)
		if best != base {
			changed[label] = best
		}
	}
	rep.Before, rep.After = f1(tb, fb, nb), f1(ta, fa, na)
	return rep, changed
}

// thresholdOf finds label's current threshold in any of the scored sets.
func thresholdOf(label string, sets ...[]scored) float64 {
	for _, set := range sets {
		for _, a := range set {
			if s, ok := a.score[label]; ok && s.Threshold > 0 {
				return s.Threshold
			}
		}
	}
	return 0
}

// examplesHold reports whether every pack example that names label still passes at threshold t.
func examplesHold(exS []scored, exNot [][]string, label string, t float64) bool {
	for i, x := range exS {
		got := assigned(x.score[label], t)
		if slices.Contains(x.gold, label) && !got || slices.Contains(exNot[i], label) && got {
			return false
		}
	}
	return true
}

// Rewrite returns src (one rule file's text) with the `threshold:` values of the topics in thresholds replaced,
// using the positions Parse recorded in f. Comments and layout stay as they were.
func Rewrite(src []byte, f *rules.File, thresholds map[string]float64) ([]byte, error) {
	lines := strings.SplitAfter(string(src), "\n")
	for _, t := range f.Topics {
		v, ok := thresholds[t.Label.Value]
		if !ok {
			continue
		}
		pos := t.Threshold.Pos
		if pos == t.Pos || pos.Line < 1 || pos.Line > len(lines) {
			return nil, fmt.Errorf("fit: %s: topic %q has no threshold key to rewrite", t.Pos, t.Label.Value)
		}
		line := lines[pos.Line-1]
		col := pos.Col - 1
		end := col
		for end < len(line) && strings.IndexByte("0123456789.eE+-", line[end]) >= 0 {
			end++
		}
		if end == col {
			return nil, fmt.Errorf("fit: %s: no number at the threshold's position", pos)
		}
		lines[pos.Line-1] = line[:col] + strconv.FormatFloat(v, 'f', -1, 64) + line[end:]
	}
	return []byte(strings.Join(lines, "")), nil
}
