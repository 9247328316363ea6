package tagger

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/tagpipe/tagpipe/rules"
)

// Entity discovery finds names no rule lists, from capitalization and context:
//
//  1. Both fields are tokenized (tokenize.go) and every token covered by a gazetteer mention is marked.
//  2. A run is a sequence of capitalized, uncovered words on one line, joined by single spaces, initials
//     (`John F. Kennedy`) and lower-case connectors (`of`, `the`, `for`, `and`, ...). After a connector a run may
//     take in a gazetteer mention (`Association of ... by North Korea`).
//  3. Titles from the pack split a run (`Security Council Secretary Sergei Shoigu` -> `Security Council`,
//     `Sergei Shoigu`); what stood before a title is kept only if a cue types it.
//  4. Stopwords, function words, and a sentence-initial word that the article also uses in lower case are
//     trimmed from the front.
//  5. A piece whose head (the words before its first connector) holds an organization or location cue is that
//     kind of entity; otherwise it is split at its connectors. A piece is looked up in the gazetteer (a title or
//     possessive form of a known name); a name before or after a vessel word is a ship and dropped; a piece
//     followed by a lower-case location cue (`Kursk region`) is a LOCATION; two or three name-like words (a Korean
//     surname with a hyphenated given name, or `First Last`) are a PERSON.
//  6. Single words are kept only as coreferences: a surname of a person named in full elsewhere in the article
//     (`Shoigu`, `Choi`), or the whole name of another discovered entity.
//
// Precision comes first: a piece that nothing types is dropped.

// A candidate is a discovered or resolved mention.
type candidate struct {
	fi           int // 0 title, 1 body
	rstart, rend int
	text         string
	canonical    string
	typ          string
	id           string
	source       string
	single       bool   // a single word waiting for coreference
	key          string // folded text, for singles
	weak         bool   // a `First Last` person without context, kept only if its surname recurs alone
	place        bool   // a single word in a place context (`in Uppsala`): a LOCATION unless it is a surname
}

// scratch holds per-call buffers, pooled.
type scratch struct {
	toks   [2][]token
	cov    [2][]int32
	init   [2][]bool
	lower  map[string]struct{}
	cands  []candidate
	supp   []bool
	keybuf []byte
	// cache memoizes the rule set's discovery lists for words and phrases (Discovery folds on every call).
	cache    map[string]uint8
	lookups  map[string]*rules.Entity
	cacheRS  *rules.RuleSet
	order    []int32
	refs     []ref
	surnames map[string]string
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
	if sc.cacheRS != x.rs {
		clear(sc.cache)
		clear(sc.lookups)
		sc.cacheRS = x.rs
	}
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
	if sc.cacheRS != x.rs {
		clear(sc.cache)
		clear(sc.lookups)
		sc.cacheRS = x.rs
	}
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

// trim drops what a huge article left in the scratch, so the pool keeps small buffers and no article text.
func (sc *scratch) trim() {
	const maxTokens = 1 << 15
	for fi := range sc.toks {
		if cap(sc.toks[fi]) > maxTokens {
			sc.toks[fi], sc.cov[fi], sc.init[fi] = nil, nil, nil
		}
	}
	if len(sc.lower) > maxTokens/4 {
		sc.lower = make(map[string]struct{}, 512)
	} else {
		clear(sc.lower) // its keys are substrings of the article
	}
	if cap(sc.cands) > maxTokens/4 {
		sc.cands, sc.order, sc.refs, sc.supp = nil, nil, nil, nil
	} else {
		clear(sc.cands[:cap(sc.cands)]) // candidates hold substrings of the article
		sc.cands = sc.cands[:0]
		clear(sc.refs[:cap(sc.refs)])
		sc.refs = sc.refs[:0]
	}
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{lower: make(map[string]struct{}, 512), cache: make(map[string]uint8, 1024),
		lookups: make(map[string]*rules.Entity, 256), surnames: make(map[string]string, 64)}
}}

// discovery runs discovery on one document for one rule set.
type discovery struct {
	rs    *rules.RuleSet
	d     rules.Discovery
	texts [2]string
	ms    []rules.Mention
	sc    *scratch
	// per field, set while a field is processed
	fi        int
	s         string
	toks      []token
	cov       []int32
	init      []bool
	titleCase bool
}

// entities returns the article's entity mentions: the gazetteer's plus, when discover is set, the discovered
// ones, sorted by field (title first), start and longest first.
func entities(rs *rules.RuleSet, doc rules.Doc, ms []rules.Mention, discover bool) []Entity {
	if !discover {
		out := make([]Entity, 0, len(ms))
		for _, m := range ms {
			out = append(out, gazEntity(m))
		}
		return out
	}
	sc := scratchPool.Get().(*scratch)
	defer func() { sc.trim(); scratchPool.Put(sc) }()
	x := &discovery{rs: rs, d: rs.Discovery(), texts: [2]string{doc.Title, doc.Body}, ms: ms, sc: sc}
	return x.run()
}

func gazEntity(m rules.Mention) Entity {
	return Entity{
		Text: m.Text, Canonical: m.Entity.Canonical, Type: string(m.Entity.Type), ID: m.Entity.ID,
		Source: SourceGazetteer, Field: string(m.Field), Start: m.Start, End: m.End, Demonym: m.Demonym,
		Implied: m.Implied,
	}
}

var fieldNames = [2]rules.Field{rules.Title, rules.Body}

func (x *discovery) run() []Entity {
	sc := x.sc
	clear(sc.lower)
	sc.cands = sc.cands[:0]
	sc.supp = slices.Grow(sc.supp[:0], len(x.ms))[:len(x.ms)]
	clear(sc.supp)
	for fi, s := range x.texts {
		sc.toks[fi] = tokenize(s, sc.toks[fi][:0])
		for _, t := range sc.toks[fi] {
			if t.kind == tokWord && !t.upper && !t.digit {
				sc.lower[s[t.start:t.end]] = struct{}{}
			}
		}
	}
	for fi, s := range x.texts {
		x.fi, x.s, x.toks = fi, s, sc.toks[fi]
		x.cov = x.coverage(sc.cov[fi][:0])
		sc.cov[fi] = x.cov
		x.init = sentenceStarts(s, x.toks, sc.init[fi][:0])
		sc.init[fi] = x.init
		x.titleCase = false
		if fi == 0 {
			switch headlineCase(x.toks) {
			case caseUpper:
				continue // an all-caps headline says nothing about names
			case caseTitle:
				x.titleCase = true
			}
		}
		x.runs()
	}
	x.corefer()

	// Mentions come sorted; candidates nearly so. Sort candidate indices and merge.
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

func fieldIndex(f string) int {
	if f == string(rules.Title) {
		return 0
	}
	return 1
}

// coverage returns, per token of the current field, the index of the gazetteer mention covering it, or -1.
// Where mentions share a span (implied ones) the first, the implying mention, wins.
func (x *discovery) coverage(cov []int32) []int32 {
	cov = slices.Grow(cov, len(x.toks))[:len(x.toks)]
	for i := range cov {
		cov[i] = -1
	}
	field := fieldNames[x.fi]
	ti := 0 // mentions come sorted by start within a field, so the first token to check never moves back
	for k, m := range x.ms {
		if m.Field != field {
			continue
		}
		for ti < len(x.toks) && x.toks[ti].rend <= m.Start {
			ti++
		}
		for i := ti; i < len(x.toks) && x.toks[i].rstart < m.End; i++ {
			if cov[i] < 0 {
				cov[i] = int32(k)
			}
		}
	}
	return cov
}

// sentenceStarts marks the tokens that begin a sentence (or a line, or follow a colon).
func sentenceStarts(s string, toks []token, init []bool) []bool {
	init = slices.Grow(init, len(toks))[:len(toks)]
	start := true
	for i, t := range toks {
		if t.nl {
			start = true
		}
		init[i] = start && t.kind == tokWord
		if t.kind == tokWord || t.kind == tokPoss {
			start = false
			continue
		}
		switch c := s[t.start]; c {
		case '.', '!', '?', ':', ';':
			if c == '.' && i > 0 && toks[i-1].end == t.start && toks[i-1].kind == tokWord {
				p := toks[i-1]
				w := s[p.start:p.end]
				if p.rend-p.rstart == 1 && p.upper || abbreviations[asciiLower(w)] {
					continue // an initial or abbreviation
				}
			}
			start = true
		default:
			if strings.HasPrefix(s[t.start:], "…") {
				start = true
			}
			// quotes, brackets and dashes keep the state
		}
	}
	return init
}

type headCase uint8

const (
	caseSentence headCase = iota
	caseTitle             // most longer words capitalized: capitals say nothing
	caseUpper             // all capitals
)

func headlineCase(toks []token) headCase {
	words, caps, upper := 0, 0, 0
	for _, t := range toks {
		if t.kind != tokWord || t.digit || t.rend-t.rstart < 4 {
			continue
		}
		words++
		if t.upper {
			caps++
		}
		if t.allCaps {
			upper++
		}
	}
	switch {
	case words >= 2 && upper*10 >= words*8:
		return caseUpper
	case words >= 3 && caps*10 >= words*7:
		return caseTitle
	}
	return caseSentence
}

func (x *discovery) text(i int) string { return x.s[x.toks[i].start:x.toks[i].end] }

// lowerKey returns the ASCII-lower-cased token text in the scratch buffer (valid until the next call).
func (x *discovery) lowerKey(i int) []byte {
	x.sc.keybuf = appendLower(x.sc.keybuf[:0], x.text(i))
	return x.sc.keybuf
}

func appendLower(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return appendLowerRunes(b, s[i:])
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

func appendLowerRunes(b []byte, s string) []byte {
	for _, r := range s {
		b = utf8.AppendRune(b, unicode.ToLower(r))
	}
	return b
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func (x *discovery) isWord(i int) bool {
	return i >= 0 && i < len(x.toks) && x.toks[i].kind == tokWord
}

func (x *discovery) isCap(i int) bool { return x.isWord(i) && x.toks[i].upper }

func (x *discovery) isConnector(i int) bool {
	return x.isWord(i) && !x.toks[i].upper && connectors[string(x.lowerKey(i))]
}

// adjacent reports whether token i follows token i-1 after white space on the same line.
func (x *discovery) adjacent(i int) bool {
	return i > 0 && i < len(x.toks) && x.toks[i].space && !x.toks[i].nl
}

// isInitial reports whether token i is a single capital letter followed directly by a period.
func (x *discovery) isInitial(i int) bool {
	t := x.toks[i]
	return t.kind == tokWord && t.upper && t.rend-t.rstart == 1 && i+1 < len(x.toks) &&
		x.toks[i+1].kind == tokPunct && x.s[x.toks[i+1].start] == '.' && x.toks[i+1].start == t.end
}

// maxRun bounds a run's tokens: longer capitalized stretches are no single name, and the bound keeps the
// per-run work (which splits recursively) small on adversarial input.
const maxRun = 24

// runs finds the runs of the current field and processes each.
func (x *discovery) runs() {
	n := len(x.toks)
	for i := 0; i < n; i++ {
		if !x.isCap(i) || x.cov[i] >= 0 {
			continue
		}
		a := i
		// A one-word gazetteer person right before a hyphenated given name is a surname alias of someone else:
		// `Kim Myong-sik` when the pack lists only `Kim`.
		if x.toks[i].hyphen && x.adjacent(i) && x.cov[i-1] >= 0 {
			m := x.ms[x.cov[i-1]]
			if m.Entity.Type == rules.Person && m.Start == x.toks[i-1].rstart && m.End == x.toks[i-1].rend {
				a = i - 1
				x.sc.supp[x.cov[i-1]] = true
			}
		}
		end, k, conns := i, i+1, 0
		for k < n && k-a < maxRun {
			t := x.toks[k]
			if x.isInitial(end) && k == end+1 && x.isCap(k+1) && x.adjacent(k+1) {
				k++ // the period of an initial
				continue
			}
			// Plural possessive inside a name: `Workers' Party`.
			if t.kind == tokPunct && isApostrophe(rune(x.s[t.start])) && !t.space && k == end+1 &&
				strings.HasSuffix(x.text(end), "s") && x.isCap(k+1) && x.adjacent(k+1) && x.cov[k+1] < 0 {
				k++
				continue
			}
			if !x.adjacent(k) || t.kind != tokWord {
				break
			}
			if t.upper {
				if x.cov[k] >= 0 {
					if conns == 0 || k == end+1 {
						break
					}
					// A gazetteer mention after a connector: take in all of it.
					m := x.cov[k]
					for k < n && x.cov[k] == m {
						k++
					}
					end = k - 1
					conns = 0
					continue
				}
				if conns > 0 && (functionWords[string(x.lowerKey(k))] || x.in(x.text(k), inStopwords)) {
					break // `Police on Friday`
				}
				end, conns = k, 0
				k++
				continue
			}
			if x.isConnector(k) && conns < 2 {
				conns++
				k++
				continue
			}
			break
		}
		x.processRun(a, end)
		i = end
	}
}

// processRun handles the run of tokens a..b (inclusive).
func (x *discovery) processRun(a, b int) {
	if x.titleCase {
		// Capitals carry no information in a title-case headline: only known names and coreferences count.
		if x.resolve(a, b) {
			return
		}
		for i := a; i <= b; i++ {
			switch {
			case i < b && x.koreanName(i):
				x.piece(i, i+1, false, false)
				i++
			case x.isCap(i) && x.cov[i] < 0:
				x.piece(i, i, false, false)
			}
		}
		return
	}
	seg, afterTitle := a, false
	for i := a; i <= b; {
		if n := x.titleAt(i, b); n > 0 {
			if seg < i {
				x.piece(seg, i-1, true, afterTitle)
			}
			i += n
			seg, afterTitle = i, true
			continue
		}
		i++
	}
	if seg <= b {
		x.piece(seg, b, false, afterTitle)
	}
}

// titleAt returns the number of tokens of the longest title (up to three words) starting at token i, or 0.
func (x *discovery) titleAt(i, b int) int {
	if !x.isCap(i) || x.cov[i] >= 0 || x.isConnector(i-1) {
		return 0 // after a connector a title word is part of a name: `Ministry of Justice`
	}
	for n := min(3, b-i+1); n >= 1; n-- {
		last := i + n - 1
		ok := true
		for k := i; k <= last; k++ {
			if !x.isWord(k) || x.cov[k] >= 0 || (k > i && !x.adjacent(k)) {
				ok = false
				break
			}
		}
		if ok && x.in(x.s[x.toks[i].start:x.toks[last].end], inTitles) {
			return n
		}
	}
	return 0
}

// isCommon reports whether word token i is a common word: a stopword, a function word, or a word the article
// also writes in lower case.
func (x *discovery) isCommon(i int) bool {
	k := x.lowerKey(i)
	if functionWords[string(k)] {
		return true
	}
	if _, ok := x.sc.lower[string(k)]; ok {
		return true
	}
	return x.in(x.text(i), inStopwords)
}

// koreanName reports whether tokens i, i+1 are a Korean surname and a hyphenated given name (`Choi Seong-ryong`).
func (x *discovery) koreanName(i int) bool {
	if !x.isCap(i) || !x.isCap(i+1) || !x.adjacent(i+1) || !x.toks[i+1].hyphen || x.toks[i+1].allCaps ||
		x.toks[i].allCaps {
		return false
	}
	if !koreanSurnames[string(x.lowerKey(i))] {
		return false
	}
	given := x.lowerKey(i + 1)
	if x.toks[i+1].digit || bytes.HasSuffix(given, []byte("-class")) {
		return false
	}
	if _, ok := x.sc.lower[string(given)]; ok {
		return false
	}
	for part := range bytes.SplitSeq(given, []byte("-")) {
		if len(part) < 2 || notNameWords[string(part)] || functionWords[string(part)] {
			return false
		}
	}
	return true
}

// piece trims and classifies tokens a..b. beforeTitle marks a piece that a title follows (it names no person);
// personHint a piece after a title.
func (x *discovery) piece(a, b int, beforeTitle, personHint bool) {
	for a <= b {
		if x.cov[a] >= 0 || !x.isWord(a) || x.isConnector(a) {
			a++
			continue
		}
		if x.koreanName(a) && a+1 <= b {
			break
		}
		if x.in(x.text(a), inPersonCues) {
			personHint = true
			a++
			continue
		}
		k := x.lowerKey(a)
		if functionWords[string(k)] || x.in(x.text(a), inStopwords) || (x.init[a] && x.isCommon(a)) ||
			x.init[a] && k[len(k)-1] == 's' && x.isConnector(a+1) { // `Members of the ...`
			a++
			continue
		}
		break
	}
	for b >= a && (!x.isWord(b) || x.isConnector(b) || x.cov[b] >= 0 && !x.typedHead(a, b)) {
		if x.cov[b] >= 0 {
			// Drop a trailing gazetteer mention and the connectors before it.
			m := x.cov[b]
			for b >= a && x.cov[b] == m {
				b--
			}
			continue
		}
		b--
	}
	if a > b {
		return
	}
	x.classify(a, b, beforeTitle, personHint)
}

// headCue returns the type a cue gives a..b, or "". The cue must be the head noun: the last word before the first
// connector (`Chongjin Shipyard`, `Foreign Ministry`), or the first word when a connector follows it (`Ministry of
// Foreign Affairs`, `Sea of Japan`). A location cue wins over an organization cue in the same place.
func (x *discovery) headCue(a, b int) rules.Type {
	end := b
	for i := a; i <= b; i++ {
		if x.isConnector(i) {
			end = i - 1
			break
		}
	}
	for end > a && !x.isWord(end) {
		end--
	}
	if end < a {
		return ""
	}
	if end-a == 1 && x.koreanName(a) {
		return "" // `Park Ji-won`: a person, whatever the words mean in English
	}
	cue := func(i int) rules.Type {
		if !x.isCap(i) || x.cov[i] >= 0 {
			return ""
		}
		w := x.text(i)
		switch {
		case x.in(w, inLocCues):
			return rules.Location
		case x.in(w, inOrgCues):
			return rules.Organization
		}
		return ""
	}
	if end < b {
		// `Bridge of Light Coalition`: a cue ending the whole name is its head.
		if t := cue(b); t != "" {
			return t
		}
	}
	if t := cue(end); t != "" {
		return t
	}
	if end < b {
		return cue(a)
	}
	return ""
}

func (x *discovery) typedHead(a, b int) bool { return x.headCue(a, b) != "" }

// classify types the piece a..b (trimmed: it starts and ends with an uncovered capitalized word, or ends with a
// gazetteer mention inside a cued name).
func (x *discovery) classify(a, b int, beforeTitle, personHint bool) {
	// `the Harbour Workers Association and the Bridge of Hope Coalition`: two names joined by `and`.
	for i := a + 1; i < b; i++ {
		if !x.isConnector(i) {
			continue
		}
		if string(x.lowerKey(i)) == "and" && x.headCue(a, i-1) != "" {
			x.piece(a, i-1, beforeTitle, personHint)
			x.piece(i+1, b, beforeTitle, personHint)
			return
		}
		break
	}
	if typ := x.headCue(a, b); typ != "" {
		x.cued(a, b, typ)
		return
	}
	// Untyped: split at the first connector (or gazetteer mention); each side is trimmed and classified again.
	for i := a; i <= b; i++ {
		if !x.isConnector(i) && x.cov[i] < 0 {
			continue
		}
		if i > a {
			x.piece(a, i-1, beforeTitle, personHint)
		}
		for i <= b && (x.isConnector(i) || x.cov[i] >= 0 || !x.isWord(i)) {
			i++
		}
		if i <= b {
			x.piece(i, b, beforeTitle, personHint)
		}
		return
	}
	x.simple(a, b, beforeTitle, personHint)
}

// cued records a..b, typed by a cue word, taking in a place name written right before it.
func (x *discovery) cued(a, b int, typ rules.Type) {
	if m := x.orgBefore(a); m >= 0 && typ == rules.Organization && a < b {
		// `National Assembly Defense Committee`: a body of a known organization; both are mentions.
		for a > 0 && int(x.cov[a-1]) == m {
			a--
		}
	} else if m := x.placeBefore(a); m >= 0 {
		// `Paju Peace Residents' Council`, `NK News`, `South Korean Foreign Ministry`, `Russian River Valley`: the
		// place (or its adjective) is part of the name. A bare cue word takes a place name only.
		demonym := x.ms[m].Demonym
		bare := a == b
		if !(bare && demonym) {
			for a > 0 && int(x.cov[a-1]) == m {
				a--
			}
			// The place stays a mention of its own, except where it only makes a name out of a bare cue word
			// (`NK News`) or an adjective is part of a place name (`Russian River Valley` is not in Russia).
			if bare || demonym && typ == rules.Location {
				x.suppress(m)
			}
		}
	}
	if a == b && !x.resolve(a, b) {
		return // a bare cue word (`Council`) names nothing
	}
	x.emit(a, b, typ)
}

// suppress drops gazetteer mention m and the mentions implied at its span.
func (x *discovery) suppress(m int) {
	for k := range x.ms {
		if x.ms[k].Field == x.ms[m].Field && x.ms[k].Start == x.ms[m].Start && x.ms[k].End == x.ms[m].End {
			x.sc.supp[k] = true
		}
	}
}

// orgBefore returns the index of the gazetteer ORGANIZATION mention that ends with token a-1, right before a on
// the same line, or -1.
func (x *discovery) orgBefore(a int) int {
	if a == 0 || !x.adjacent(a) || x.cov[a-1] < 0 {
		return -1
	}
	k := int(x.cov[a-1])
	m := x.ms[k]
	if m.Implied || m.Demonym || m.Entity.Type != rules.Organization || m.End != x.toks[a-1].rend {
		return -1
	}
	return k
}

// placeBefore returns the index of the gazetteer LOCATION mention (a name or a demonym) that ends with token a-1,
// right before a on the same line, or -1.
func (x *discovery) placeBefore(a int) int {
	if a == 0 || !x.adjacent(a) || x.cov[a-1] < 0 {
		return -1
	}
	k := int(x.cov[a-1])
	m := x.ms[k]
	if m.Implied || m.Entity.Type != rules.Location || m.End != x.toks[a-1].rend {
		return -1
	}
	return k
}

// resolve looks a..b up in the gazetteer; a hit is recorded as a gazetteer mention.
func (x *discovery) resolve(a, b int) bool {
	text := x.s[x.toks[a].start:x.toks[b].end]
	e := x.lookup(text)
	if e == nil {
		return false
	}
	x.add(candidate{text: text, canonical: e.Canonical, typ: string(e.Type), id: e.ID, source: SourceGazetteer},
		a, b)
	return true
}

func (x *discovery) add(c candidate, a, b int) {
	c.fi = x.fi
	c.rstart, c.rend = x.toks[a].rstart, x.toks[b].rend
	x.sc.cands = append(x.sc.cands, c)
}

// articles open an apposition.
var articles = wordSet("a", "an", "the", "its", "their")

// isVessel reports whether a vessel word stands right before or after a..b, or in an apposition after it.
func (x *discovery) isVessel(a, b int) bool {
	if x.isWord(b+1) && x.adjacent(b+1) && vesselWords[string(x.lowerKey(b+1))] {
		return true
	}
	if a > 0 && x.isWord(a-1) && x.adjacent(a) && vesselWords[string(x.lowerKey(a-1))] {
		return true
	}
	for i := a; i <= b; i++ {
		if x.isWord(i) && x.toks[i].hyphen && bytes.HasSuffix(x.lowerKey(i), []byte("-class")) {
			return true
		}
	}
	// An apposition: `Choe Hyon, the new destroyer`.
	if n := b + 1; n+1 < len(x.toks) && x.toks[n].kind == tokPunct && x.s[x.toks[n].start] == ',' &&
		x.isWord(n+1) && articles[string(x.lowerKey(n+1))] {
		for i := n + 2; i <= n+4 && x.isWord(i) && !x.toks[i].upper; i++ {
			if vesselWords[string(x.lowerKey(i))] {
				return true
			}
		}
	}
	return false
}

// emit records a..b as a discovered entity of type typ, unless it is ignored, a gazetteer name or a ship, and
// reports whether it did.
func (x *discovery) emit(a, b int, typ rules.Type) bool {
	text := x.s[x.toks[a].start:x.toks[b].end]
	if x.in(text, inIgnore) || x.resolve(a, b) || x.isVessel(a, b) {
		return false
	}
	x.add(candidate{text: text, canonical: collapseSpace(text), typ: string(typ), source: SourceDiscovered}, a, b)
	return true
}

// personContext reports whether a..b or the words around it say it names a person: a middle initial, a role word
// right before it (`analyst Lena Hartmann`, `the candidate, Laura Ortega`), a speech verb right after it (`Lena
// Hartmann said`), or an apposition that names a role or starts with `who` (`Lena Hartmann, a researcher at`).
func (x *discovery) personContext(a, b int) bool {
	for i := a; i <= b; i++ {
		if x.isInitial(i) {
			return true // `John F. Kennedy`
		}
	}
	p := a - 1
	if p > 0 && x.toks[p].kind == tokPunct && x.s[x.toks[p].start] == ',' {
		p-- // `the party's candidate, Laura Ortega`
	}
	if p >= 0 && x.isWord(p) && !x.toks[p].upper && !x.toks[p+1].nl {
		if k := string(x.lowerKey(p)); roleWords[k] || x.in(x.text(p), inTitles) {
			return true
		}
	}
	n := b + 1
	if x.isWord(n) && x.adjacent(n) && speechVerbs[string(x.lowerKey(n))] {
		return true
	}
	if n < len(x.toks) && x.toks[n].kind == tokPunct && x.s[x.toks[n].start] == ',' {
		for i := n + 1; i <= n+4 && x.isWord(i) && !x.toks[i].upper; i++ {
			k := string(x.lowerKey(i))
			if roleWords[k] || speechVerbs[k] || i == n+1 && k == "who" {
				return true
			}
		}
	}
	return false
}

// simple classifies a piece without connectors.
func (x *discovery) simple(a, b int, beforeTitle, personHint bool) {
	text := x.s[x.toks[a].start:x.toks[b].end]
	if x.in(text, inIgnore) || x.resolve(a, b) || x.isVessel(a, b) {
		return
	}
	words := 0
	for i := a; i <= b; i++ {
		if x.isWord(i) && !x.isInitial(i) {
			words++
		}
	}
	// A lower-case location cue after the name: `Kursk region`, `Sunan area`.
	if x.isWord(b+1) && !x.toks[b+1].upper && x.adjacent(b+1) && x.in(x.text(b+1), inLocCues) && words <= 3 {
		x.emit(a, b, rules.Location)
		return
	}
	if words == 1 {
		if x.isInitial(a) {
			return
		}
		x.sc.cands = append(x.sc.cands, candidate{fi: x.fi, rstart: x.toks[a].rstart, rend: x.toks[b].rend,
			text: text, single: true, key: rules.Fold(text), place: x.placeContext(a)})
		return
	}
	if beforeTitle {
		return
	}
	// `Professor Emeritus John Smith`: words before the name that cannot be part of one.
	for words > 2 && x.isWord(a) && !x.isInitial(a) && !x.nameLike(a, true) {
		a++
		words--
	}
	if x.personName(a, b, personHint) {
		strong := personHint || x.koreanName(a) || koreanSurnames[string(x.lowerKey(a))] || x.personContext(a, b)
		if x.emit(a, b, rules.Person) && !strong {
			x.sc.cands[len(x.sc.cands)-1].weak = true
		}
		return
	}
	// A longer piece ending in a Korean name: `Vice Marshal Pak Jong-chon` when the titles are unknown.
	if b-a >= 2 && x.koreanName(b-1) {
		x.emit(b-1, b, rules.Person)
	}
}

// placeContext reports whether the single word a stands where a place name does: right after `in`, `near` or
// `outside` (`talks in Uppsala`), or after a lower-case location cue and `of` (`the border town of Tumangang`). The
// word must not be common, an acronym, a cue, a title or a name-excluded word, nor be followed by a possessive.
func (x *discovery) placeContext(a int) bool {
	t := x.toks[a]
	if t.allCaps || t.digit || t.rend-t.rstart < 3 || !x.adjacent(a) || a < 1 {
		return false
	}
	if n := a + 1; n < len(x.toks) && (x.toks[n].kind == tokPoss || x.adjacent(n) && (x.isCap(n) || x.toks[n].digit)) {
		return false // `in Trump's`, `in Room 101`
	}
	if !x.nameLike(a, false) {
		return false
	}
	p := x.lowerKey(a - 1)
	if x.isWord(a-1) && !x.toks[a-1].upper && placePrepositions[string(p)] {
		return !(x.isCap(a-2) && x.adjacent(a-1)) // not inside a name: `Nobel Prize in Medicine`
	}
	if string(p) == "of" && a >= 2 && x.isWord(a-2) && !x.toks[a-2].upper && x.adjacent(a-1) &&
		x.in(x.text(a-2), inLocCues) {
		return true
	}
	return false
}

// personName reports whether a..b looks like a person's name.
func (x *discovery) personName(a, b int, personHint bool) bool {
	if b == a+1 && x.koreanName(a) {
		return true
	}
	words := 0
	for i := a; i <= b; i++ {
		if !x.isWord(i) {
			if x.s[x.toks[i].start] == '.' && i > a && x.isInitial(i-1) {
				continue
			}
			return false
		}
		if x.isInitial(i) {
			continue
		}
		words++
		if !x.nameLike(i, personHint) {
			return false
		}
	}
	if words == 3 && koreanSurnames[string(x.lowerKey(a))] {
		// `Kim Jong Un`: three short syllables.
		for i := a + 1; i <= b; i++ {
			if x.toks[i].rend-x.toks[i].rstart > 5 {
				return false
			}
		}
		return true
	}
	return words == 2 || words == 3
}

// nameLike reports whether word token i can be part of a person's name.
func (x *discovery) nameLike(i int, personHint bool) bool {
	t := x.toks[i]
	if !t.upper || t.allCaps || t.digit || t.rend-t.rstart < 2 {
		return false
	}
	w := x.text(i)
	k := string(x.lowerKey(i))
	if notNameWords[k] || functionWords[k] {
		return false
	}
	for _, suf := range notNameSuffixes {
		if strings.HasSuffix(k, suf) {
			return false
		}
	}
	if x.in(w, inOrgCues) || x.in(w, inLocCues) || x.in(w, inTitles) || x.in(w, inStopwords) {
		return false
	}
	if !personHint {
		if _, ok := x.sc.lower[k]; ok {
			return false
		}
	}
	return true
}

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

// collapseSpace replaces each run of white space in s by one space.
func collapseSpace(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r != ' ' && unicode.IsSpace(r) }) &&
		!strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}
