package tagger

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tagpipe/tagpipe/rules"
)

// coverage returns, per token of the current field, the index of the gazetteer mention covering it, or -1.
// Where mentions share a span (implied ones) the first, the implying mention, wins.
func (x *fieldScan) coverage(cov []int32) []int32 {
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
	for i := range toks {
		t := &toks[i] // not a copy of the token
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

func (x *fieldScan) text(i int) string { return x.s[x.toks[i].start:x.toks[i].end] }

// lowerKey returns the ASCII-lower-cased token text in the scratch buffer (valid until the next call).
func (x *fieldScan) lowerKey(i int) []byte {
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

func (x *fieldScan) isWord(i int) bool {
	return i >= 0 && i < len(x.toks) && x.toks[i].kind == tokWord
}

func (x *fieldScan) isCap(i int) bool { return x.isWord(i) && x.toks[i].upper }

func (x *fieldScan) isConnector(i int) bool {
	return x.isWord(i) && !x.toks[i].upper && x.is(i, inConnectors)
}

// adjacent reports whether token i follows token i-1 after white space on the same line.
func (x *fieldScan) adjacent(i int) bool {
	return i > 0 && i < len(x.toks) && x.toks[i].space && !x.toks[i].nl
}

// isInitial reports whether token i is a single capital letter followed directly by a period.
func (x *fieldScan) isInitial(i int) bool {
	t := x.toks[i]
	return t.kind == tokWord && t.upper && t.rend-t.rstart == 1 && i+1 < len(x.toks) &&
		x.toks[i+1].kind == tokPunct && x.s[x.toks[i+1].start] == '.' && x.toks[i+1].start == t.end
}

// maxRun bounds a run's tokens: longer capitalized stretches are no single name, and the bound keeps the
// per-run work (which splits recursively) small on adversarial input.
const maxRun = 24

// runs finds the runs of the field and processes each. It checks the context every ctxEvery tokens and returns
// its error, wrapped, once it is done.
func (x *fieldScan) runs() error {
	n := len(x.toks)
	next := ctxEvery
	for i := 0; i < n; i++ {
		if i >= next {
			if err := x.ctx.Err(); err != nil {
				return fmt.Errorf("tagger: discovery: %w", err)
			}
			next = i + ctxEvery
		}
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
		// A name that starts with a group's possessive (`People's Revolutionary Army`) takes in the gazetteer
		// word before it: `Korean People's Revolutionary Army`.
		if x.is(i, inPluralOwners) && i+1 < n && x.toks[i+1].kind == tokPoss && x.adjacent(i) &&
			x.isCap(i-1) && x.cov[i-1] >= 0 {
			m := x.cov[i-1]
			if x.ms[m].End == x.toks[i-1].rend {
				for a = i - 1; a > 0 && x.cov[a-1] == m && x.adjacent(a); a-- {
				}
			}
		}
		end, k, conns := i, i+1, 0
		for k < n && k-a < maxRun {
			t := x.toks[k]
			if x.isInitial(end) && k == end+1 && x.isCap(k+1) && x.adjacent(k+1) && !(end == i && x.platformContext(i, i)) {
				k++ // the period of an initial
				continue
			}
			// Plural possessive inside a name: `Workers' Party`.
			if t.kind == tokPunct && isApostrophe(rune(x.s[t.start])) && !t.space && k == end+1 &&
				strings.HasSuffix(x.text(end), "s") && x.isCap(k+1) && x.adjacent(k+1) && x.cov[k+1] < 0 {
				k++
				continue
			}
			// An irregular plural's possessive inside a name: `Ministry of the People's Armed Forces`. A singular
			// owner (`Russia's Security Council`) is not part of the name.
			if t.kind == tokPoss && k == end+1 && x.is(end, inPluralOwners) && x.isCap(k+1) &&
				x.adjacent(k+1) && x.cov[k+1] < 0 {
				k++
				continue
			}
			// An ampersand between capitalized words joins them: `Hanseong Marine & Logistics`.
			if t.kind == tokPunct && x.s[t.start] == '&' && t.end == t.start+1 && k == end+1 && x.adjacent(k) &&
				x.isCap(k+1) && x.adjacent(k+1) && x.cov[k+1] < 0 {
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
				if conns > 0 && (x.is(k, inFunctionWords) || x.tokIn(k, rules.Stopwords)) {
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
	return nil
}

// processRun handles the run of tokens a..b (inclusive).
func (x *fieldScan) processRun(a, b int) {
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
func (x *fieldScan) titleAt(i, b int) int {
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
		if ok && (n == 1 && x.tokIn(i, rules.Titles) ||
			n > 1 && x.in(x.s[x.toks[i].start:x.toks[last].end], rules.Titles)) {
			return n
		}
	}
	return 0
}

// piece trims and classifies tokens a..b. beforeTitle marks a piece that a title follows (it names no person);
// personHint a piece after a title.
func (x *fieldScan) piece(a, b int, beforeTitle, personHint bool) {
	for a <= b {
		if x.cov[a] >= 0 || !x.isWord(a) || x.isConnector(a) {
			a++
			continue
		}
		if x.koreanName(a) && a+1 <= b {
			break
		}
		if x.isCompound(a) {
			a++
			continue
		}
		if x.tokIn(a, rules.PersonCues) {
			personHint = true
			a++
			continue
		}
		if x.is(a, inOrdinals) && a+1 <= b && x.typedHead(a+1, b) && !x.init[a] {
			break // `the Third Committee`, `the Eighth Army`: the ordinal is part of the name
		}
		civic := x.is(a, inCivicHeads) && a+2 <= b && x.is(a+1, inCivicLinks) // `Reporters Without Borders`
		w := x.text(a)
		plural := w[len(w)-1] == 's' || w[len(w)-1] == 'S'
		// A sentence's first word joined to a name by a connector is a common word unless it is a cue, the head of
		// the name: `Members of the ...`, `Traffic on the Incheon Bridge`, but `Ministry of ...`, `Sea of Japan`.
		if x.is(a, inFunctionWords) || !civic && (x.tokIn(a, rules.Stopwords) || x.init[a] && x.isCommon(a) ||
			x.init[a] && x.isConnector(a+1) && (plural || !x.isCue(a))) {
			a++
			continue
		}
		break
	}
	for b >= a && (!x.isWord(b) || x.isConnector(b) || x.isCompound(b) || x.cov[b] >= 0 && !x.typedHead(a, b)) {
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
