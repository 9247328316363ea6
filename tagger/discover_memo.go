package tagger

import (
	"strings"

	"github.com/tagpipe/tagpipe/rules"
)

// Discovery list membership comes from rules.Discovery.Lists (folded once at compile time); a single word's is
// memoized per token for the article (listsOf). Gazetteer lookups of candidate names are memoized here per rule
// set: rules.RuleSet.Lookup folds its argument on every call, and discovery asks for the same names many times per
// article.

// memo caches lookups for one rule set (cacheRS); it lives in the pooled scratch.
type memo struct {
	lookups map[string]*rules.Entity
	cacheRS *rules.RuleSet
}

func newMemo() memo { return memo{lookups: make(map[string]*rules.Entity, 256)} }

// use empties the memo if it was filled for another rule set.
func (m *memo) use(rs *rules.RuleSet) {
	if m.cacheRS != rs {
		clear(m.lookups)
		m.cacheRS = rs
	}
}

// maxCache bounds the memo; past it the memo is cleared.
const maxCache = 1 << 14

// in reports whether s (a word or phrase of the current field) is on the discovery list l.
func (x *discovery) in(s string, l rules.Lists) bool { return x.d.Lists(s).Has(l) }

// listsKnown marks an entry of scratch.lists that holds its token's lists.
const listsKnown = 1 << 8

// listsOf returns the discovery lists that hold word token i of the current field (x.in of its text), looked up
// once per token: the steps ask about one word for several lists, and several steps about the same word.
func (x *fieldScan) listsOf(i int) rules.Lists {
	memo := x.sc.lists[x.fi]
	if c := memo[i]; c&listsKnown != 0 {
		return rules.Lists(c)
	}
	l := x.d.Lists(x.text(i))
	memo[i] = uint16(l) | listsKnown
	return l
}

// tokIn reports whether word token i of the current field is on one of the discovery lists l.
func (x *fieldScan) tokIn(i int, l rules.Lists) bool { return x.listsOf(i).Has(l) }

// lookup is rs.Lookup, memoized like lists; nil when s names no entity.
func (x *discovery) lookup(s string) *rules.Entity {
	sc := x.sc
	sc.use(x.rs)
	if e, ok := sc.lookups[s]; ok {
		return e
	}
	e, _ := x.rs.Lookup(s)
	if len(sc.lookups) >= maxCache {
		clear(sc.lookups)
	}
	sc.lookups[strings.Clone(s)] = e
	return e
}
