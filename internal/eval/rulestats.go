package eval

import (
	"cmp"
	"slices"
	"strings"
)

// RuleHit is what one rule did in one article towards one outcome: a topic label, or an entity for a gazetteer
// alias. internal/explain derives them from a tagged record.
type RuleHit struct {
	Rule   string  // the rule id: "military/terms/missile", "leaflets/near/0", "gazetteer/North Korea/aliases/DPRK"
	Group  string  // what the rule is evidence for: the label, or "TYPE:Canonical"; redundancy is looked for within it
	Label  string  // the label it counted for ("" for an alias)
	Entity *Entity // the entity it produced (nil for a topic rule)
	Hits   int     // times it fired in the article
	// Output is true when the label was assigned (always true for an alias: its entity is reported).
	Output bool
	// Decisive is true when the outcome depended on this rule: without its hits the label would be under its
	// threshold, or no other alias produced the entity.
	Decisive bool
}

// RuleStat holds one rule's statistics over a gold set.
type RuleStat struct {
	ID       string `json:"id"`
	Fired    int    `json:"fired"`    // hits over all articles, under-threshold evidence included
	Articles int    `json:"articles"` // articles it fired in
	// TruePositive counts the articles in which the rule was evidence of a label (or produced an entity) that
	// the gold has; FalsePositive those where the gold does not have it. The decisive counts are the part of
	// each where the outcome depended on the rule alone.
	TruePositive   int `json:"true_positive"`
	FalsePositive  int `json:"false_positive"`
	DecisiveTrue   int `json:"decisive_true"`
	DecisiveFalse  int `json:"decisive_false"`
	UnderThreshold int `json:"under_threshold,omitempty"` // articles where it fired for a label not assigned
	// RedundantWith lists rules of the same label or entity that fired in every article this one fired in (only
	// for rules that fired in at least two articles: one co-occurrence says nothing).
	RedundantWith []string `json:"redundant_with,omitempty"`
}

// Harm orders rules by the false outcomes they caused, decisive ones first: most harmful first, then by id.
func Harm(a, b RuleStat) int {
	return cmp.Or(cmp.Compare(b.DecisiveFalse, a.DecisiveFalse), cmp.Compare(b.FalsePositive, a.FalsePositive),
		cmp.Compare(a.TruePositive, b.TruePositive), cmp.Compare(a.ID, b.ID))
}

// RuleStats computes per-rule statistics over the gold articles. hits returns the rule hits of one article; known
// lists every rule id of the pack, so that rules that never fire are reported with zero counts. The result is
// sorted by Harm.
func RuleStats(golds []Gold, hits func(id string) []RuleHit, known []string) []RuleStat {
	stats := map[string]*RuleStat{}
	get := func(id string) *RuleStat {
		s := stats[id]
		if s == nil {
			s = &RuleStat{ID: id}
			stats[id] = s
		}
		return s
	}
	for _, id := range known {
		get(id)
	}
	type groupRule struct{ group, rule string }
	// together[r] = the other rules of r's group seen in every article r fired in so far (nil before the first).
	together := map[groupRule]map[string]bool{}
	for _, g := range golds {
		hs := hits(g.ID)
		goldTopics := setOf(g.Gold.Topics, strings.ToLower)
		fired := map[string]bool{}
		byGroup := map[string]map[string]bool{}
		for _, h := range hs {
			s := get(h.Rule)
			s.Fired += h.Hits
			if !fired[h.Rule] {
				fired[h.Rule] = true
				s.Articles++
			}
			if byGroup[h.Group] == nil {
				byGroup[h.Group] = map[string]bool{}
			}
			byGroup[h.Group][h.Rule] = true
			if !h.Output {
				s.UnderThreshold++
				continue
			}
			var truth bool
			if h.Entity != nil {
				truth = slices.ContainsFunc(g.Gold.Entities, func(ge GoldEntity) bool {
					return strings.EqualFold(ge.Type, h.Entity.Type) && ge.matches(Normalize(h.Entity.Canonical))
				})
			} else {
				truth = goldTopics[strings.ToLower(h.Label)]
			}
			switch {
			case truth && h.Decisive:
				s.TruePositive++
				s.DecisiveTrue++
			case truth:
				s.TruePositive++
			case h.Decisive:
				s.FalsePositive++
				s.DecisiveFalse++
			default:
				s.FalsePositive++
			}
		}
		for group, rs := range byGroup {
			for r := range rs {
				k := groupRule{group, r}
				prev, ok := together[k]
				if !ok {
					prev = map[string]bool{}
					for o := range rs {
						if o != r {
							prev[o] = true
						}
					}
					together[k] = prev
					continue
				}
				for o := range prev {
					if !rs[o] {
						delete(prev, o)
					}
				}
			}
		}
	}
	for k, others := range together {
		s := stats[k.rule]
		if s.Articles < 2 {
			continue
		}
		for o := range others {
			if !slices.Contains(s.RedundantWith, o) {
				s.RedundantWith = append(s.RedundantWith, o)
			}
		}
	}
	out := make([]RuleStat, 0, len(stats))
	for _, s := range stats {
		slices.Sort(s.RedundantWith)
		out = append(out, *s)
	}
	slices.SortFunc(out, Harm)
	return out
}

// NeverFired returns the ids of the rules that did not fire in any article, in id order.
func NeverFired(stats []RuleStat) []string {
	var out []string
	for _, s := range stats {
		if s.Fired == 0 {
			out = append(out, s.ID)
		}
	}
	slices.Sort(out)
	return out
}
