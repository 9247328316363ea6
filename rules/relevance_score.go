package rules

import (
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// TopicScore is how one label scored on a Doc, assigned or not: see RuleSet.Explain.
type TopicScore struct {
	Label     string  `json:"label"`
	Assigned  bool    `json:"assigned"`
	Score     float64 `json:"score"` // 1 - 0.5^(raw/threshold); 0 when nothing counted
	Raw       float64 `json:"raw"`   // the summed evidence after every factor
	Threshold float64 `json:"threshold"`
	// RequiresMet says whether `requires` (if any) is met: with it, the label is assigned exactly when Raw reaches
	// Threshold, whatever the threshold (what `tagpipe rules fit` relies on).
	RequiresMet bool `json:"requires_met"`
	// Evidence is every hit, counted or discounted, in the order the rules found them.
	Evidence []ScoredEvidence `json:"evidence"`
	// Notes are label-level adjustments and vetoes ("passing: ...", "requires: ...").
	Notes []string `json:"notes,omitempty"`
}

// ScoredEvidence is one hit with what the relevance model made of it.
type ScoredEvidence struct {
	Evidence
	Weight   float64  `json:"weight"`   // the rule's weight, title weighting included
	Factor   float64  `json:"factor"`   // the share kept (1: all)
	Sentence int      `json:"sentence"` // 0: the title, 1: the lead sentence, 2...: later body sentences
	Why      []string `json:"why,omitempty"`
}

// Explain scores every topic label of the pack on doc, including those not assigned, with each hit's weight,
// what the relevance model kept of it and why. Labels come in pack order. It is slower than Match.
func (rs *RuleSet) Explain(doc Doc) []TopicScore {
	st := rs.pool.Get().(*matchState)
	defer rs.pool.Put(st)
	st.m.reset(nil, 0) // no context and no budget: never stops early
	rs.prepare(st, doc)
	out := make([]TopicScore, len(rs.topics))
	for i := range rs.topics {
		out[i].Label = rs.topics[i].label
		_, _ = rs.evalTopic(st, &rs.topics[i], st.thits[i], &out[i])
	}
	return out
}

// Reasons a hit is discounted.
const (
	whyAttribution = "attribution"
	whyBackground  = "background"
	whyModifier    = "modifier"
	whyPlace       = "place"
	whyObject      = "object"
	whyShared      = "shared"
)

// occKind says what an occurrence is, for the factors that depend on it.
type occKind uint8

const (
	occOther  occKind = iota // a term, pattern or near hit, or an entity that is neither of the below
	occPerson                // a PERSON mention: never a mere source
	occPlace                 // a LOCATION mention: a demonym or possessive of it may only modify a noun
	occOrg                   // an ORGANIZATION mention
)

// occFactor is the share of its weight occurrence o keeps under rel, its sentence, and the reasons as f* bits.
// Person mentions are exempt from the attribution discount; backed modifiers (see score) from the modifier one.
func (rs *RuleSet) occFactor(st *matchState, o occ, rel *relevance, kind occKind, backed bool) (float64, int, uint16) {
	c := rs.occFacts(st, o)
	factor, why := 1.0, uint16(0)
	if kind == occPlace && !backed && rel.modifier < 1 && c.flags&fModifier != 0 {
		factor *= rel.modifier
		why |= fModifier
	}
	// a term is the source only when it heads the phrase before the verb ("the military said", not "the tourism
	// office said"); a name may be followed by the rest of the source's name ("South Korea's spy agency told")
	said := fSaid
	if kind == occOther {
		said = fSaidNext
	}
	if kind != occPerson && rel.attribution < 1 && c.flags&(said|fSourceCue) != 0 || kind != occOther && kind != occPerson && c.flags&fHeadline != 0 {
		factor *= rel.attribution
		why |= fSaid
	}
	switch {
	case kind == occPlace && rel.place < 1 && c.flags&(fPlace|fModifier) == fPlace: // a modifier's noun is the object
		factor *= rel.place
		why |= fPlace
	case kind == occPlace && rel.object < 1 && c.flags&fObject != 0:
		factor *= rel.object
		why |= fObject
	}
	if rel.background < 1 && c.flags&fBackground != 0 {
		factor *= rel.background
		why |= fBackground
	}
	return factor, int(c.sent), why
}

// whyNames spells out occFactor's reason bits for Explain.
func whyNames(why uint16) []string {
	var out []string
	for _, x := range []struct {
		bit  uint16
		name string
	}{{fModifier, whyModifier}, {fSaid, whyAttribution}, {fBackground, whyBackground}, {fPlace, whyPlace}, {fObject, whyObject}, {fShared, whyShared}} {
		if why&x.bit != 0 {
			out = append(out, x.name)
		}
	}
	return out
}

// sentSet is a set of sentence indexes (those past 63 share the last bit).
type sentSet uint64

func (s *sentSet) add(i int) { *s |= 1 << min(i, 63) }

func (s sentSet) count() int { return bits.OnesCount64(uint64(s)) }

// inLead reports whether the set holds the title or one of the first lead body sentences.
func (s sentSet) inLead(lead int) bool { return s&(1<<(min(lead, 62)+1)-1) != 0 }

// score sums the hits of tp under the relevance model, adds the entity conditions, applies the passing rule and
// `requires`, and returns the label when it reaches the threshold. trace, when not nil, receives every step.
func (rs *RuleSet) score(st *matchState, tp *topic, hits []hit, trace *TopicScore) (Topic, bool) {
	rel := &tp.rel
	if trace == nil && (tp.requires != nil && !st.present(tp.requires) || rs.upperBound(st, tp, hits) < tp.threshold*(1-1e-9)) {
		return Topic{}, false // every factor is at most 1: the label cannot be reached, skip the sentence work
	}
	var raw, strongest float64
	var sents sentSet
	oneRule := int32(-1) // the only rule that counted so far; -2 once two did
	counted := func(rule int32, base float64) {
		strongest = max(strongest, base)
		switch {
		case oneRule == -1:
			oneRule = rule
		case oneRule != rule:
			oneRule = -2
		}
	}
	kept := hits[:0]
	note := func(h hit, factor float64, sent int, why uint16, extra ...string) {
		if trace != nil {
			trace.Evidence = append(trace.Evidence, ScoredEvidence{
				Evidence: Evidence{Rule: tp.rules[h.rule], Text: st.text(h.occ), Span: st.span(h.occ)},
				Weight:   h.weight, Factor: factor, Sentence: sent, Why: append(whyNames(why), extra...),
			})
		}
	}
	for _, h := range hits {
		factor, sent, why := rs.occFactor(st, h.occ, rel, occOther, false)
		if rel.shared < 1 && rs.sharedBy(st, tp, h) {
			factor *= rel.shared
			why |= fShared
		}
		note(h, factor, sent, why)
		if factor <= 0 {
			continue
		}
		raw += h.weight * factor
		sents.add(sent)
		base := h.weight
		if h.field == 0 {
			base /= tp.titleWeight
		}
		counted(h.rule, base)
		h.weight *= factor
		kept = append(kept, h)
	}
	hits = kept
	for _, c := range tp.entities {
		var count, best float64
		var first occ
		inTitle, bestSent := false, 0
		var bestWhy uint16
		var cs sentSet
	refs:
		for _, r := range c.refs {
			kind := occOther
			if r.entity >= 0 {
				switch rs.entities[r.entity].Type {
				case Person:
					kind = occPerson
				case Location:
					kind = occPlace
				case Organization:
					kind = occOrg
				}
			}
			var occs []occ
			if r.entity >= 0 {
				occs = st.entOccs(r.entity)
			} else {
				occs = st.termOccs(r.term)
			}
			for _, o := range occs {
				// a modifier whose noun is the label's own evidence ("South Korean troops") counts in full
				backed := kind == occPlace && slices.ContainsFunc(hits, func(h hit) bool {
					return h.field == o.field && wordDist(h.occ, o) <= modifierReach
				})
				factor, sent, why := rs.occFactor(st, o, rel, kind, backed)
				count += factor
				if factor > 0 {
					cs.add(sent)
				}
				if o.field == 0 && factor >= 1 {
					if rel.titleMentions > 0 { // worth that many mentions toward min, not any min
						count += float64(rel.titleMentions) - factor
					} else {
						inTitle = true
					}
				}
				// the best-kept occurrence stands for the condition; of equals the title's, then the first
				if better := factor > best || factor == best && factor > 0 && (o.field < first.field ||
					o.field == first.field && o.start < first.start); better {
					best, first, bestSent, bestWhy = factor, o, sent, why
				}
				// decided: counted in full, enough mentions, and the passing rule cannot apply
				if trace == nil && best >= 1 && count >= float64(c.min) && (sents | cs).inLead(rel.lead) {
					break refs
				}
			}
		}
		if best <= 0 || !(count >= float64(c.min)*(1-1e-9) || inTitle) {
			if trace != nil && count > 0 {
				// the mention that came closest, with what discounted it, scored as nothing
				note(hit{occ: first, weight: c.weight, rule: c.rule}, 0, bestSent, bestWhy, "below min")
				trace.Notes = append(trace.Notes, fmt.Sprintf("%s: %.2g of %d mentions counted, not enough",
					tp.rules[c.rule], count, c.min))
			}
			continue
		}
		h := hit{occ: first, weight: c.weight * best, rule: c.rule}
		note(hit{occ: first, weight: c.weight, rule: c.rule}, best, bestSent, bestWhy)
		raw += h.weight
		sents |= cs
		hits = append(hits, h)
		counted(c.rule, c.weight)
	}
	if raw > 0 && !sents.inLead(rel.lead) && sents.count() < rel.minSentences {
		raw *= rel.passing
		if trace != nil {
			trace.Notes = append(trace.Notes, fmt.Sprintf("passing: evidence in %d body sentence(s) after the lead, "+
				"none in the title or lead: x%g", sents.count(), rel.passing))
		}
	}
	if raw > 0 && oneRule >= 0 && strongest < tp.threshold*(1-1e-9) && rel.oneRule < 1 {
		raw *= rel.oneRule
		if trace != nil {
			trace.Notes = append(trace.Notes, fmt.Sprintf("one_rule: all evidence is %s, weaker than the threshold: x%g",
				tp.rules[oneRule], rel.oneRule))
		}
	}
	ok := raw > 0 && raw >= tp.threshold*(1-1e-9)
	if ok && tp.requires != nil && !st.present(tp.requires) {
		ok = false
		if trace != nil {
			trace.Notes = append(trace.Notes, "requires: none of the required names or words is present")
		}
	}
	score := 0.0
	if raw > 0 {
		score = 1 - math.Pow(0.5, raw/tp.threshold)
	}
	if trace != nil {
		trace.Assigned, trace.Score, trace.Raw, trace.Threshold = ok, score, raw, tp.threshold
		trace.RequiresMet = tp.requires == nil || st.present(tp.requires)
	}
	if !ok {
		return Topic{}, false
	}
	t := Topic{Label: tp.label, Score: score, Evidence: make([]Evidence, len(hits))}
	for i, h := range hits {
		t.Evidence[i] = Evidence{Rule: tp.rules[h.rule], Text: st.text(h.occ), Span: st.span(h.occ)}
	}
	return t, true
}

// sharedBy reports whether another label counts the words of hit h as its own term with a larger weight (title
// weighting aside): "defector" is human-rights' word before it is north-korea's, "nuclear weapons" nuclear's
// before military's.
func (rs *RuleSet) sharedBy(st *matchState, tp *topic, h hit) bool {
	w := h.weight
	if h.field == 0 {
		w /= tp.titleWeight
	}
	for j := range rs.topics {
		o := &rs.topics[j]
		if o == tp {
			continue
		}
		hs := st.thits[j]
		k, hi := 0, len(hs) // the first hit not before h (hits are in text order)
		for k < hi {
			if m := int(uint(k+hi) >> 1); hs[m].before(h.occ) {
				k = m + 1
			} else {
				hi = m
			}
		}
		if k == len(hs) || hs[k].field != h.field || hs[k].start != h.start || hs[k].end != h.end {
			continue
		}
		ow := hs[k].weight
		if h.field == 0 {
			ow /= o.titleWeight
		}
		if ow > w*(1+1e-9) {
			return true
		}
	}
	return false
}

// upperBound is the score tp's hits and entity conditions would reach with every factor at 1.
func (rs *RuleSet) upperBound(st *matchState, tp *topic, hits []hit) float64 {
	var raw float64
	for _, h := range hits {
		raw += h.weight
	}
	for _, c := range tp.entities {
		n, inTitle := 0, false
		for _, r := range c.refs {
			var occs []occ
			if r.entity >= 0 {
				occs = st.entOccs(r.entity)
			} else {
				occs = st.termOccs(r.term)
			}
			n += len(occs)
			inTitle = inTitle || len(occs) > 0 && occs[0].field == 0
		}
		if n >= c.min || inTitle {
			raw += c.weight
		}
	}
	return raw
}

// present reports whether one of refs occurs in the Doc.
func (st *matchState) present(refs []ref) bool {
	for _, r := range refs {
		if r.entity < 0 && len(st.termOccs(r.term)) > 0 || r.entity >= 0 && len(st.entOccs(r.entity)) > 0 {
			return true
		}
	}
	return false
}
