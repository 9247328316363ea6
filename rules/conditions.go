package rules

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// smallPairs is the number of (a, b) pairs up to which near and unless compare every pair directly: cheaper than
// sorting for the few occurrences of an ordinary article, and still a constant bound per condition.
const smallPairs = 1024

// sweepEntry is one occurrence of an occIndex with the summary of the occurrences of its field up to it (in
// (field, w0) order): the greatest w1 and the span that has it, and the greatest w1 among other spans.
type sweepEntry struct {
	o                occ
	bestW1           int32
	bestStart, bestE int32
	secondW1         int32 // math.MinInt32: none
}

// occIndex answers "is there an occurrence within w words of this one" for near and unless in O(log n) per query
// after an O(n log n) sort: occurrence b is within w words of a exactly when b.w0 <= a.w1+w and b.w1 >= a.w0-w,
// so among the occurrences with w0 <= a.w1+w (a prefix of the sorted list) it is enough to know the greatest w1.
type occIndex []sweepEntry

// buildIndex sorts occs into st.sweep and computes the prefix summaries.
func (st *matchState) buildIndex(occs []occ) occIndex {
	ix := slices.Grow(st.sweep[:0], len(occs))
	for _, o := range occs {
		ix = append(ix, sweepEntry{o: o})
	}
	slices.SortFunc(ix, func(a, b sweepEntry) int {
		return cmp.Or(cmp.Compare(a.o.field, b.o.field), cmp.Compare(a.o.w0, b.o.w0))
	})
	for i := range ix {
		e := &ix[i]
		if i == 0 || ix[i-1].o.field != e.o.field {
			e.bestW1, e.bestStart, e.bestE, e.secondW1 = e.o.w1, e.o.start, e.o.end, math.MinInt32
			continue
		}
		p := &ix[i-1]
		e.bestW1, e.bestStart, e.bestE, e.secondW1 = p.bestW1, p.bestStart, p.bestE, p.secondW1
		switch {
		case e.o.start == e.bestStart && e.o.end == e.bestE: // same span: nothing new
		case e.o.w1 > e.bestW1:
			e.secondW1 = e.bestW1
			e.bestW1, e.bestStart, e.bestE = e.o.w1, e.o.start, e.o.end
		case e.o.w1 > e.secondW1:
			e.secondW1 = e.o.w1
		}
	}
	st.sweep = ix
	return ix
}

// near reports whether an occurrence of the index lies in a's field within `within` words of a (0: anywhere in
// the field); with otherSpan, an occurrence with exactly a's span does not count.
func (ix occIndex) near(a occ, within int32, otherSpan bool) bool {
	hiW0, loW1 := int64(math.MaxInt64), int64(math.MinInt64)
	if within != 0 {
		hiW0, loW1 = int64(a.w1)+int64(within), int64(a.w0)-int64(within)
	}
	lo, _ := slices.BinarySearchFunc(ix, a.field, func(e sweepEntry, f uint8) int { return cmp.Compare(e.o.field, f) })
	// The first entry past a's field or past w0 <= hiW0 within it.
	hi := lo + sortSearch(len(ix)-lo, func(i int) bool {
		e := &ix[lo+i].o
		return e.field != a.field || int64(e.w0) > hiW0
	})
	if hi == lo {
		return false
	}
	e := &ix[hi-1]
	if otherSpan && e.bestStart == a.start && e.bestE == a.end {
		return int64(e.secondW1) >= loW1 && e.secondW1 != math.MinInt32
	}
	return int64(e.bestW1) >= loW1
}

// sortSearch is sort.Search: the smallest i in [0, n) for which f is true (n if none); f is monotone.
func sortSearch(n int, f func(int) bool) int {
	lo, hi := 0, n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if !f(m) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// nearOccs returns the occurrences of n.a (in the order of n.a's names, each in text order) that have an
// occurrence of n.b with another span within n.within words in the same field: each is a hit of n. The slice is
// st.tmpA, valid until the next condition.
func (st *matchState) nearOccs(n *nearRule) []occ {
	st.tmpA = st.tmpA[:0]
	for _, r := range n.a {
		st.tmpA = st.refOccs(st.tmpA, r)
	}
	if len(st.tmpA) == 0 {
		return nil
	}
	st.tmpB = st.tmpB[:0]
	for _, r := range n.b {
		st.tmpB = st.refOccs(st.tmpB, r)
	}
	if len(st.tmpB) == 0 || !st.m.add(len(st.tmpA)+len(st.tmpB)) {
		return nil
	}
	out := st.tmpA[:0]
	if len(st.tmpA)*len(st.tmpB) <= smallPairs {
		for _, a := range st.tmpA {
			for _, b := range st.tmpB {
				if a.field == b.field && (a.start != b.start || a.end != b.end) && (n.within == 0 || wordDist(a, b) <= n.within) {
					out = append(out, a)
					break
				}
			}
		}
		return out
	}
	ix := st.buildIndex(st.tmpB)
	for _, a := range st.tmpA {
		if ix.near(a, n.within, true) {
			out = append(out, a)
		}
	}
	return out
}

// dropUnless removes the hits that have an occurrence of one of u's names within u.within words (0: anywhere) in
// the same field.
func (st *matchState) dropUnless(hits []hit, u *unlessRule) []hit {
	st.tmpB = st.tmpB[:0]
	for _, r := range u.refs {
		st.tmpB = st.refOccs(st.tmpB, r)
	}
	if len(st.tmpB) == 0 || !st.m.add(len(hits)+len(st.tmpB)) {
		return hits
	}
	kept := hits[:0]
	if len(hits)*len(st.tmpB) <= smallPairs {
		for _, h := range hits {
			if !slices.ContainsFunc(st.tmpB, func(b occ) bool {
				return b.field == h.field && (u.within == 0 || wordDist(h.occ, b) <= u.within)
			}) {
				kept = append(kept, h)
			}
		}
		return kept
	}
	ix := st.buildIndex(st.tmpB)
	for _, h := range hits {
		if !ix.near(h.occ, u.within, false) {
			kept = append(kept, h)
		}
	}
	return kept
}

// containsAny reports whether the folded field contains one of words.
func (st *matchState) containsAny(field uint8, words []literal) bool {
	for _, w := range words {
		if w.pre > 0 && len(st.lits[field][w.id]) > 0 || w.pre == 0 && w.index(st.f[field].text, 0) >= 0 {
			return true
		}
	}
	return false
}

// patternWindows runs a pattern that has required words. With a bounded match width it runs only in windows around
// the occurrences of those words (every match contains one); otherwise over the whole field if a word occurs.
func (st *matchState) patternWindows(hits []hit, p *topicPattern, field uint8, w float64) []hit {
	f := &st.f[field]
	if p.width < 0 {
		if b0 := st.prefixStart(p, field); b0 >= 0 && st.containsAny(field, p.words) {
			hits = st.patternHits(hits, p, field, b0, len(f.src), w)
		}
		return hits
	}
	// Windows in code points: each occurrence widened by the match width plus one code point on each side, so
	// that \b and the like see the real neighbours; merged when they overlap.
	n := f.nRunes()
	wins := st.wins[:0]
	add := func(b int, word literal) {
		r0 := int(f.byteRune[b]) - p.width - 1
		r1 := int(f.byteRune[b+len(word.b)-1]) + 1 + p.width + 1
		wins = append(wins, [2]int{max(r0, 0), min(r1, n)})
	}
	for _, word := range p.words {
		if word.pre > 0 {
			for _, b := range st.lits[field][word.id] {
				add(int(b), word)
			}
			continue
		}
		for off := 0; ; {
			b := word.index(f.text, off)
			if b < 0 {
				break
			}
			off = b + 1
			add(b, word)
		}
	}
	if len(wins) == 0 {
		return hits
	}
	slices.SortFunc(wins, func(a, b [2]int) int { return cmp.Compare(a[0], b[0]) })
	merged := wins[:1]
	for _, w := range wins[1:] {
		if last := &merged[len(merged)-1]; w[0] <= last[1] {
			last[1] = max(last[1], w[1])
		} else {
			merged = append(merged, w)
		}
	}
	st.wins = merged
	for _, win := range merged {
		hits = st.patternHits(hits, p, field, int(f.runeByte[win[0]]), int(f.runeByte[win[1]]), w)
	}
	return hits
}

// patternField runs p over its whole field, or rather from prefixStart on.
func (st *matchState) patternField(hits []hit, p *topicPattern, field uint8, w float64) []hit {
	if b0 := st.prefixStart(p, field); b0 >= 0 {
		hits = st.patternHits(hits, p, field, b0, len(st.f[field].src), w)
	}
	return hits
}

// prefixStart returns the byte offset in the field from which a run of p over the rest of it finds all its matches:
// the code point before the first occurrence of p's literal prefix (no match starts earlier, and the code point
// before lets \b and the like see a match's left neighbour: patternHits drops a match at a window's left edge),
// or 0 without a prefix. It returns -1 when the prefix does not occur: the `$` of a sum of money is rarer than
// the words that would make the pattern run, and cheaper to look for.
func (st *matchState) prefixStart(p *topicPattern, field uint8) int {
	if p.prefix == "" {
		return 0
	}
	f := &st.f[field]
	k := strings.Index(f.src, p.prefix)
	if k <= 0 {
		return k
	}
	r, _ := slices.BinarySearch(f.runeByte, int32(k))
	return int(f.runeByte[r-1])
}

// patternHits runs p over the original field bytes [b0, b1) and appends its matches. A match touching a window
// edge that is not a field edge is dropped: it could only be an artefact of the cut (the real matches lie inside).
func (st *matchState) patternHits(hits []hit, p *topicPattern, field uint8, b0, b1 int, w float64) []hit {
	f := &st.f[field]
	if !st.m.add(b1 - b0) {
		return hits
	}
	for _, loc := range p.re.FindAllStringIndex(f.src[b0:b1], -1) {
		s, e := b0+loc[0], b0+loc[1]
		if s == e || (loc[0] == 0 && b0 > 0) || (e == b1 && b1 < len(f.src)) {
			continue
		}
		r0, _ := slices.BinarySearch(f.runeByte, int32(s))
		r1, _ := slices.BinarySearch(f.runeByte, int32(e))
		o := occ{field: field, start: int32(r0), end: int32(r1), w0: f.runeWord[r0], w1: f.runeWord[r1-1]}
		hits = append(hits, hit{occ: o, weight: w, rule: p.rule})
	}
	return hits
}
