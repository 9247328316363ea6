package tagger

import (
	"cmp"
	"slices"

	"github.com/tagpipe/tagpipe/rules"
)

func gazEntity(m rules.Mention) Entity {
	return Entity{
		Text: m.Text, Canonical: m.Entity.Canonical, Type: string(m.Entity.Type), ID: m.Entity.ID,
		Source: SourceGazetteer, Field: string(m.Field), Start: m.Start, End: m.End, Demonym: m.Demonym,
		Implied: m.Implied,
	}
}

var fieldNames = [2]rules.Field{rules.Title, rules.Body}

func fieldIndex(f string) int {
	if f == string(rules.Title) {
		return 0
	}
	return 1
}

// suppress drops gazetteer mention m and the mentions implied at its span. Mentions are sorted by field and
// start, so those sharing m's span are its neighbours: it looks at them only, not at every mention.
func (x *discovery) suppress(m int) {
	f, start, end := x.ms[m].Field, x.ms[m].Start, x.ms[m].End
	lo := m
	for lo > 0 && x.ms[lo-1].Field == f && x.ms[lo-1].Start == start {
		lo--
	}
	for k := lo; k < len(x.ms) && x.ms[k].Field == f && x.ms[k].Start == start; k++ {
		if x.ms[k].End == end {
			x.sc.supp[k] = true
		}
	}
}

// merge returns the gazetteer's mentions, less the suppressed ones, and the kept candidates in one list sorted by
// field, start and longest first. Mentions come sorted; candidates nearly so: it sorts candidate indices and
// merges the two lists in one pass.
func (x *discovery) merge() []Entity {
	sc := x.sc
	sc.order = sc.order[:0]
	for i, c := range sc.cands {
		if !c.single && !c.weak {
			sc.order = append(sc.order, int32(i))
		}
	}
	slices.SortStableFunc(sc.order, func(i, j int32) int {
		a, b := &sc.cands[i], &sc.cands[j]
		return cmp.Or(cmp.Compare(a.fi, b.fi), cmp.Compare(a.rstart, b.rstart), cmp.Compare(b.rend, a.rend))
	})
	out := make([]Entity, 0, len(x.ms)+len(sc.order))
	mi, ci := 0, 0
	for mi < len(x.ms) || ci < len(sc.order) {
		if mi < len(x.ms) && sc.supp[mi] {
			mi++
			continue
		}
		if ci == len(sc.order) {
			out = append(out, gazEntity(x.ms[mi]))
			mi++
			continue
		}
		c := &sc.cands[sc.order[ci]]
		if mi < len(x.ms) {
			m := &x.ms[mi]
			mf := fieldIndex(string(m.Field))
			if cmp.Or(cmp.Compare(mf, c.fi), cmp.Compare(m.Start, c.rstart), cmp.Compare(c.rend, m.End)) <= 0 {
				out = append(out, gazEntity(*m))
				mi++
				continue
			}
		}
		out = append(out, Entity{
			Text: c.text, Canonical: c.canonical, Type: c.typ, ID: c.id, Source: c.source,
			Field: string(fieldNames[c.fi]), Start: c.rstart, End: c.rend,
		})
		ci++
	}
	return out
}
