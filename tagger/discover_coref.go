package tagger

import (
	"cmp"
	"slices"
	"strings"

	"github.com/tagpipe/tagpipe/rules"
)

// corefer resolves single words: a surname of a person mentioned in full, or the whole name of another
// discovered entity. Unresolved singles are dropped.
func (x *discovery) corefer() {
	x.confirmWeak()
	sc := x.sc
	refs := sc.refs[:0]
	for _, m := range x.ms {
		if m.Entity.Type == rules.Person {
			refs = append(refs, ref{key: x.surname(m.Entity.Canonical), fi: fieldIndex(string(m.Field)), pos: m.Start,
				canonical: m.Entity.Canonical, typ: string(m.Entity.Type), id: m.Entity.ID, source: SourceGazetteer})
		}
	}
	for _, c := range sc.cands {
		switch {
		case c.single || c.weak:
		case c.typ == string(rules.Person):
			refs = append(refs, ref{key: x.surname(c.canonical), fi: c.fi, pos: c.rstart, canonical: c.canonical,
				typ: c.typ, id: c.id, source: c.source})
		case c.source == SourceDiscovered:
			refs = append(refs, ref{key: rules.Fold(c.canonical), fi: c.fi, pos: c.rstart, canonical: c.canonical,
				typ: c.typ, source: c.source})
		}
	}
	sc.refs = refs
	order := func(a, b ref) int {
		return cmp.Or(strings.Compare(a.key, b.key), cmp.Compare(a.fi, b.fi), cmp.Compare(a.pos, b.pos))
	}
	slices.SortFunc(refs, order)
	for i := range sc.cands {
		c := &sc.cands[i]
		if !c.single {
			continue
		}
		// The nearest full mention with the same key before the single word, else the first after it.
		j, _ := slices.BinarySearchFunc(refs, ref{key: c.key, fi: c.fi, pos: c.rstart}, order)
		var r *ref
		switch {
		case j > 0 && refs[j-1].key == c.key:
			r = &refs[j-1]
		case j < len(refs) && refs[j].key == c.key:
			r = &refs[j]
		}
		if r == nil {
			if c.place {
				c.single = false
				c.canonical, c.typ, c.source = collapseSpace(c.text), string(rules.Location), SourceDiscovered
			}
			continue
		}
		c.single = false
		c.canonical, c.typ, c.id, c.source = r.canonical, r.typ, r.id, r.source
	}
}

// A ref is a full mention a single word may refer to.
type ref struct {
	key                        string // surname (persons) or folded name
	fi, pos                    int
	canonical, typ, id, source string
}

// surname is surnameKey, memoized.
func (x *discovery) surname(name string) string {
	sc := x.sc
	if k, ok := sc.surnames[name]; ok {
		return k
	}
	k := surnameKey(name)
	if len(sc.surnames) >= maxCache {
		clear(sc.surnames)
	}
	sc.surnames[strings.Clone(name)] = k
	return k
}

// confirmWeak keeps a weak person (`First Last` without context) only if its surname also stands alone
// somewhere in the article (`... Hartmann added`).
func (x *discovery) confirmWeak() {
	var weak bool
	for _, c := range x.sc.cands {
		weak = weak || c.weak
	}
	if !weak {
		return
	}
	singles := map[string]bool{}
	for _, c := range x.sc.cands {
		if c.single {
			singles[c.key] = true
		}
	}
	for i := range x.sc.cands {
		if c := &x.sc.cands[i]; c.weak && singles[x.surname(c.canonical)] {
			c.weak = false
		}
	}
}

// surnameKey returns the folded surname of a person's name: the first word of a Korean name (`Choi` of
// `Choi Seong-ryong`), else the last word.
func surnameKey(name string) string {
	f := rules.Fold(name) // words separated by single spaces
	first, rest, two := strings.Cut(f, " ")
	if !two {
		return f
	}
	if koreanSurnames[first] && (strings.ContainsRune(name, '-') || strings.Count(rest, " ") == 1) {
		return first
	}
	return f[strings.LastIndexByte(f, ' ')+1:]
}
