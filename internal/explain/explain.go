// Package explain says why a tagged record came out as it did, in terms of the rule pack that tagged it: how much
// each piece of topic evidence counted and whether the label depended on it, which gazetteer alias produced each
// entity mention, and which labels scored just under their threshold. `tagpipe eval` builds its per-rule
// statistics from it and `tagpipe studio` shows it beside the highlighted text.
//
// The two types to learn first are Pack (a parsed and compiled rule pack with what explaining needs) and
// Explanation (what Pack.Explain returns for one record).
package explain

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tagpipe/tagpipe/internal/eval"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

// probeFactor scales every threshold of the probe rule set: a label whose raw evidence reaches this share of its
// threshold shows up in the probe, so the labels just under the threshold can be reported. At 1/16 the probe's
// score (1 - 0.5^(16 raw/threshold)) keeps enough precision in float64 to give raw back for every raw below the
// threshold.
const probeFactor = 1.0 / 16

// NearMiss is shown for labels whose raw evidence reached at least this share of the threshold.
const NearMiss = 0.25

// Pack is a compiled rule pack together with its parsed files, the weights of its rules, its gazetteer aliases
// and a probe rule set (every threshold lowered, `requires` dropped) that shows evidence below the threshold.
type Pack struct {
	Files []*rules.File
	Rules *rules.RuleSet

	probe   *rules.RuleSet
	topics  map[string]topicInfo
	weights map[string]float64 // topic rule id -> weight as written
	aliases map[string][]alias // folded canonical -> its aliases
	ids     []string           // every rule id, pack order
}

type topicInfo struct {
	threshold, titleWeight float64
	requires               bool
}

type alias struct {
	id, folded string
}

// Compile compiles files (as rules.Compile does) and builds the probe. The error is the rules.ErrorList when the
// pack is invalid.
func Compile(files []*rules.File) (*Pack, error) {
	rs, err := rules.Compile(files)
	if err != nil {
		return nil, err
	}
	p := &Pack{Files: files, Rules: rs, topics: map[string]topicInfo{}, weights: map[string]float64{},
		aliases: map[string][]alias{}}
	probeFiles := make([]*rules.File, len(files))
	for i, f := range files {
		c := *f
		c.Topics = slices.Clone(f.Topics)
		for j := range c.Topics {
			t := &c.Topics[j]
			p.addTopic(t)
			if low := t.Threshold.Value * probeFactor; low > 0 { // a subnormal threshold keeps its value
				t.Threshold.Value = low
			}
			t.Requires = nil
		}
		probeFiles[i] = &c
		for _, e := range f.Entities {
			p.addEntity(e)
		}
	}
	if p.probe, err = rules.Compile(probeFiles); err != nil {
		return nil, fmt.Errorf("explain: probe pack: %w", err)
	}
	return p, nil
}

// Load parses and compiles the pack at path; "" is the embedded default pack.
func Load(path string) (*Pack, error) {
	var (
		files []*rules.File
		errs  rules.ErrorList
	)
	if path == "" {
		files, errs = rules.ParseFS(rules.DefaultFS(), ".")
	} else {
		files, errs = rules.ParsePath(path)
	}
	if len(errs) > 0 {
		errs = append(errs, rules.Validate(files...)...)
		errs.Sort()
		return nil, errs
	}
	return Compile(files)
}

// ParseFiles parses a pack held in memory (file name -> YAML) in name order and compiles it. It returns every
// problem of every file at once, sorted; the Pack is nil when there is any.
func ParseFiles(src map[string]string) (*Pack, rules.ErrorList) {
	names := make([]string, 0, len(src))
	for n := range src {
		names = append(names, n)
	}
	slices.Sort(names)
	var (
		files []*rules.File
		errs  rules.ErrorList
	)
	for _, n := range names {
		f, ferrs := rules.Parse(n, []byte(src[n]))
		files = append(files, f)
		errs = append(errs, ferrs...)
	}
	if len(files) == 0 {
		errs.Add(rules.Position{}, rules.CodeMissingField, "no rule files")
		return nil, errs
	}
	p, err := Compile(files)
	if err != nil {
		var el rules.ErrorList
		if !errors.As(err, &el) {
			el = rules.ErrorList{{Code: rules.CodeBadValue, Msg: err.Error()}}
		}
		errs = append(errs, el...)
	}
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	return p, nil
}

func (p *Pack) addTopic(t *rules.TopicRule) {
	label := t.Label.Value
	p.topics[label] = topicInfo{threshold: t.Threshold.Value, titleWeight: t.TitleWeight.Value, requires: t.Requires != nil}
	add := func(id string, w float64) {
		id = label + "/" + id
		if _, dup := p.weights[id]; !dup {
			p.ids = append(p.ids, id)
		}
		p.weights[id] = w
	}
	for _, x := range t.Terms {
		add("terms/"+x.Term.Value, x.Weight.Value)
	}
	for i, x := range t.Patterns {
		add(fmt.Sprintf("patterns/%d", i), x.Weight.Value)
	}
	for i, x := range t.Entities {
		add(fmt.Sprintf("entities/%d", i), x.Weight.Value)
	}
	for i, x := range t.Near {
		add(fmt.Sprintf("near/%d", i), x.Weight.Value)
	}
}

// AliasID is the rule id of a gazetteer alias: "gazetteer/<canonical>/<section>/<alias as written>", section one
// of canonical (the canonical name matches as an alias), aliases, exact, demonyms.
func AliasID(canonical, section, alias string) string {
	return "gazetteer/" + canonical + "/" + section + "/" + alias
}

func (p *Pack) addEntity(e rules.EntityRule) {
	key := rules.Fold(e.Canonical.Value)
	for _, s := range []struct {
		name string
		l    []rules.Str
	}{{"canonical", []rules.Str{e.Canonical}}, {"aliases", e.Aliases}, {"exact", e.Exact}, {"demonyms", e.Demonyms}} {
		for _, a := range s.l {
			id := AliasID(e.Canonical.Value, s.name, a.Value)
			p.ids = append(p.ids, id)
			p.aliases[key] = append(p.aliases[key], alias{id: id, folded: rules.Fold(a.Value)})
		}
	}
}

// RuleIDs returns the id of every topic rule and gazetteer alias of the pack, in pack order.
func (p *Pack) RuleIDs() []string { return slices.Clone(p.ids) }

// Weight returns the weight a topic rule was written with, and false for an id the pack does not define.
func (p *Pack) Weight(id string) (float64, bool) { w, ok := p.weights[id]; return w, ok }

// aliasOf names the alias behind a gazetteer mention: the alias whose folded form equals the mention's, or else
// the longest one the mention starts with (an inflected form); "" when none fits.
func (p *Pack) aliasOf(canonical, text string) string {
	f := rules.Fold(text)
	best, bestLen := "", -1
	for _, a := range p.aliases[rules.Fold(canonical)] {
		if a.folded == f {
			return a.id
		}
		if strings.HasPrefix(f, a.folded) && len(a.folded) > bestLen {
			best, bestLen = a.id, len(a.folded)
		}
	}
	return best
}

// Counted is one piece of topic evidence with how it counted.
type Counted struct {
	Label string `json:"label"`
	tagger.Evidence
	Weight      float64 `json:"weight"`       // the rule's weight as written
	TitleFactor float64 `json:"title_factor"` // title_weight for a term, pattern or near hit in the title, else 1
	Counted     float64 `json:"counted"`      // weight * title_factor: what it added to the raw score
	Share       float64 `json:"share"`        // counted / the label's raw score
	Decisive    bool    `json:"decisive"`     // without this rule's hits the label would be under its threshold
}

// Score is a label's raw evidence against its threshold, assigned or not.
type Score struct {
	Label     string  `json:"label"`
	Assigned  bool    `json:"assigned"`
	Score     float64 `json:"score"`     // 1 - 0.5^(raw/threshold); under 0.5 when raw is under the threshold
	Raw       float64 `json:"raw"`       // the summed weights of the evidence
	Threshold float64 `json:"threshold"` // from the pack
	// Blocked is true when raw reaches the threshold but the label's `requires` is not met.
	Blocked  bool      `json:"blocked,omitempty"`
	Evidence []Counted `json:"evidence"`
}

// AliasHit is a gazetteer entity mention with the alias rule that produced it.
type AliasHit struct {
	Entity int    `json:"entity"` // index into the record's Entities
	Rule   string `json:"rule"`   // AliasID, "" when no alias fits (an implied mention or an edited pack)
}

// Explanation says why a record has its labels and entities.
type Explanation struct {
	// Scores holds every assigned label, then the labels whose raw evidence reached NearMiss of their threshold,
	// by score descending.
	Scores  []Score    `json:"scores"`
	Aliases []AliasHit `json:"aliases"`
}

// Explain explains rec, which the tagger made from doc with p's rules (another pack gives meaningless figures).
func (p *Pack) Explain(doc rules.Doc, rec *tagger.Record) Explanation {
	var ex Explanation
	assigned := map[string]tagger.Topic{}
	for _, t := range rec.Topics {
		assigned[t.Label] = t
	}
	probe := p.probe.Match(doc)
	seen := map[string]bool{}
	for _, pt := range probe.Topics {
		seen[pt.Label] = true
		info := p.topics[pt.Label]
		s := Score{Label: pt.Label, Threshold: info.threshold}
		t, ok := assigned[pt.Label]
		s.Assigned = ok
		var evs []tagger.Evidence
		if ok {
			s.Score = t.Score
			evs = t.Evidence
			s.Evidence = p.count(pt.Label, evs, true)
			s.Raw = rawOf(t.Score, info.threshold, s.Evidence)
		} else {
			for _, e := range pt.Evidence {
				evs = append(evs, tagger.Evidence{Rule: e.Rule, Text: e.Text, Field: string(e.Field), Start: e.Start, End: e.End})
			}
			s.Evidence = p.count(pt.Label, evs, false)
			s.Raw = rawOf(pt.Score, info.threshold*probeFactor, s.Evidence)
			s.Score = 1 - math.Pow(0.5, s.Raw/info.threshold)
			s.Blocked = s.Raw >= info.threshold*(1-1e-9)
			if s.Raw < info.threshold*NearMiss {
				continue
			}
		}
		ex.Scores = append(ex.Scores, s)
	}
	for _, t := range rec.Topics { // a label the probe cannot see (a pack p did not compile): evidence as is
		if !seen[t.Label] {
			ex.Scores = append(ex.Scores, Score{Label: t.Label, Assigned: true, Score: t.Score, Evidence: p.count(t.Label, t.Evidence, true)})
		}
	}
	slices.SortStableFunc(ex.Scores, func(a, b Score) int {
		if a.Assigned != b.Assigned {
			if a.Assigned {
				return -1
			}
			return 1
		}
		return -cmpFloat(a.Score, b.Score)
	})
	for i, e := range rec.Entities {
		if e.Source != tagger.SourceGazetteer {
			continue
		}
		id := ""
		if !e.Implied {
			id = p.aliasOf(e.Canonical, e.Text)
		}
		ex.Aliases = append(ex.Aliases, AliasHit{Entity: i, Rule: id})
	}
	return ex
}

// rawOf returns the raw evidence behind score = 1 - 0.5^(raw/threshold), or, where the score has reached 1 in
// float64, the summed counts of the evidence.
func rawOf(score, threshold float64, evs []Counted) float64 {
	if score < 1-1e-12 {
		return threshold * math.Log2(1/(1-score))
	}
	var raw float64
	for _, e := range evs {
		raw += e.Counted
	}
	return raw
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// count weighs each piece of evidence of label and, when it is assigned, marks the rules the label depends on.
func (p *Pack) count(label string, evs []tagger.Evidence, assigned bool) []Counted {
	info := p.topics[label]
	out := make([]Counted, len(evs))
	var raw float64
	byRule := map[string]float64{}
	for i, e := range evs {
		w, ok := p.weights[e.Rule]
		if !ok {
			w = 1
		}
		f := 1.0
		if e.Field == string(rules.Title) && !strings.HasPrefix(e.Rule, label+"/entities/") {
			f = info.titleWeight
		}
		out[i] = Counted{Label: label, Evidence: e, Weight: w, TitleFactor: f, Counted: w * f}
		raw += w * f
		byRule[e.Rule] += w * f
	}
	for i := range out {
		if raw > 0 {
			out[i].Share = out[i].Counted / raw
		}
		out[i].Decisive = assigned && raw-byRule[out[i].Rule] < info.threshold*(1-1e-9)
	}
	return out
}

// RuleHits turns an explanation into what eval.RuleStats counts: one entry per rule and assigned label or
// reported entity, with the number of hits and whether the outcome depended on the rule. Under-threshold evidence
// counts as fired, towards no outcome.
func (p *Pack) RuleHits(rec *tagger.Record, ex Explanation) []eval.RuleHit {
	var out []eval.RuleHit
	for _, s := range ex.Scores {
		idx := map[string]int{}
		for _, e := range s.Evidence {
			i, ok := idx[e.Rule]
			if !ok {
				i = len(out)
				idx[e.Rule] = i
				out = append(out, eval.RuleHit{Rule: e.Rule, Group: s.Label, Label: s.Label, Output: s.Assigned, Decisive: e.Decisive})
			}
			out[i].Hits++
		}
	}
	type key struct{ rule, ent string }
	idx := map[key]int{}
	perEntity := map[string]map[string]bool{}
	for _, a := range ex.Aliases {
		if a.Rule == "" {
			continue
		}
		e := rec.Entities[a.Entity]
		ent := e.Type + ":" + e.Canonical
		k := key{a.Rule, ent}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, eval.RuleHit{Rule: a.Rule, Group: ent, Entity: &eval.Entity{Type: e.Type, Canonical: e.Canonical}, Output: true})
			if perEntity[ent] == nil {
				perEntity[ent] = map[string]bool{}
			}
			perEntity[ent][a.Rule] = true
		}
		out[i].Hits++
	}
	for i := range out {
		if out[i].Entity != nil {
			out[i].Decisive = len(perEntity[out[i].Group]) == 1
		}
	}
	return out
}
