package tagger

import (
	"context"
	"fmt"
	"strings"

	"github.com/tagpipe/tagpipe/rules"
)

// A NERMode says how a Tagger finds the entities that no rule of the pack names. Gazetteer mentions are the same
// in every mode.
type NERMode string

// The NER modes. Measured F1 and speed of each are in the README's quality table.
const (
	// NERBuiltin is discovery: capitalized runs typed by the pack's cues and name shapes (discover.go). Fast
	// (a fraction of Match) and precise. The default.
	NERBuiltin NERMode = "builtin"
	// NERProse replaces discovery with prose's statistical recognizer (part-of-speech tagger plus a
	// maximum-entropy classifier), unfiltered. About a hundred times slower than NERBuiltin.
	NERProse NERMode = "prose"
	// NERHybrid is discovery plus prose's recognizer as an extra recall layer: a prose entity that overlaps no
	// gazetteer or discovered mention is added when it passes the precision filter (admitProse). It costs what
	// NERProse costs.
	NERHybrid NERMode = "hybrid"
)

// NERModes lists the modes in the order help texts show them.
var NERModes = []NERMode{NERBuiltin, NERProse, NERHybrid}

// ParseNERMode returns the mode named s ("builtin", "prose" or "hybrid"; "" is NERBuiltin).
func ParseNERMode(s string) (NERMode, error) {
	switch m := NERMode(strings.ToLower(strings.TrimSpace(s))); m {
	case "":
		return NERBuiltin, nil
	case NERBuiltin, NERProse, NERHybrid:
		return m, nil
	}
	return "", fmt.Errorf("tagger: unknown NER mode %q (want builtin, prose or hybrid)", s)
}

// usesProse reports whether the mode needs prose's model.
func (m NERMode) usesProse() bool { return m == NERProse || m == NERHybrid }

// WithNER sets how entities no rule names are found (see NERMode). The default is NERBuiltin. prose's model
// (~100 MB) is loaded by New, once per process, only for NERProse and NERHybrid. NERProse and NERHybrid conflict
// with WithDiscovery(false); an unknown mode is an error of New.
func WithNER(m NERMode) Option {
	return func(c *config) { c.ner = m }
}

// hybridEntities returns discovery's entities plus what prose's recognizer adds to them (see addProse).
func hybridEntities(ctx context.Context, rs *rules.RuleSet, doc rules.Doc, ms []rules.Mention) ([]Entity, error) {
	spans, err := proseSpans(ctx, doc)
	if err != nil {
		return nil, err
	}
	sc := scratchPool.Get().(*scratch)
	defer func() { sc.trim(); scratchPool.Put(sc) }()
	x := &discovery{ctx: ctx, rs: rs, d: rs.Discovery(), texts: [2]string{doc.Title, doc.Body}, ms: ms, sc: sc,
		prose: spans}
	return x.run()
}

// A proseSpan is an entity of prose's recognizer aligned to its field.
type proseSpan struct {
	fi         int    // 0 title, 1 body
	start, end int    // code points
	label      string // prose's label: PERSON, GPE, ORG, ...
}

// addProse merges prose's entities into discovery's candidates, before coreference (so that `Murase` after a
// prose-found `Seiya Murase` resolves to it). For each prose entity:
//   - a weak discovered person (`First Last` with no cue, kept by builtin discovery only if its surname recurs
//     alone) that prose also labels PERSON is confirmed;
//   - one that overlaps a gazetteer mention or a discovered entity is dropped: rules and discovery win;
//   - otherwise it is added if admitProse keeps it.
//
// It is O(p·c) for p prose entities and c candidates, small beside prose's own cost (about 15 ms per KB).
func (x *discovery) addProse() {
	for _, sp := range x.prose {
		f := fieldScan{discovery: *x, fi: sp.fi, s: x.texts[sp.fi], toks: x.sc.toks[sp.fi], cov: x.sc.cov[sp.fi],
			init: x.sc.init[sp.fi]}
		a, b, ok := f.proseRange(sp)
		if !ok {
			continue
		}
		start, end := f.toks[a].rstart, f.toks[b].rend
		overlap := false
		for i := range x.sc.cands {
			c := &x.sc.cands[i]
			if c.fi != sp.fi || c.rend <= start || end <= c.rstart || c.single {
				continue
			}
			overlap = true
			if c.weak && sp.label == "PERSON" {
				c.weak = false
			}
		}
		if overlap {
			continue
		}
		f.admitProse(a, b, sp.label)
	}
}

// proseRange returns the tokens a..b (inclusive) of prose entity sp, trimmed of function words, stopwords,
// titles and anything not capitalized in front and of possessives, punctuation and lower-case words at the end.
// It fails when nothing is left, when a token is covered by a gazetteer mention, or when the span crosses a line
// break.
func (x *fieldScan) proseRange(sp proseSpan) (a, b int, ok bool) {
	i := 0
	for i < len(x.toks) && x.toks[i].rend <= sp.start {
		i++
	}
	j := i
	for j < len(x.toks) && x.toks[j].rstart < sp.end {
		if x.cov[j] >= 0 || j > i && x.toks[j].nl {
			return 0, 0, false
		}
		j++
	}
	for i < j && !(x.isCap(i) && !x.is(i, inFunctionWords) && !x.tokIn(i, rules.Stopwords|rules.Titles)) {
		i++
	}
	for j > i && !(x.isWord(j-1) && (x.toks[j-1].upper || x.toks[j-1].digit)) {
		j--
	}
	return i, j - 1, i < j
}

// admitProse adds tokens a..b, which prose labels label, as a candidate when they pass the precision filter:
//   - the label maps to a taxonomy type (PERSON; GPE and LOC -> LOCATION; ORG -> ORGANIZATION);
//   - every word is capitalized, lower-case connectors (`of`, `for`) and `.`/`&` inside excepted;
//   - it is not a phrase the pack ignores, and no vessel word stands next to it (`the Kang Kon destroyer`);
//   - a gazetteer name (a title or possessive form of a known name) is taken under its canonical name;
//   - a PERSON must have a person's shape (two or three name-like words, as discovery's personName says); one
//     of two or more capitalized words that has not is an ORGANIZATION (`Hanseong Semiconductor`: prose labels
//     most unknown capitalized pairs PERSON);
//   - an ORGANIZATION is extended over `of`/`for` + capitalized words right after it (`Stepping Stones` +
//     `for Freedom`), where prose cuts names;
//   - a single word is kept only as an acronym ORGANIZATION (`KOTRA`) that is not sentence-initial or a demonym
//     (`Venezuelan`); other single words go to coreference as discovery's own do.
func (x *fieldScan) admitProse(a, b int, label string) {
	typ, ok := proseTypes[label]
	if !ok {
		return
	}
	words := 0
	for i := a; i <= b; i++ {
		t := x.toks[i]
		switch {
		case t.kind == tokWord && (t.upper || t.digit):
			words++
		case x.isConnector(i):
		case t.kind == tokPunct && (x.s[t.start] == '.' || x.s[t.start] == '&'):
		default:
			return
		}
	}
	text := x.s[x.toks[a].start:x.toks[b].end]
	if x.in(text, rules.Ignored) || x.isVessel(a, b) || x.resolve(a, b) {
		return
	}
	switch {
	case words == 1:
		t := x.toks[a]
		if typ != rules.Organization || !t.allCaps || x.init[a] && x.isCommon(a) || isDemonym(string(x.lowerKey(a))) {
			return
		}
	case typ == rules.Person && !x.personName(a, b, true):
		typ = rules.Organization // `Hanseong Semiconductor`, `Stepping Stones`: capitalized words, no person's
	}
	if typ == rules.Organization {
		b = x.extendConnectors(b)
		text = x.s[x.toks[a].start:x.toks[b].end]
	}
	x.add(candidate{text: text, canonical: collapseSpace(text), typ: string(typ), source: SourceProse}, a, b)
}

// extendConnectors returns the last token of b extended over `connector Capitalized...` runs that follow it on
// the same line, uncovered (`Stepping Stones` + `for Freedom`): prose's recognizer cuts names at connectors.
func (x *fieldScan) extendConnectors(b int) int {
	for x.isConnector(b+1) && x.adjacent(b+1) && x.cov[b+1] < 0 {
		k := b + 2
		for x.isCap(k) && x.adjacent(k) && x.cov[k] < 0 && !x.is(k, inFunctionWords) {
			k++
		}
		if k == b+2 {
			break
		}
		b = k - 1
	}
	return b
}

// demonymSuffixes end the demonyms and nationality adjectives of English (`Venezuelan`, `Congolese`, `Danish`).
var demonymSuffixes = []string{"ian", "ians", "ean", "eans", "ese", "ish", "ans", "i", "is"}

// isDemonym reports whether the lower-case word w is shaped like a demonym.
func isDemonym(w string) bool {
	for _, suf := range demonymSuffixes {
		if len(w) > len(suf)+2 && strings.HasSuffix(w, suf) {
			return true
		}
	}
	return false
}
