package tagger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// A Record is a tagged article: the article's own members, passed through, plus topics, entities and tagger
// metadata. It is the value the pipeline produces. Its JSON form (MarshalJSON) is deterministic.
type Record struct {
	Article  Article
	Topics   []Topic  // assigned labels, by score descending, then label
	Entities []Entity // one per mention, in text order, title first
	Tagger   Meta
}

// A Topic is an assigned label with its score in [0.5, 1] and the evidence that produced it.
type Topic struct {
	Label    string     `json:"label"`
	Score    float64    `json:"score"`
	Evidence []Evidence `json:"evidence"`
}

// Evidence is one rule hit behind a topic: which rule matched which text where.
type Evidence struct {
	Rule  string `json:"rule"`
	Text  string `json:"text"`
	Field string `json:"field"` // "title" or "body"
	Start int    `json:"start"` // code points into the field
	End   int    `json:"end"`   // exclusive
}

// Entity sources.
const (
	SourceGazetteer  = "gazetteer"  // the rule pack names the entity
	SourceDiscovered = "discovered" // found by capitalization and context, not named by any rule
)

// An Entity is one mention of a canonical entity in the article.
type Entity struct {
	Text      string `json:"text"`      // the mention as written
	Canonical string `json:"canonical"` // the one spelling for every alias
	Type      string `json:"type"`      // PERSON, LOCATION or ORGANIZATION
	ID        string `json:"id,omitempty"`
	Source    string `json:"source"`            // SourceGazetteer or SourceDiscovered
	Field     string `json:"field"`             // "title" or "body"
	Start     int    `json:"start"`             // code points into the field
	End       int    `json:"end"`               // exclusive
	Demonym   bool   `json:"demonym,omitempty"` // found through a demonym or adjective (`North Korean`)
	Implied   bool   `json:"implied,omitempty"` // implied by the mention of another entity at the same span
}

// Meta says what produced a Record and when.
type Meta struct {
	Version      string    `json:"version"`       // the tagger's version
	RulesVersion string    `json:"rules_version"` // the rule set's version
	TaggedAt     time.Time `json:"tagged_at"`     // written in RFC 3339, UTC
}

// An EntityKey identifies an entity independent of its mentions.
type EntityKey struct {
	Type      string
	Canonical string
}

// Labels returns the topic labels, in the record's order.
func (r *Record) Labels() []string {
	out := make([]string, len(r.Topics))
	for i, t := range r.Topics {
		out[i] = t.Label
	}
	return out
}

// Canonicals returns the distinct (type, canonical) pairs of the record's entities, in order of first mention.
func (r *Record) Canonicals() []EntityKey {
	seen := make(map[EntityKey]bool, len(r.Entities))
	var out []EntityKey
	for _, e := range r.Entities {
		k := EntityKey{Type: e.Type, Canonical: e.Canonical}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out
}

// The members the tagger writes; an input member of the same name is replaced.
var ownMembers = map[string]bool{"topics": true, "entities": true, "tagger": true}

// MarshalJSON writes the record as one JSON object: the article's members first, in input order (id, title and
// body from the Article's fields; any of them the input lacked come first), then topics, entities and tagger.
// Members named topics, entities or tagger in the input are replaced by the tagger's. The output has no
// insignificant whitespace and does not escape HTML characters.
func (r *Record) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 256+len(r.Article.Title)+len(r.Article.Body)+len(r.Entities)*128+len(r.Topics)*256)
	b = append(b, '{')
	first := true
	member := func(name string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, name)
		b = append(b, ':')
	}
	a := &r.Article
	_, hasID := a.Field("id")
	_, hasTitle := a.Field("title")
	_, hasBody := a.Field("body")
	if !hasID && a.ID != "" {
		member("id")
		b = appendString(b, a.ID)
	}
	if !hasTitle {
		member("title")
		b = appendString(b, a.Title)
	}
	if !hasBody {
		member("body")
		b = appendString(b, a.Body)
	}
	var buf bytes.Buffer
	for _, f := range a.Fields {
		if ownMembers[f.Name] {
			continue
		}
		member(f.Name)
		switch f.Name {
		case "id":
			b = appendString(b, a.ID)
		case "title":
			b = appendString(b, a.Title)
		case "body":
			b = appendString(b, a.Body)
		default:
			buf.Reset()
			if err := json.Compact(&buf, f.Value); err != nil {
				return nil, fmt.Errorf("tagger: record member %q: %w", f.Name, err)
			}
			b = append(b, buf.Bytes()...)
		}
	}
	member("topics")
	b = append(b, '[')
	for i, t := range r.Topics {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"label":`...)
		b = appendString(b, t.Label)
		b = append(b, `,"score":`...)
		b = strconv.AppendFloat(b, t.Score, 'f', -1, 64)
		b = append(b, `,"evidence":[`...)
		for j, ev := range t.Evidence {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"rule":`...)
			b = appendString(b, ev.Rule)
			b = append(b, `,"text":`...)
			b = appendString(b, ev.Text)
			b = appendSpan(b, ev.Field, ev.Start, ev.End)
			b = append(b, '}')
		}
		b = append(b, "]}"...)
	}
	b = append(b, ']')
	member("entities")
	b = append(b, '[')
	for i, e := range r.Entities {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"text":`...)
		b = appendString(b, e.Text)
		b = append(b, `,"canonical":`...)
		b = appendString(b, e.Canonical)
		b = append(b, `,"type":`...)
		b = appendString(b, e.Type)
		if e.ID != "" {
			b = append(b, `,"id":`...)
			b = appendString(b, e.ID)
		}
		b = append(b, `,"source":`...)
		b = appendString(b, e.Source)
		b = appendSpan(b, e.Field, e.Start, e.End)
		if e.Demonym {
			b = append(b, `,"demonym":true`...)
		}
		if e.Implied {
			b = append(b, `,"implied":true`...)
		}
		b = append(b, '}')
	}
	b = append(b, ']')
	member("tagger")
	b = append(b, `{"version":`...)
	b = appendString(b, r.Tagger.Version)
	b = append(b, `,"rules_version":`...)
	b = appendString(b, r.Tagger.RulesVersion)
	b = append(b, `,"tagged_at":`...)
	b = appendString(b, r.Tagger.TaggedAt.UTC().Format(time.RFC3339Nano))
	b = append(b, "}}"...)
	return b, nil
}

// UnmarshalJSON reads a record written by MarshalJSON (or any article object with optional topics, entities and
// tagger members). The other members become the Article, as with DecodeArticle.
func (r *Record) UnmarshalJSON(data []byte) error {
	a, err := DecodeArticle(data)
	if err != nil {
		return err
	}
	var own struct {
		Topics   []Topic  `json:"topics"`
		Entities []Entity `json:"entities"`
		Tagger   Meta     `json:"tagger"`
	}
	kept := a.Fields[:0]
	for _, f := range a.Fields {
		var dst any
		switch f.Name {
		case "topics":
			dst = &own.Topics
		case "entities":
			dst = &own.Entities
		case "tagger":
			dst = &own.Tagger
		default:
			kept = append(kept, f)
			continue
		}
		if err := json.Unmarshal(f.Value, dst); err != nil {
			return fmt.Errorf("tagger: record member %q: %w", f.Name, err)
		}
	}
	a.Fields = kept
	*r = Record{Article: a, Topics: own.Topics, Entities: own.Entities, Tagger: own.Tagger}
	return nil
}

func appendSpan(b []byte, field string, start, end int) []byte {
	b = append(b, `,"field":`...)
	b = appendString(b, field)
	b = append(b, `,"start":`...)
	b = strconv.AppendInt(b, int64(start), 10)
	b = append(b, `,"end":`...)
	return strconv.AppendInt(b, int64(end), 10)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD; U+2028 and U+2029 are escaped, as
// encoding/json does; HTML characters are not.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\uFFFD"...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
