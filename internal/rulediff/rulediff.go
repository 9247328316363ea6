// Package rulediff compares what two rule packs make of the same articles: which labels and entities each article
// gains or loses, counted per label and entity, and with gold labels the change in P/R/F1. `tagpipe rules diff`
// runs it over a corpus; shadow runs compare two records of one article with the same Records function.
//
// The two types to learn first are Change (the difference between two records of one article) and Report (the
// summary of many changes).
package rulediff

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/tagpipe/tagpipe/internal/eval"
	"github.com/tagpipe/tagpipe/tagger"
)

// Change is what the new rules changed in one article's record. Gained and Lost hold topic labels and entities
// written "TYPE:Canonical" (as rule examples write them), labels first, each part sorted.
type Change struct {
	ID         string   `json:"id"`
	Gained     []string `json:"gained"`
	Lost       []string `json:"lost"`
	OldVersion string   `json:"old_rules_version,omitempty"`
	NewVersion string   `json:"new_rules_version,omitempty"`
}

// Empty reports whether nothing changed.
func (c Change) Empty() bool { return len(c.Gained) == 0 && len(c.Lost) == 0 }

// Records compares two records of the same article: old tagged with the current rules, new with the candidate.
// Labels compare by name, entities by type and canonical name (mentions and evidence are not compared). The
// change carries the article id (from old) and both rules versions.
func Records(old, new *tagger.Record) Change {
	c := Change{ID: old.Article.ID, OldVersion: old.Tagger.RulesVersion, NewVersion: new.Tagger.RulesVersion}
	c.Gained, c.Lost = diffSets(Outcomes(old), Outcomes(new))
	return c
}

// Outcomes returns what a record asserts, as Change lists it: its labels, then its distinct entities as
// "TYPE:Canonical".
func Outcomes(r *tagger.Record) []string {
	out := r.Labels()
	for _, k := range r.Canonicals() {
		out = append(out, k.Type+":"+k.Canonical)
	}
	return out
}

// diffSets returns what is in b and not in a, and what is in a and not in b, labels before entities, sorted.
func diffSets(a, b []string) (gained, lost []string) {
	in := func(xs []string, x string) bool { return slices.Contains(xs, x) }
	gained, lost = []string{}, []string{}
	for _, x := range b {
		if !in(a, x) && !in(gained, x) {
			gained = append(gained, x)
		}
	}
	for _, x := range a {
		if !in(b, x) && !in(lost, x) {
			lost = append(lost, x)
		}
	}
	slices.SortFunc(gained, compareOutcome)
	slices.SortFunc(lost, compareOutcome)
	return gained, lost
}

// compareOutcome sorts labels (no colon) before entities, then by name.
func compareOutcome(a, b string) int {
	rank := func(x string) int {
		if IsEntity(x) {
			return 1
		}
		return 0
	}
	return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a, b))
}

// IsEntity reports whether an outcome names an entity ("TYPE:Canonical") rather than a label.
func IsEntity(outcome string) bool {
	for i := 0; i < len(outcome); i++ {
		switch c := outcome[i]; {
		case c == ':':
			return i > 0
		case c < 'A' || c > 'Z':
			return false
		}
	}
	return false
}

// Count is how many articles gained and lost a label or an entity.
type Count struct {
	Gained int `json:"gained"`
	Lost   int `json:"lost"`
}

// F1Change is a score before and after.
type F1Change struct {
	Old   float64 `json:"old"`
	New   float64 `json:"new"`
	Delta float64 `json:"delta"`
}

func f1Change(old, new eval.Counts) F1Change {
	return F1Change{Old: old.F1(), New: new.F1(), Delta: new.F1() - old.F1()}
}

// F1 holds the gold scores of both packs: topic and entity micro-F1 and F1 per label.
type F1 struct {
	Topics   F1Change            `json:"topics"`
	Entities F1Change            `json:"entities"`
	Labels   map[string]F1Change `json:"labels"`
}

// Report summarizes the changes over many articles. Add accumulates; the zero Report is not ready, use
// NewReport.
type Report struct {
	OldVersion string           `json:"old_rules_version,omitempty"`
	NewVersion string           `json:"new_rules_version,omitempty"`
	Articles   int              `json:"articles"`
	Changed    int              `json:"changed"`
	Labels     map[string]Count `json:"labels"`
	Entities   map[string]Count `json:"entities"`
	Changes    []Change         `json:"changes"`
	F1         *F1              `json:"f1,omitempty"`
}

// NewReport returns an empty report.
func NewReport() *Report {
	return &Report{Labels: map[string]Count{}, Entities: map[string]Count{}, Changes: []Change{}}
}

// Add counts one compared article; an empty change counts as an article that did not change.
func (r *Report) Add(c Change) {
	r.Articles++
	if c.Empty() {
		return
	}
	r.Changed++
	r.Changes = append(r.Changes, c)
	for _, x := range c.Gained {
		r.count(x, func(n *Count) { n.Gained++ })
	}
	for _, x := range c.Lost {
		r.count(x, func(n *Count) { n.Lost++ })
	}
}

func (r *Report) count(x string, f func(*Count)) {
	m := r.Labels
	if IsEntity(x) {
		m = r.Entities
	}
	n := m[x]
	f(&n)
	m[x] = n
}

// Corpus tags every article with both taggers and reports the changes. It stops at the first tagging error or
// when ctx ends.
func Corpus(ctx context.Context, old, new *tagger.Tagger, articles []tagger.Article) (*Report, error) {
	r := NewReport()
	r.OldVersion, r.NewVersion = old.Rules().Version(), new.Rules().Version()
	err := tagBoth(ctx, old, new, articles, func(_ tagger.Article, ro, rn *tagger.Record) {
		c := Records(ro, rn)
		c.OldVersion, c.NewVersion = "", "" // the report says them once
		r.Add(c)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Gold tags the gold articles with both taggers and scores both against the gold labels.
func Gold(ctx context.Context, old, new *tagger.Tagger, articles []tagger.Article, golds []eval.Gold) (*F1, error) {
	oldPred := map[string]eval.Prediction{}
	newPred := map[string]eval.Prediction{}
	err := tagBoth(ctx, old, new, articles, func(a tagger.Article, ro, rn *tagger.Record) {
		oldPred[a.ID], newPred[a.ID] = Prediction(ro), Prediction(rn)
	})
	if err != nil {
		return nil, err
	}
	return score(golds, oldPred, newPred), nil
}

func tagBoth(ctx context.Context, old, new *tagger.Tagger, articles []tagger.Article, fn func(a tagger.Article, ro, rn *tagger.Record)) error {
	for _, a := range articles {
		if err := ctx.Err(); err != nil {
			return err
		}
		ro, err := old.Tag(ctx, a)
		if err != nil {
			return fmt.Errorf("article %s: %w", a.ID, err)
		}
		rn, err := new.Tag(ctx, a)
		if err != nil {
			return fmt.Errorf("article %s: %w", a.ID, err)
		}
		fn(a, ro, rn)
	}
	return nil
}

func score(golds []eval.Gold, oldPred, newPred map[string]eval.Prediction) *F1 {
	lookup := func(m map[string]eval.Prediction) func(string) (eval.Prediction, bool) {
		return func(id string) (eval.Prediction, bool) { p, ok := m[id]; return p, ok }
	}
	ro, rn := eval.Run(golds, lookup(oldPred)), eval.Run(golds, lookup(newPred))
	f := &F1{Topics: f1Change(ro.Topics, rn.Topics), Entities: f1Change(ro.Entities, rn.Entities), Labels: map[string]F1Change{}}
	for l, c := range ro.PerLabel {
		f.Labels[l] = f1Change(c, rn.PerLabel[l])
	}
	for l, c := range rn.PerLabel {
		if _, ok := ro.PerLabel[l]; !ok {
			f.Labels[l] = f1Change(ro.PerLabel[l], c)
		}
	}
	return f
}

// Prediction is what eval compares of a record: its labels and its entities.
func Prediction(rec *tagger.Record) eval.Prediction {
	var p eval.Prediction
	p.Topics = rec.Labels()
	for _, ent := range rec.Entities {
		p.Entities = append(p.Entities, eval.Entity{Type: ent.Type, Canonical: ent.Canonical})
	}
	return p
}

// FromChanges summarizes the changes a shadow run published (the records of its shadow topic, in the order
// read) the way Corpus summarizes a corpus. A shadow topic holds only the records that changed, so Articles
// equals Changed. A change published twice (the same article and rules versions: a record processed again after
// a restart) counts once, as its last copy. When every change has the same rules versions the report carries
// them once; otherwise each change keeps its own. Changes are sorted by id.
func FromChanges(changes []Change) *Report {
	type key struct{ id, old, new string }
	last := map[key]Change{}
	for _, c := range changes {
		last[key{c.ID, c.OldVersion, c.NewVersion}] = c
	}
	uniq := slices.Collect(maps.Values(last))
	slices.SortFunc(uniq, func(a, b Change) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), cmp.Compare(a.OldVersion, b.OldVersion), cmp.Compare(a.NewVersion, b.NewVersion))
	})
	r := NewReport()
	same := len(uniq) > 0
	for _, c := range uniq {
		same = same && c.OldVersion == uniq[0].OldVersion && c.NewVersion == uniq[0].NewVersion
	}
	if same {
		r.OldVersion, r.NewVersion = uniq[0].OldVersion, uniq[0].NewVersion
	}
	for _, c := range uniq {
		if same {
			c.OldVersion, c.NewVersion = "", ""
		}
		r.Add(c)
	}
	return r
}
