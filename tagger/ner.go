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

// hybridEntities returns discovery's entities plus the prose entities that overlap none of them and pass
// admitProse, sorted as entities sorts them.
func hybridEntities(ctx context.Context, rs *rules.RuleSet, doc rules.Doc, ms []rules.Mention) ([]Entity, error) {
	ents, err := entities(ctx, rs, doc, ms, true)
	if err != nil {
		return nil, err
	}
	spans, err := proseSpans(ctx, doc)
	if err != nil {
		return nil, err
	}
	if len(spans) == 0 {
		return ents, nil
	}
	f := newProseFilter(rs, doc)
	n := len(ents)
	for _, sp := range spans {
		ent, ok := f.admit(sp)
		if !ok || overlapsEntity(ents[:n], ent) {
			continue
		}
		ents = append(ents, ent)
	}
	if len(ents) > n {
		sortEntities(ents)
	}
	return ents, nil
}

// overlapsEntity reports whether e's span overlaps one of ents in the same field.
func overlapsEntity(ents []Entity, e Entity) bool {
	for i := range ents {
		if ents[i].Field == e.Field && ents[i].Start < e.End && e.Start < ents[i].End {
			return true
		}
	}
	return false
}

// A proseSpan is an entity of prose's recognizer aligned to its field.
type proseSpan struct {
	fi         int    // 0 title, 1 body
	start, end int    // code points
	label      string // prose's label: PERSON, GPE, ORG, ...
}

// proseFilter holds what admitProse needs to know about the article: the tokens of both fields, their sentence
// starts and the words the article uses in lower case.
type proseFilter struct {
	rs    *rules.RuleSet
	d     rules.Discovery
	texts [2]string
	toks  [2][]token
	init  [2][]bool
	lower map[string]bool
}

func newProseFilter(rs *rules.RuleSet, doc rules.Doc) *proseFilter {
	f := &proseFilter{rs: rs, d: rs.Discovery(), texts: [2]string{doc.Title, doc.Body}, lower: map[string]bool{}}
	for fi, s := range f.texts {
		f.toks[fi] = tokenize(s, nil)
		f.init[fi] = sentenceStarts(s, f.toks[fi], nil)
		for _, t := range f.toks[fi] {
			if t.kind == tokWord && !t.upper && !t.digit {
				f.lower[s[t.start:t.end]] = true
			}
		}
	}
	return f
}

// admit reports whether prose's entity sp is kept in hybrid mode, and as which entity. It is kept when:
//   - its label maps to a taxonomy type (PERSON; GPE and LOC -> LOCATION; ORG -> ORGANIZATION);
//   - trimmed of function words, stopwords and titles in front (`President`, `the`) and of possessives,
//     punctuation and connectors at the end, every word of it is capitalized (lower-case connectors inside
//     excepted) and it does not cross a line break;
//   - it is not a phrase the pack ignores, nor a single word that is a demonym (`Venezuelan`), a title, a
//     stopword, a function word or a sentence-initial word the article also writes in lower case (`Officials`);
//   - a single word is kept only when it is an acronym or the gazetteer knows it.
//
// A kept entity the gazetteer knows (a title or possessive form of a known name) takes the gazetteer's canonical
// name, type and id.
func (f *proseFilter) admit(sp proseSpan) (Entity, bool) {
	typ, ok := proseTypes[sp.label]
	if !ok {
		return Entity{}, false
	}
	s, toks, init := f.texts[sp.fi], f.toks[sp.fi], f.init[sp.fi]
	i := 0
	for i < len(toks) && toks[i].rend <= sp.start {
		i++
	}
	j := i
	for j < len(toks) && toks[j].rstart < sp.end {
		j++
	}
	word := func(k int) string { return s[toks[k].start:toks[k].end] }
	// Trim the front: anything not a capitalized word, and function words, stopwords and titles.
	for i < j {
		t := toks[i]
		w := word(i)
		if t.kind == tokWord && t.upper && !functionWords[asciiLower(w)] && !f.d.IsStopword(w) && !f.d.IsTitle(w) {
			break
		}
		i++
	}
	// Trim the end: possessives, punctuation and connectors.
	for j > i {
		t := toks[j-1]
		if t.kind == tokWord && (t.upper || t.digit) {
			break
		}
		j--
	}
	if i == j {
		return Entity{}, false
	}
	for k := i; k < j; k++ {
		t := toks[k]
		if k > i && t.nl {
			return Entity{}, false
		}
		switch {
		case t.kind == tokWord && (t.upper || t.digit):
		case t.kind == tokWord && connectors[asciiLower(word(k))]:
		case t.kind == tokPunct && (s[t.start] == '.' || s[t.start] == '&'):
		case t.kind == tokPoss:
		default:
			return Entity{}, false
		}
	}
	text := s[toks[i].start:toks[j-1].end]
	if f.d.IsIgnored(text) {
		return Entity{}, false
	}
	ent := Entity{Text: text, Canonical: collapseSpace(text), Type: string(typ), Source: SourceProse,
		Field: string(fieldNames[sp.fi]), Start: toks[i].rstart, End: toks[j-1].rend}
	g, known := f.rs.Lookup(text)
	if known {
		ent.Canonical, ent.Type, ent.ID = g.Canonical, string(g.Type), g.ID
	}
	if j-i == 1 {
		lw := asciiLower(text)
		switch {
		case isDemonym(lw):
			return Entity{}, false
		case init[i] && f.lower[lw]:
			return Entity{}, false
		case !known && !toks[i].allCaps:
			return Entity{}, false
		}
	}
	return ent, true
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
