package tagger

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/jdkato/prose/v2"
	"github.com/tagpipe/tagpipe/rules"
)

// proseModel loads prose's English model (part-of-speech tagger and entity classifier, ~100 MB in memory) once
// per process. NewDocument would otherwise load it again on every call; the loaded model is shared by all
// goroutines through prose.UsingModel.
var proseModel = sync.OnceValue(func() *prose.Model {
	doc, err := prose.NewDocument("", prose.WithSegmentation(false))
	if err != nil {
		panic("tagger: loading the prose model: " + err.Error()) // the model is compiled into prose
	}
	return doc.Model
})

// proseTypes maps prose's entity labels to entity types.
var proseTypes = map[string]rules.Type{
	"PERSON": rules.Person, "GPE": rules.Location, "LOC": rules.Location, "ORG": rules.Organization,
}

// proseEntities returns the gazetteer mentions plus the entities prose's recognizer finds outside them.
func proseEntities(ctx context.Context, rs *rules.RuleSet, doc rules.Doc, ms []rules.Mention) ([]Entity, error) {
	out := make([]Entity, 0, len(ms)+8)
	for _, m := range ms {
		out = append(out, gazEntity(m))
	}
	for fi, text := range [2]string{doc.Title, doc.Body} {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("tagger: %w", err)
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		pd, err := prose.NewDocument(text, prose.UsingModel(proseModel()), prose.WithSegmentation(false))
		if err != nil {
			return nil, fmt.Errorf("tagger: prose: %w", err)
		}
		field := fieldNames[fi]
		al := aligner{text: proseQuotes(text)}
		for _, e := range pd.Entities() {
			typ, ok := proseTypes[e.Label]
			if !ok {
				continue
			}
			start, end, ok := al.find(e.Text)
			if !ok || overlapsMention(ms, field, start, end) {
				continue
			}
			mention := string([]rune(text)[start:end])
			ent := Entity{Text: mention, Canonical: collapseSpace(mention), Type: string(typ),
				Source: SourceDiscovered, Field: string(field), Start: start, End: end}
			if g, ok := rs.Lookup(mention); ok {
				ent.Canonical, ent.Type, ent.ID, ent.Source = g.Canonical, string(g.Type), g.ID, SourceGazetteer
			}
			out = append(out, ent)
		}
	}
	slices.SortStableFunc(out, func(a, b Entity) int {
		if c := fieldIndex(a.Field) - fieldIndex(b.Field); c != 0 {
			return c
		}
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return b.End - a.End
	})
	return out, nil
}

func overlapsMention(ms []rules.Mention, field rules.Field, start, end int) bool {
	for _, m := range ms {
		if m.Field == field && m.Start < end && start < m.End {
			return true
		}
	}
	return false
}

// proseQuotes rewrites curly quotes as prose's tokenizer does, rune for rune, so code point offsets stay valid.
func proseQuotes(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u201c', '\u201d':
			return '"'
		case '\u2018', '\u2019':
			return '\''
		}
		return r
	}, s)
}

// aligner finds prose's entity texts (tokens joined by single spaces) in the text, left to right.
type aligner struct {
	text  string
	pos   int // byte offset where the next search starts
	rpos  int // code points before pos
	bytes int // byte offset rpos was counted to
}

// find returns the code point span of the next occurrence of the tokens of want at or after the cursor; between
// tokens the text may have any white space or none.
func (al *aligner) find(want string) (start, end int, ok bool) {
	toks := strings.Fields(want)
	if len(toks) == 0 {
		return 0, 0, false
	}
	from := al.pos
	for {
		i := strings.Index(al.text[from:], toks[0])
		if i < 0 {
			return 0, 0, false
		}
		s := from + i
		e := s + len(toks[0])
		matched := true
		for _, tk := range toks[1:] {
			j := e
			for j < len(al.text) && (al.text[j] == ' ' || al.text[j] == '\t' || al.text[j] == '\n' || al.text[j] == '\r') {
				j++
			}
			if !strings.HasPrefix(al.text[j:], tk) {
				matched = false
				break
			}
			e = j + len(tk)
		}
		if matched {
			rs := al.runeAt(s)
			re := rs + utf8.RuneCountInString(al.text[s:e])
			al.pos = e
			return rs, re, true
		}
		from = s + 1
	}
}

// runeAt returns the code point offset of byte offset b (b never decreases between calls).
func (al *aligner) runeAt(b int) int {
	if b < al.bytes {
		al.rpos, al.bytes = 0, 0
	}
	al.rpos += utf8.RuneCountInString(al.text[al.bytes:b])
	al.bytes = b
	return al.rpos
}
