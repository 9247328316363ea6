package tagger

import (
	"strings"

	"github.com/tagpipe/tagpipe/rules"
)

// This file memoizes the rule set's discovery lists and gazetteer lookups per word or phrase, a workaround for
// rules.Discovery folding its argument on every call. It goes when rules.Discovery caches membership itself:
// then lists and lookup call x.d and x.rs directly and memo leaves scratch.

// memo caches list membership and lookups for one rule set (cacheRS); it lives in the pooled scratch.
type memo struct {
	cache   map[string]uint8
	lookups map[string]*rules.Entity
	cacheRS *rules.RuleSet
}

func newMemo() memo {
	return memo{cache: make(map[string]uint8, 1024), lookups: make(map[string]*rules.Entity, 256)}
}

// use empties the memo if it was filled for another rule set.
func (m *memo) use(rs *rules.RuleSet) {
	if m.cacheRS != rs {
		clear(m.cache)
		clear(m.lookups)
		m.cacheRS = rs
	}
}

// Discovery list membership bits, cached per word or phrase.
const (
	inTitles uint8 = 1 << iota
	inOrgCues
	inLocCues
	inPersonCues
	inStopwords
	inIgnore
	cached
)

// maxCache bounds the memo; past it the memo is cleared.
const maxCache = 1 << 14

// lists returns the discovery list membership bits of s (a word or phrase of the current field).
func (x *discovery) lists(s string) uint8 {
	sc := x.sc
	sc.use(x.rs)
	if f, ok := sc.cache[s]; ok {
		return f
	}
	f := cached
	for _, l := range []struct {
		bit uint8
		has func(string) bool
	}{
		{inTitles, x.d.IsTitle}, {inOrgCues, x.d.OrganizationCue}, {inLocCues, x.d.LocationCue},
		{inPersonCues, x.d.PersonCue}, {inStopwords, x.d.IsStopword}, {inIgnore, x.d.IsIgnored},
	} {
		if l.has(s) {
			f |= l.bit
		}
	}
	if len(sc.cache) >= maxCache {
		clear(sc.cache)
	}
	sc.cache[strings.Clone(s)] = f
	return f
}

func (x *discovery) in(s string, bit uint8) bool { return x.lists(s)&bit != 0 }

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
