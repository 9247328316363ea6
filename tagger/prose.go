package tagger

import (
	"context"
	"fmt"
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

// proseEntities returns the gazetteer mentions plus the entities prose's recognizer finds outside them (NERProse).
func proseEntities(ctx context.Context, rs *rules.RuleSet, doc rules.Doc, ms []rules.Mention) ([]Entity, error) {
	spans, err := proseSpans(ctx, doc)
	if err != nil {
		return nil, err
	}
	out := make([]Entity, 0, len(ms)+len(spans))
	for _, m := range ms {
		out = append(out, gazEntity(m))
	}
	texts := [2]string{doc.Title, doc.Body}
	for _, sp := range spans {
		typ, ok := proseTypes[sp.label]
		field := fieldNames[sp.fi]
		if !ok || overlapsMention(ms, field, sp.start, sp.end) {
			continue
		}
		mention := string([]rune(texts[sp.fi])[sp.start:sp.end])
		ent := Entity{Text: mention, Canonical: collapseSpace(mention), Type: string(typ),
			Source: SourceProse, Field: string(field), Start: sp.start, End: sp.end}
		if g, ok := rs.Lookup(mention); ok {
			ent.Canonical, ent.Type, ent.ID, ent.Source = g.Canonical, string(g.Type), g.ID, SourceGazetteer
		}
		out = append(out, ent)
	}
	sortEntities(out)
	return out, nil
}

// proseSpans runs prose's tokenizer, part-of-speech tagger and recognizer on the title and the body of doc, with
// the shared model, and returns its entities (every label) aligned to code point spans of their field. A field
// longer than proseChunk bytes is read in chunks that end at a line break (else at a space), and ctx is checked
// before each: prose costs about 15 ms per KB, so a long body still stops soon after a deadline.
func proseSpans(ctx context.Context, doc rules.Doc) ([]proseSpan, error) {
	var out []proseSpan
	for fi, text := range [2]string{doc.Title, doc.Body} {
		runes := 0 // code points before the chunk
		for len(text) > 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("tagger: %w", err)
			}
			chunk := text[:chunkEnd(text, proseChunk)]
			text = text[len(chunk):]
			base := runes
			runes += utf8.RuneCountInString(chunk)
			if strings.TrimSpace(chunk) == "" {
				continue
			}
			pd, err := prose.NewDocument(chunk, prose.UsingModel(proseModel()), prose.WithSegmentation(false))
			if err != nil {
				return nil, fmt.Errorf("tagger: prose: %w", err)
			}
			al := aligner{text: proseQuotes(chunk)}
			for _, e := range pd.Entities() {
				if start, end, ok := al.find(e.Text); ok {
					out = append(out, proseSpan{fi: fi, start: base + start, end: base + end, label: e.Label})
				}
			}
		}
	}
	return out, nil
}

// proseChunk is the most bytes of a field prose reads at once; ordinary articles are read whole.
const proseChunk = 4096

// chunkEnd returns the byte length of the first chunk of s: all of s if it has at most max bytes, else up to and
// including the last line break within max bytes, else up to the last space, else max bytes backed off to a rune
// start.
func chunkEnd(s string, max int) int {
	if len(s) <= max {
		return len(s)
	}
	if i := strings.LastIndexByte(s[:max], '\n'); i > 0 {
		return i + 1
	}
	if i := strings.LastIndexByte(s[:max], ' '); i > 0 {
		return i + 1
	}
	end := max
	for end > 1 && !utf8.RuneStart(s[end]) {
		end--
	}
	return end
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
