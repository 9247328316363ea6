package rules

import "slices"

// impliedWindow is how many words before an ambiguous mention pickAlt looks for the entity it implies.
const impliedWindow = 25

// entState is the per-entity state of one resolve pass, kept across calls in matchState. Entries are valid when
// their generation stamp equals the current one, so a pass clears nothing: its cost is the number of mentions,
// not the size of the gazetteer.
type entState struct {
	unamb   []uint32 // entity -> gen when it has an unambiguous mention in the document
	title   []uint32 // entity -> gen when the title (field 0) mentions it or an entity that implies it
	last    []int32  // entity -> w1 of its latest mention so far in the current field (valid when lastGen == fgen)
	lastGen []uint32
	gen     uint32 // this document
	fgen    uint32 // this field of this document
}

// prepare sizes the tables for n entities and starts a new document.
func (e *entState) prepare(n int) {
	if len(e.unamb) < n {
		e.unamb = make([]uint32, n)
		e.title = make([]uint32, n)
		e.last = make([]int32, n)
		e.lastGen = make([]uint32, n)
		e.gen, e.fgen = 0, 0
	}
	e.gen++
	if e.gen == 0 { // wrapped: old stamps could look current
		clear(e.unamb)
		clear(e.title)
		e.gen = 1
	}
}

// nextField starts a new field: no mention seen yet.
func (e *entState) nextField() {
	e.fgen++
	if e.fgen == 0 {
		clear(e.lastGen)
		e.fgen = 1
	}
}

// resolve picks the entity of ambiguous mentions (see pickAlt) and adds implied mentions, each right after the
// mention that implies it (not after a mention through an ambiguous alias or one that does not spell the implied
// entity out). One pass over the mentions with per-entity state: O(mentions x alternatives).
func (rs *RuleSet) resolve(st *matchState) {
	ambiguous, dropped := false, false
	for i := range st.ments {
		if len(st.ments[i].t.alts) > 0 {
			ambiguous = true
			break
		}
	}
	if ambiguous {
		e := &st.ent
		e.prepare(len(rs.entities))
		for i := range st.ments {
			if m := &st.ments[i]; len(m.t.alts) == 0 {
				e.unamb[m.entity] = e.gen
			}
		}
		field := -1
		for i := range st.ments {
			m := &st.ments[i]
			if int(m.field) != field {
				field = int(m.field)
				e.nextField()
			}
			if len(m.t.alts) > 0 {
				var prev *ment
				if i > 0 && st.ments[i-1].field == m.field {
					prev = &st.ments[i-1]
				}
				m.entity = rs.pickAlt(e, m, prev, st.f[m.field].text)
				if !st.m.add(len(m.t.alts)) {
					return
				}
				if m.entity < 0 {
					dropped = true
					continue
				}
			}
			e.last[m.entity], e.lastGen[m.entity] = m.w1, e.fgen
			if m.field == 0 {
				e.title[m.entity] = e.gen
				if len(m.t.alts) == 0 && !m.t.noImply {
					for _, imp := range rs.implies[m.entity] {
						e.title[imp] = e.gen // `Bank of Russia cuts key rate` names Russia
					}
				}
			}
		}
	}
	if dropped {
		st.ments = slices.DeleteFunc(st.ments, func(m ment) bool { return m.entity < 0 })
	}
	n := len(st.ments)
	extra := 0
	for i := 0; i < n; i++ {
		extra += len(rs.implies[st.ments[i].entity])
	}
	if extra == 0 {
		return
	}
	// Mentions are in text order with distinct starts per field, so this is the order of a stable sort by
	// (field, start) of the mentions followed by their implied copies.
	out := st.mbuf[:0]
	for _, m := range st.ments {
		out = append(out, m)
		if len(m.t.alts) > 0 || m.t.noImply {
			// A name that does not spell out the country ("the foreign ministry", "USFK") is no mention of it:
			// the article mentions the country only if it names it (then as its own mention).
			continue
		}
		for _, imp := range rs.implies[m.entity] {
			mi := m
			mi.entity, mi.implied, mi.demonym = imp, true, false
			out = append(out, mi)
		}
	}
	st.ments, st.mbuf = out, st.ments
}

// pickAlt chooses the entity of the ambiguous mention m: the candidate whose implied entity owns m, named right
// before it (see ownerBefore), or -1 (no mention) when a country owns it (a place some entity implies) that no
// candidate implies (`Israel's health ministry` is not South Korea's); else the first candidate that has an unambiguous mention of its own in the article; else the candidate whose implied entity (its country, for a ministry) was mentioned
// last before m, within impliedWindow words of the same field ("Japanese authorities ... Tokyo's Ministry of
// Defense"); else the first candidate whose implied entity is named in the title, the article's subject, or implied
// there ("Ex-Russian deputy defense minister jailed", "Bank of Russia cuts key rate" ... "the Finance Ministry said");
// else the first listed. e holds, per entity, whether it has an unambiguous mention and where its
// latest mention before m ends (mentions before m are resolved already, ambiguous ones included).
func (rs *RuleSet) pickAlt(e *entState, m *ment, prev *ment, text []byte) int32 {
	alts := m.t.alts
	byMention, byPhrase := rs.ownerBefore(m, prev, text)
	country := false // an owner that is a place: `Israel's defense ministry` is Israel's, or no body the pack lists
	for _, own := range [2]int32{byPhrase, byMention} {
		if own < 0 {
			continue
		}
		country = country || rs.implied[own] && rs.entities[own].Type == Location
		for _, a := range alts {
			for _, imp := range rs.implies[a] {
				if imp == own {
					return a
				}
			}
		}
	}
	if country {
		return -1
	}
	for _, a := range alts {
		if e.unamb[a] == e.gen {
			return a
		}
	}
	best, bestDist := alts[0], int32(impliedWindow+1)
	for _, a := range alts {
		for _, imp := range rs.implies[a] {
			var d int32
			switch {
			case imp == m.entity && m.w1 <= m.w0:
				d = 0 // m itself, still under its first candidate, a one-word mention
			case e.lastGen[imp] == e.fgen:
				d = m.w0 - e.last[imp]
			default:
				continue
			}
			if d < bestDist {
				best, bestDist = a, d
			}
		}
	}
	if bestDist <= impliedWindow || m.field == 0 {
		return best
	}
	for _, a := range alts {
		for _, imp := range rs.implies[a] {
			if e.title[imp] == e.gen {
				return a
			}
		}
	}
	return best
}

// ownerBefore returns the entities named as the owner right before the ambiguous mention m (-1: none): the
// mention just before it, adjacent or through a possessive ("Russia's defense ministry", "Ukrainian defence
// ministry"), and an `owners` phrase of the pack in the folded text before it ("Seoul's", "the North's"). prev is
// the mention before m in its field (nil: none); text is m's folded field.
func (rs *RuleSet) ownerBefore(m *ment, prev *ment, text []byte) (byMention, byPhrase int32) {
	byMention, byPhrase = -1, -1
	p := int(m.bs) - 1 // the space before m
	poss := p >= 2 && text[p-1] == 's' && text[p-2] == ' '
	end := p // the end of the owner phrase, a space
	if poss {
		end = p - 2
	}
	if prev != nil && !prev.implied && (prev.w1 == m.w0-1 || poss && prev.w1 == m.w0-2) {
		byMention = prev.entity
	}
	if len(rs.owners) == 0 || end <= 0 {
		return byMention, byPhrase
	}
	// The 1..maxOwner words ending at end, longest first.
	var buf [4]int
	starts := buf[:0]
	for i, w := end-1, 0; i >= 0 && w < rs.maxOwner; i-- {
		if text[i] == ' ' {
			starts = append(starts, i+1)
			w++
		}
	}
	for k := len(starts) - 1; k >= 0; k-- {
		if id, ok := rs.owners[string(text[starts[k]:end])]; ok {
			return byMention, id
		}
	}
	return byMention, byPhrase
}
