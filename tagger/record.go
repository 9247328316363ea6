package tagger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
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
	SourceProse      = "prose"      // found by prose's statistical recognizer (NERProse, NERHybrid)
)

// An Entity is one mention of a canonical entity in the article.
type Entity struct {
	Text      string `json:"text"`      // the mention as written
	Canonical string `json:"canonical"` // the one spelling for every alias
	Type      string `json:"type"`      // PERSON, LOCATION or ORGANIZATION
	ID        string `json:"id,omitempty"`
	Source    string `json:"source"`            // SourceGazetteer, SourceDiscovered or SourceProse
	Field     string `json:"field"`             // "title" or "body"
	Start     int    `json:"start"`             // code points into the field
	End       int    `json:"end"`               // exclusive
	Demonym   bool   `json:"demonym,omitempty"` // found through a demonym or adjective (`North Korean`)
	Implied   bool   `json:"implied,omitempty"` // implied by the mention of another entity at the same span
}

// Meta says what produced a Record and when.
type Meta struct {
	Version      string       `json:"version"`       // the tagger's version
	RulesVersion string       `json:"rules_version"` // the rule set's version
	TaggedAt     time.Time    `json:"tagged_at"`     // written in RFC 3339, UTC
	Record       RecordFormat `json:"record"`        // the record format it was read in; encoders write their own
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

// MarshalJSON writes the record as one JSON object: the article's members first, in input order (id, title and
// body from the Article's fields; any of them the input lacked come first), then topics, entities and tagger.
// Members named topics, entities or tagger in the input are replaced by the tagger's. The output has no
// insignificant whitespace and does not escape HTML characters.
func (r *Record) MarshalJSON() ([]byte, error) { return r.Marshal(RecordFull) }

// appendFullTags appends the RecordFull topics, entities and tagger members and closes the object.
func (r *Record) appendFullTags(b []byte) []byte {
	b = append(b, `"topics":[`...)
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
	b = append(b, `],"entities":[`...)
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
		switch e.Source {
		case SourceGazetteer:
			b = append(b, `,"source":"gazetteer"`...)
		case SourceDiscovered:
			b = append(b, `,"source":"discovered"`...)
		default:
			b = append(b, `,"source":`...)
			b = appendString(b, e.Source)
		}
		b = appendSpan(b, e.Field, e.Start, e.End)
		if e.Demonym {
			b = append(b, `,"demonym":true`...)
		}
		if e.Implied {
			b = append(b, `,"implied":true`...)
		}
		b = append(b, '}')
	}
	b = append(b, "],"...)
	b = r.Tagger.appendJSON(b, RecordFull)
	return append(b, '}')
}

// finishRecord returns a copy of b of its exact length and gives the scratch buffer back to the pool.
func finishRecord(bp *[]byte, b []byte) []byte {
	out := make([]byte, len(b))
	copy(out, b)
	if cap(b) <= maxScratch {
		*bp = b
		recordBufs.Put(bp)
	}
	return out
}

// recordBufs holds buffers MarshalJSON encodes into before it copies the result to a slice of the exact length;
// that is cheaper than growing, or zeroing, a fresh buffer for each record.
var recordBufs = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

// maxScratch is the capacity beyond which MarshalJSON lets a buffer go rather than keep it.
const maxScratch = 1 << 20

// UnmarshalJSON reads a record written by MarshalJSON or MarshalCompact (or any article object with optional
// topics, entities and tagger members). The other members become the Article, as with DecodeArticle. A compact
// record (tagger.record "compact") is expanded: one Entity per mention and one Evidence per rule, with their text
// sliced from the article.
func (r *Record) UnmarshalJSON(data []byte) error {
	a, err := DecodeArticle(data)
	if err != nil {
		return err
	}
	var topics, entities, meta []byte
	kept := a.Fields[:0]
	for _, f := range a.Fields {
		switch f.Name {
		case "topics":
			topics = f.Value
		case "entities":
			entities = f.Value
		case "tagger":
			meta = f.Value
		default:
			kept = append(kept, f)
		}
	}
	a.Fields = kept
	if raw, ok := a.Field("body_text"); ok && len(raw) > 0 && raw[0] == '"' { // the text the body spans point into
		a.Body, a.BodyText = unquote(raw, true), true
	}
	*r = Record{Article: a}
	if meta != nil {
		if err := json.Unmarshal(meta, &r.Tagger); err != nil {
			return fmt.Errorf("tagger: record member \"tagger\": %w", err)
		}
	}
	if r.Tagger.Record == RecordCompact {
		return r.expandCompact(topics, entities)
	}
	if topics != nil {
		if err := json.Unmarshal(topics, &r.Topics); err != nil {
			return fmt.Errorf("tagger: record member \"topics\": %w", err)
		}
	}
	if entities != nil {
		if err := json.Unmarshal(entities, &r.Entities); err != nil {
			return fmt.Errorf("tagger: record member \"entities\": %w", err)
		}
	}
	return nil
}

func appendSpan(b []byte, field string, start, end int) []byte {
	switch field {
	case "title":
		b = append(b, `,"field":"title","start":`...)
	case "body":
		b = append(b, `,"field":"body","start":`...)
	default:
		b = append(b, `,"field":`...)
		b = appendString(b, field)
		b = append(b, `,"start":`...)
	}
	b = appendInt(b, start)
	b = append(b, `,"end":`...)
	return appendInt(b, end)
}

// appendInt appends the decimal form of v.
func appendInt(b []byte, v int) []byte {
	if v < 0 || v >= 1e8 {
		return strconv.AppendInt(b, int64(v), 10)
	}
	var buf [8]byte
	i := len(buf)
	for v >= 10 {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	i--
	buf[i] = byte('0' + v)
	return append(b, buf[i:]...)
}

const hexDigits = "0123456789abcdef"

// appendArticleMembers appends a's members, each followed by a comma: those the input lacked of id, title and
// body first (an empty id is left out), then every member in input order with id, title and body taken from
// the Article's fields, leaving out the tagger's own members (topics, entities, tagger) unless all is set.
// Other members' values are compacted, or with all written as they are.
func appendArticleMembers(b []byte, a *Article, all bool) ([]byte, error) {
	_, hasID := a.Field("id")
	_, hasTitle := a.Field("title")
	_, hasBody := a.Field("body")
	if !hasID && a.ID != "" {
		b = append(b, `"id":`...)
		b = appendString(b, a.ID)
		b = append(b, ',')
	}
	if !hasTitle {
		b = append(b, `"title":`...)
		b = appendString(b, a.Title)
		b = append(b, ',')
	}
	if !hasBody {
		b = append(b, `"body":`...)
		b = appendString(b, a.Body)
		b = append(b, ',')
	}
	for _, f := range a.Fields {
		switch f.Name {
		case "topics", "entities", "tagger": // the tagger's own members, written by the record encoders
			if !all {
				continue
			}
		}
		b = appendString(b, f.Name)
		b = append(b, ':')
		switch f.Name {
		case "id":
			b = appendString(b, a.ID)
		case "title":
			b = appendString(b, a.Title)
		case "body":
			if !a.BodyText {
				b = appendString(b, a.Body)
				break
			}
			fallthrough // the body as received; the tagged text is in body_text
		default:
			if all {
				b = append(b, f.Value...)
				break
			}
			var err error
			if b, err = appendCompact(b, f.Value); err != nil {
				return b, fmt.Errorf("tagger: record member %q: %w", f.Name, err)
			}
		}
		b = append(b, ',')
	}
	return b, nil
}

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD; U+2028 and U+2029 are escaped, as
// encoding/json does; HTML characters are not.
func appendString(b []byte, s string) []byte {
	i := 0 // s[:i] is ASCII that needs no escape
	for ; i+8 <= len(s); i += 8 {
		if x := le64(s[i:]); x&highs != 0 || !plainWord(x) {
			break
		}
	}
	for i < len(s) && s[i] < utf8.RuneSelf && strSafe[s[i]] {
		i++
	}
	b = append(b, '"')
	if i == len(s) {
		b = append(b, s...)
		return append(b, '"')
	}
	if !utf8.ValidString(s[i:]) {
		return appendInvalidString(b[:len(b)-1], s)
	}
	start := 0
	for {
		for ; i+8 <= len(s); i += 8 {
			x := le64(s[i:])
			if e := x ^ 0xE2*ones; (e-ones)&^e&highs != 0 || !plainWord(x) {
				break
			}
		}
		for i < len(s) && textSafe[s[i]] {
			i++
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c == 0xE2 { // the first byte of U+2028 and U+2029, among others
			if i+2 < len(s) && s[i+1] == 0x80 && s[i+2]&^1 == 0xA8 {
				b = append(b, s[start:i]...)
				b = append(b, '\\', 'u', '2', '0', '2', hexDigits[s[i+2]&0xF])
				start = i + 3
			}
			i += 3 // s is valid UTF-8: 0xE2 starts a 3-byte sequence
			continue
		}
		b = append(b, s[start:i]...)
		b = appendEscape(b, c)
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// textSafe marks the bytes appendString copies without a look: strSafe without 0xE2.
var textSafe = func() (t [256]bool) {
	t = strSafe
	t[0xE2] = false
	return t
}()

// le64 returns the first 8 bytes of s as a little-endian word.
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// appendEscape appends the escape of the ASCII byte c: a control character, quote or backslash.
func appendEscape(b []byte, c byte) []byte {
	switch c {
	case '"', '\\':
		return append(b, '\\', c)
	case '\n':
		return append(b, '\\', 'n')
	case '\r':
		return append(b, '\\', 'r')
	case '\t':
		return append(b, '\\', 't')
	}
	return append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}

// appendInvalidString is appendString for s holding invalid UTF-8.
func appendInvalidString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if strSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			b = appendEscape(b, c)
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

// appendCompact appends the JSON value raw without insignificant whitespace, as json.Compact does, or returns
// json.Compact's error if raw is not one valid JSON value.
func appendCompact(b []byte, raw []byte) ([]byte, error) {
	i := skipSpace(raw, 0)
	end, spaced, err := scanValue(raw, i)
	if err == nil && skipSpace(raw, end) != len(raw) {
		err = syntaxErr(raw, skipSpace(raw, end), "after top-level value")
	}
	if err != nil {
		var buf bytes.Buffer
		if cerr := json.Compact(&buf, raw); cerr != nil {
			return b, cerr
		}
		return b, err
	}
	if !spaced {
		return append(b, raw[i:end]...), nil
	}
	v := raw[i:end]
	for k := 0; k < len(v); {
		switch c := v[k]; {
		case c == '"':
			e, _, _ := scanString(v, k) // valid: scanValue checked it
			b = append(b, v[k:e]...)
			k = e
			continue
		case !isSpace(c):
			b = append(b, c)
		}
		k++
	}
	return b, nil
}
