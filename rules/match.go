package rules

import (
	"bytes"
	"cmp"
	"context"
	"slices"
	"strings"
)

// Field names a part of an article.
type Field string

// The fields of a Doc.
const (
	Title Field = "title"
	Body  Field = "body"
)

var fieldNames = [2]Field{Title, Body}

// Doc is an article to match. Title and Body must be valid UTF-8 (the caller repairs invalid input).
type Doc struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	// Sentences optionally gives where the body's sentences start, in code points, ascending (a segmenter the
	// caller trusts); nil uses the built-in splitter (see splitSentences).
	Sentences []int `json:"sentences,omitempty"`
}

// Span locates text in a field: Unicode code point offsets into that field, End exclusive.
type Span struct {
	Field Field `json:"field"`
	Start int   `json:"start"`
	End   int   `json:"end"`
}

// Mention is one occurrence of a gazetteer entity.
type Mention struct {
	Entity *Entity `json:"entity"`
	Text   string  `json:"text"` // the original text of the span
	Span
	Demonym bool `json:"demonym,omitempty"` // found through a demonym or adjective ("North Korean")
	Implied bool `json:"implied,omitempty"` // implied by a mention of another entity (`implies`)
}

// Evidence is one rule hit behind a topic.
type Evidence struct {
	// Rule is a stable id: "label/terms/<term as written>", "label/patterns/<i>", "label/near/<i>",
	// "label/entities/<i>" (i counts from 0 within the topic).
	Rule string `json:"rule"`
	Text string `json:"text"`
	Span
}

// Topic is an assigned label.
type Topic struct {
	Label    string     `json:"label"`
	Score    float64    `json:"score"` // 1 - 0.5^(raw/threshold), at least 0.5
	Evidence []Evidence `json:"evidence"`
}

// Result is what Match finds in a Doc.
type Result struct {
	Topics   []Topic   `json:"topics"`   // assigned labels only, by score descending, then label
	Mentions []Mention `json:"mentions"` // every entity mention, title first, then by position
}

// occ is a located occurrence: field, code point span and word span (inclusive).
type occ struct {
	field      uint8
	start, end int32
	w0, w1     int32
}

// cand is an entity alias found by the automaton, before leftmost-longest selection.
type cand struct {
	bs, be int32 // folded byte span
	occ
	t *target
}

// before reports whether a starts before b: in an earlier field, or further left in the same one.
func (a *occ) before(b occ) bool { return a.field < b.field || a.field == b.field && a.start < b.start }

type termOcc struct {
	term int32
	occ
}

type ment struct {
	entity int32
	bs     int32 // folded byte start
	occ
	t       *target
	demonym bool
	implied bool
}

type hit struct {
	occ
	rule   int32
	weight float64
}

// matchState holds the per-call buffers; RuleSet keeps them in a sync.Pool.
type matchState struct {
	f       [2]folded
	cands   []cand
	terms   []termOcc
	termIx  occGroups // term occurrences grouped by term (see indexTerms)
	entIx   occGroups // entity mentions grouped by entity (see indexEntities)
	ments   []ment
	lits    [2][][]int32 // per field and literal id: the folded byte offsets where the literal occurs
	mbuf    []ment       // resolve's second buffer for ments
	thits   [][]hit      // per topic: term hits in text order, leftmost-longest
	tmpA    []occ
	wins    [][2]int
	tmpB    []occ
	sweep   []sweepEntry // see occIndex
	ent     entState     // see resolve
	blocked []int32      // persons whose surname followed another given name (see surnameConflict)
	m       meter
	wcls    [2][]uint16   // per field and word, its relevance cue class bits (set by the scan)
	sents   []int32       // byte offsets where the body's sentences start
	fw      [2]fieldWords // per field: the words the relevance cue windows read (built on first use)
	facts   [2][]facts    // per field and start code point: what the relevance model found there
}

// Match finds entity mentions and assigns topic labels in doc. It never blocks and is safe for concurrent use; the
// Result shares no memory with other calls (its strings are substrings of doc). Its cost is linear in the size of
// doc (see the package doc); MatchContext bounds it by a context and a work budget.
func (rs *RuleSet) Match(doc Doc) Result {
	res, _, _ := rs.match(nil, doc, 0) // no context and no budget: never fails
	return res
}

// match runs every stage; ctx (nil: none) and limit (0: none) bound it through st.m. It also returns the work
// the document took, in meter units.
func (rs *RuleSet) match(ctx context.Context, doc Doc, limit int64) (_ Result, work int64, _ error) {
	st := rs.pool.Get().(*matchState)
	defer rs.pool.Put(st)
	if ctx != nil && ctx.Done() == nil {
		ctx = nil // context.Background and the like never end
	}
	st.m.reset(ctx, limit)
	if rs.prepare(st, doc); st.m.err != nil {
		return Result{}, st.m.used, st.m.err
	}

	var res Result
	if len(st.ments) > 0 {
		res.Mentions = make([]Mention, len(st.ments))
		for i, m := range st.ments {
			res.Mentions[i] = Mention{
				Entity: rs.entities[m.entity], Text: st.text(m.occ), Span: st.span(m.occ),
				Demonym: m.demonym, Implied: m.implied,
			}
		}
	}
	for i := range rs.topics {
		if t, ok := rs.evalTopic(st, &rs.topics[i], st.thits[i], nil); ok {
			res.Topics = append(res.Topics, t)
		}
		if st.m.err != nil {
			return Result{}, st.m.used, st.m.err
		}
	}
	slices.SortFunc(res.Topics, func(a, b Topic) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.Label, b.Label))
	})
	return res, st.m.used, nil
}

// prepare folds and scans doc into st: mentions, term hits per topic and the body's sentences. It stops early,
// with st.m.err set, when st.m (reset by the caller) runs out.
func (rs *RuleSet) prepare(st *matchState, doc Doc) {
	st.terms = st.terms[:0]
	st.ments = st.ments[:0]
	st.blocked = st.blocked[:0]
	texts := [2]string{doc.Title, doc.Body}
	for fi := range texts {
		st.f[fi].fold(texts[fi])
		if !st.m.add(len(texts[fi])) {
			return
		}
		rs.scan(st, uint8(fi))
	}
	st.dropBlocked()
	rs.resolve(st)
	rs.indexTerms(st)
	rs.indexEntities(st)
	if rs.termHits(st); st.m.err != nil {
		return
	}
	for fi := range st.facts {
		n := st.f[fi].nRunes()
		st.facts[fi] = slices.Grow(st.facts[fi][:0], n)[:n]
		clear(st.facts[fi])
		st.fw[fi].f = nil
	}
	if doc.Sentences == nil {
		st.sents = splitSentences(st.sents, doc.Body)
		return
	}
	st.sents = append(st.sents[:0], 0)
	f := &st.f[1]
	for _, r := range doc.Sentences {
		if r > 0 && r < f.nRunes() {
			if b := f.runeByte[r]; b > st.sents[len(st.sents)-1] {
				st.sents = append(st.sents, b)
			}
		}
	}
}

func (st *matchState) text(o occ) string { return st.f[o.field].orig(int(o.start), int(o.end)) }

func (st *matchState) span(o occ) Span {
	return Span{Field: fieldNames[o.field], Start: int(o.start), End: int(o.end)}
}

// scan runs the automaton over one folded field, checks word boundaries, inflections and letter case, collects
// term occurrences, selects entity mentions leftmost-longest, and notes the class of each relevance cue word.
func (rs *RuleSet) scan(st *matchState, field uint8) {
	f := &st.f[field]
	text := f.text
	st.cands = st.cands[:0]
	if cap(st.lits[field]) < rs.nLits {
		st.lits[field] = make([][]int32, rs.nLits)
	}
	st.lits[field] = st.lits[field][:rs.nLits]
	for i := range st.lits[field] {
		st.lits[field][i] = st.lits[field][i][:0]
	}
	st.wcls[field] = slices.Grow(st.wcls[field][:0], int(f.nWords))[:f.nWords]
	clear(st.wcls[field])
	tr := rs.trie
	for _, ws := range f.wordStart[:len(f.wordStart)-1] { // the word starts, as folding found them
		p := int(ws)
		node := tr.root[text[p]]
		i := p + 1
		for ; node >= 0; i++ {
			nd := &tr.nodes[node]
			if nd.out >= 0 {
				if c := rs.cueCls[nd.out]; c != 0 && text[i] == ' ' { // a cue word: its class
					st.wcls[field][f.runeWord[f.byteRune[p]]] = c
				}
				if len(rs.targets[nd.out]) > 0 {
					rs.found(st, field, p, i, nd.out)
				}
			}
			if i >= len(text) {
				break
			}
			node = tr.step(node, nd, text[i])
		}
		if !st.m.add(i - p) {
			return
		}
	}
	if !st.m.add(len(st.cands)) {
		return
	}
	// Leftmost-longest among entity aliases; on equal spans exact aliases (more specific) first.
	slices.SortFunc(st.cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.bs, b.bs), cmp.Compare(b.be, a.be), cmp.Compare(b.t.exact, a.t.exact))
	})
	last := int32(-1)
	for _, c := range st.cands {
		if c.bs < last {
			continue
		}
		last = c.be
		st.ments = append(st.ments, ment{entity: c.t.id, bs: c.bs, occ: c.occ, t: c.t, demonym: c.t.demonym})
	}
}

// found handles pattern pat matched at folded bytes [s, e) of field: checks the word end (or an allowed ending)
// and letter case for each meaning of the pattern, and records term occurrences and entity candidates.
func (rs *RuleSet) found(st *matchState, field uint8, s, e int, pat int32) {
	f := &st.f[field]
	text := f.text
	ts := rs.targets[pat]
	for i := range ts {
		t := &ts[i]
		if t.kind == tLiteral {
			if pre := len(t.exact); s >= pre && string(text[s-pre:s]) == t.exact {
				st.lits[field][t.id] = append(st.lits[field][t.id], int32(s-pre))
			}
			continue
		}
		we := e
		if text[e] == ' ' {
			if t.stem {
				continue // a spelling variant is not a word by itself
			}
		} else {
			if t.suffix == 0 {
				continue
			}
			we = e + bytes.IndexByte(text[e:], ' ')
			if !t.suffix.allows(text[e:we]) {
				continue
			}
		}
		r0, r1 := f.byteRune[s], f.byteRune[we-1]+1
		if f.joinedBefore(int(r0)) {
			continue // "Pyongyang's Korean": a possessive's "s" (or a word after an apostrophe) starts no name
		}
		if t.surname && rs.surnameConflict(f, s, t.id) {
			st.blocked = append(st.blocked, t.id) // `Daniil Medvedev`: another person, and so is a bare `Medvedev`
			continue
		}
		if t.exact != "" && foldCase(f.orig(int(r0), int(f.byteRune[e-1]+1))) != t.exact {
			continue
		}
		o := occ{field: field, start: r0, end: r1, w0: f.runeWord[r0], w1: f.runeWord[r1-1]}
		if t.kind == tTerm {
			st.terms = append(st.terms, termOcc{term: t.id, occ: o})
		} else {
			st.cands = append(st.cands, cand{bs: int32(s), be: int32(we), occ: o, t: t})
		}
	}
}

// indexTerms groups term occurrences by term so termOccs is a slice lookup.
func (rs *RuleSet) indexTerms(st *matchState) {
	groupOccs(&st.termIx, st.terms, rs.nTerms, func(t termOcc) (int32, occ) { return t.term, t.occ })
}

// indexEntities groups the mentions by entity, as indexTerms does for terms.
func (rs *RuleSet) indexEntities(st *matchState) {
	groupOccs(&st.entIx, st.ments, len(rs.entities), func(m ment) (int32, occ) { return m.entity, m.occ })
}

// occGroups is occurrences grouped by key (a term or an entity): key k's are out[lo[k]:hi[k]] when stamp[k] is
// cur, none otherwise. The stamps make a call cost O(items), not O(keys): clearing and summing a bucket per
// entity and term of the pack for each article was 3% of Tag.
type occGroups struct {
	stamp  []uint32
	lo, hi []int32
	keys   []int32 // the keys present, in order of first occurrence
	cur    uint32
	out    []occ
}

// groupOccs groups the occurrences of items by key into g (a counting sort, stable: each group in items' order);
// n is the number of keys.
func groupOccs[T any](g *occGroups, items []T, n int, key func(T) (int32, occ)) {
	if len(g.stamp) < n {
		g.stamp, g.lo, g.hi = make([]uint32, n), make([]int32, n), make([]int32, n)
		g.cur = 0
	}
	if g.cur++; g.cur == 0 { // wrapped: old stamps could collide
		clear(g.stamp)
		g.cur = 1
	}
	g.keys = g.keys[:0]
	for _, it := range items {
		k, _ := key(it)
		if g.stamp[k] != g.cur {
			g.stamp[k], g.hi[k] = g.cur, 0
			g.keys = append(g.keys, k)
		}
		g.hi[k]++
	}
	off := int32(0)
	for _, k := range g.keys {
		g.lo[k] = off
		off += g.hi[k]
		g.hi[k] = g.lo[k] // the next free slot until the second pass is done, then the end
	}
	g.out = slices.Grow(g.out[:0], len(items))[:len(items)]
	for _, it := range items {
		k, o := key(it)
		g.out[g.hi[k]] = o
		g.hi[k]++
	}
}

// of returns the occurrences of key k.
func (g *occGroups) of(k int32) []occ {
	if g.stamp[k] != g.cur {
		return nil
	}
	return g.out[g.lo[k]:g.hi[k]]
}

func (st *matchState) entOccs(id int32) []occ { return st.entIx.of(id) }

func (st *matchState) termOccs(id int32) []occ { return st.termIx.of(id) }

// refOccs appends the occurrences of r to dst.
func (st *matchState) refOccs(dst []occ, r ref) []occ {
	if r.entity < 0 {
		return append(dst, st.termOccs(r.term)...)
	}
	return append(dst, st.entOccs(r.entity)...)
}

// wordDist is the distance in words between two occurrences (0 when they overlap, 1 when adjacent).
func wordDist(a, b occ) int32 {
	switch {
	case b.w0 > a.w1:
		return b.w0 - a.w1
	case a.w0 > b.w1:
		return a.w0 - b.w1
	}
	return 0
}

// termHits hands the term occurrences (in text order) to the topics that use the terms. Within one topic,
// overlapping term hits count once: the leftmost, and of those the longest.
func (rs *RuleSet) termHits(st *matchState) {
	if cap(st.thits) < len(rs.topics) {
		st.thits = make([][]hit, len(rs.topics))
	}
	st.thits = st.thits[:len(rs.topics)]
	for i := range st.thits {
		st.thits[i] = st.thits[i][:0]
	}
	for _, o := range st.terms {
		if !st.m.add(1 + len(rs.uses[o.term])) {
			return
		}
		for _, u := range rs.uses[o.term] {
			tp := &rs.topics[u.topic]
			tt := &tp.terms[u.tt]
			w := tt.weight
			if o.field == 0 {
				w *= tp.titleWeight
			}
			h := hit{occ: o.occ, weight: w, rule: tt.rule}
			hs := st.thits[u.topic]
			if n := len(hs); n > 0 && hs[n-1].field == o.field {
				last := &hs[n-1]
				if o.start == last.start {
					if o.end > last.end {
						*last = h
					}
					continue
				}
				if o.start < last.end {
					continue
				}
			}
			st.thits[u.topic] = append(hs, h)
		}
	}
}

// evalTopic collects the hits of topic tp and scores them (see score); trace, when not nil, receives the details.
func (rs *RuleSet) evalTopic(st *matchState, tp *topic, hits []hit, trace *TopicScore) (Topic, bool) {
	if len(hits) == 0 && len(tp.patterns) == 0 && len(tp.near) == 0 && len(tp.entities) == 0 {
		if trace != nil {
			trace.Threshold = tp.threshold
		}
		return Topic{}, false
	}
	fieldWeight := func(field uint8, w float64) float64 {
		if field == 0 {
			return w * tp.titleWeight
		}
		return w
	}
	for pi := range tp.patterns {
		p := &tp.patterns[pi]
		for fi := range st.f {
			if p.words == nil {
				hits = st.patternField(hits, p, uint8(fi), fieldWeight(uint8(fi), p.weight))
				continue
			}
			hits = st.patternWindows(hits, p, uint8(fi), fieldWeight(uint8(fi), p.weight))
		}
	}
	for i := range tp.near {
		n := &tp.near[i]
		for _, a := range st.nearOccs(n) {
			hits = append(hits, hit{occ: a, weight: fieldWeight(a.field, n.weight), rule: n.rule})
		}
	}
	for i := range tp.unless {
		if len(hits) == 0 {
			break
		}
		hits = st.dropUnless(hits, &tp.unless[i])
	}
	return rs.score(st, tp, hits, trace)
}

// surnameConflict reports whether the one-word surname alias of person id at folded byte s follows a capitalized
// word that is not one of the person's given names ("Daniil Medvedev" for Dmitry Medvedev): that names someone
// else. A title or an abbreviation before it (`President Putin`, `Mr. Medvedev`), a known name (`Moscow Medvedev`)
// or a word after a sentence break does not count.
func (rs *RuleSet) surnameConflict(f *folded, s int, id int32) bool {
	if s < 3 || rs.given == nil || len(rs.given[id]) == 0 {
		return false
	}
	r0 := int(f.byteRune[s])
	if r0 < 2 || f.src[f.runeByte[r0-1]] != ' ' {
		return false // the surname does not follow the previous word after a single space
	}
	ps := s - 1
	for ps > 0 && f.text[ps-1] != ' ' {
		ps--
	}
	prev := f.text[ps : s-1]
	if len(prev) < 3 {
		return false
	}
	pr := f.byteRune[ps]
	c := f.src[f.runeByte[pr]]
	if c < 'A' || c > 'Z' || f.runeByte[r0-1]-f.runeByte[pr] != int32(len(prev)) {
		return false // not a capitalized ASCII word written as folded (no punctuation inside it)
	}
	if pr >= 2 {
		if b := f.src[f.runeByte[pr-1]]; b != ' ' || strings.ContainsRune(".!?:\"\u201c", rune(f.src[f.runeByte[pr-2]])) {
			return false // sentence-initial or after a quote: capitalized for another reason
		}
	}
	if slices.Contains(rs.given[id], string(prev)) {
		return false
	}
	if _, known := rs.lookup[string(prev)]; known {
		return false
	}
	if rs.discovery.lists != nil && rs.discovery.lists[string(prev)]&(Titles|PersonCues|Stopwords) != 0 {
		return false
	}
	return true
}

// dropBlocked removes the bare-surname mentions of the persons a conflicting given name blocked.
func (st *matchState) dropBlocked() {
	if len(st.blocked) == 0 {
		return
	}
	st.ments = slices.DeleteFunc(st.ments, func(m ment) bool {
		return m.t.surname && slices.Contains(st.blocked, m.entity)
	})
}
