package tagger

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"
)

// An Article is one input document: an optional id, a title and a body, plus every other member of the input
// object, kept verbatim so that the output Record can pass it through.
type Article struct {
	// ID is the article's id ("" when the input has none; see ContentID).
	ID string
	// Title and Body are the text that is tagged. Either may be empty.
	Title, Body string
	// Fields are the members of the input object in input order, each value as raw JSON. The members id,
	// title and body are listed too, for their position; their output value is always taken from ID, Title
	// and Body. A duplicated member keeps its first position and its last value (as encoding/json does).
	Fields []Field
	// Repaired reports that the input held invalid UTF-8, which was replaced by U+FFFD.
	Repaired bool
	// Format is the input format a Decoder read the article as: InputJSON or InputText ("" from DecodeArticle).
	Format string
	// BodyText reports that Body is text a Decoder derived from the input's body (an HTML body turned into
	// text). The input's body is then kept, verbatim, in the body member of Fields, and Body in body_text; the
	// record writes both, and its body spans point into body_text.
	BodyText bool
}

// A Field is one member of an input JSON object.
type Field struct {
	Name  string
	Value json.RawMessage
}

// Field returns the raw value of the member called name and whether the article has it.
func (a *Article) Field(name string) (json.RawMessage, bool) {
	for _, f := range a.Fields {
		if f.Name == name {
			return f.Value, true
		}
	}
	return nil, false
}

// SetField sets the raw value of the member called name, appending the member if the article does not have it.
// The value must be valid JSON. It scans Fields (O(number of members)); DecodeArticle indexes them instead.
func (a *Article) SetField(name string, value json.RawMessage) {
	for i := range a.Fields {
		if a.Fields[i].Name == name {
			a.Fields[i].Value = value
			return
		}
	}
	a.Fields = append(a.Fields, Field{Name: name, Value: value})
}

// A memberIndex sets the members of an Article being decoded in constant time each: small objects are scanned
// (no allocation), and past linearMembers members a map from name to position takes over, so that decoding
// an object of n members costs O(n), not O(n²).
type memberIndex struct {
	a   *Article
	pos map[string]int
}

// linearMembers is the member count up to which a scan is cheaper than a map.
const linearMembers = 16

// set is a.SetField(name, value).
func (m *memberIndex) set(name string, value json.RawMessage) {
	a := m.a
	if m.pos == nil {
		if len(a.Fields) < linearMembers {
			a.SetField(name, value)
			return
		}
		m.pos = make(map[string]int, 2*len(a.Fields))
		for i, f := range a.Fields {
			m.pos[f.Name] = i // names are distinct: set never appends a duplicate
		}
	}
	if i, ok := m.pos[name]; ok {
		a.Fields[i].Value = value
		return
	}
	m.pos[name] = len(a.Fields)
	a.Fields = append(a.Fields, Field{Name: name, Value: value})
}

// ContentID returns a stable id derived from the article's title and body: the first 16 bytes of their SHA-256,
// in hex (32 characters). Callers use it for articles that carry no id.
func ContentID(a Article) string {
	h := sha256.New()
	io.WriteString(h, a.Title)
	h.Write([]byte{0})
	io.WriteString(h, a.Body)
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Reason codes of a DecodeError, short and stable enough for a dead-letter header.
const (
	ReasonNotJSON   = "not_json"   // the input is not one well-formed JSON value
	ReasonNotObject = "not_object" // the input is JSON, but not an object
	ReasonBadField  = "bad_field"  // id, title or body has the wrong JSON type
	ReasonTooLong   = "too_long"   // a line exceeds the reader's limit (ReadArticles)
	ReasonBadDate   = "bad_date"   // a listing date line names no real date (ReadArticles)
)

// Sentinel errors a DecodeError wraps; test with errors.Is.
var (
	ErrNotJSON   = errors.New("not JSON")
	ErrNotObject = errors.New("not a JSON object")
	ErrBadField  = errors.New("member has the wrong type")
	ErrTooLong   = errors.New("line too long")
	ErrBadDate   = errors.New("bad date")
)

// A DecodeError says why an input could not be turned into an Article.
type DecodeError struct {
	Reason string // one of the Reason constants
	Field  string // the offending member, for ReasonBadField
	Msg    string // detail
	err    error  // the sentinel, and the underlying error if any
}

// Error returns "article: <reason>: <detail>", naming the member for ReasonBadField.
func (e *DecodeError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("article: %s: %q: %s", e.Reason, e.Field, e.Msg)
	}
	return fmt.Sprintf("article: %s: %s", e.Reason, e.Msg)
}

// Unwrap returns the sentinel error (ErrNotJSON, ...) and the underlying cause, if any.
func (e *DecodeError) Unwrap() error { return e.err }

func decodeErr(reason, field string, sentinel, cause error, format string, args ...any) *DecodeError {
	err := sentinel
	if cause != nil {
		err = errors.Join(sentinel, cause)
	}
	return &DecodeError{Reason: reason, Field: field, Msg: fmt.Sprintf(format, args...), err: err}
}

// Reason returns the reason code of err if it is (or wraps) a DecodeError, else "".
func Reason(err error) string {
	if de, ok := errors.AsType[*DecodeError](err); ok {
		return de.Reason
	}
	return ""
}

// DecodeArticle decodes one JSON object into an Article. The members id, title and body must be strings when
// present (null counts as absent; a numeric id is accepted and kept as its literal text); every member is kept
// in Fields. Missing or empty title and body are fine, and so is a missing id. Invalid UTF-8 is replaced by
// U+FFFD and Repaired is set. Errors are *DecodeError.
//
// It accepts and rejects what encoding/json's Decoder does, parsing data once: the member values are checked and
// kept as slices of one copy of data, and only id, title and body are decoded (as substrings of one string copy
// of data when they hold no escapes).
func DecodeArticle(data []byte) (Article, error) { return decodeObject(data, 0) }

// Members of the article object that decodeObject leaves untyped, because a FieldMap takes the field from
// elsewhere.
const (
	untypedID = 1 << iota
	untypedTitle
	untypedBody
)

// decodeObject is DecodeArticle, except that the members named by the untyped bits are kept in Fields only.
func decodeObject(data []byte, untyped int) (Article, error) {
	var a Article
	if !utf8.Valid(data) {
		data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
		a.Repaired = true
	} else {
		data = bytes.Clone(data) // the Fields' values are slices of it; the caller may reuse its buffer
	}
	members := memberIndex{a: &a}
	var text string // data as a string, for the names and text without escapes to be substrings of, once needed
	i := skipSpace(data, 0)
	if i == len(data) {
		return Article{}, decodeErr(ReasonNotJSON, "", ErrNotJSON, nil, "empty input")
	}
	if data[i] != '{' {
		if !json.Valid(data) {
			return Article{}, notJSON(data, "")
		}
		return Article{}, decodeErr(ReasonNotObject, "", ErrNotObject, nil, "got %s", rawKind(data[i:]))
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		i++
	} else {
		for {
			if i >= len(data) || data[i] != '"' {
				return Article{}, notJSON(data, "")
			}
			end, escaped, err := scanString(data, i)
			if err != nil {
				return Article{}, notJSON(data, "")
			}
			if text == "" {
				text = string(data)
			}
			name := memberName(text, data, i, end, escaped)
			i = skipSpace(data, end)
			if i >= len(data) || data[i] != ':' {
				return Article{}, notJSON(data, "")
			}
			i = skipSpace(data, i+1)
			start := i
			if i < len(data) && data[i] == '"' {
				i, escaped, err = scanString(data, i)
			} else {
				i, _, err = scanValue(data, i)
			}
			if err != nil {
				return Article{}, notJSON(data, name)
			}
			raw := json.RawMessage(data[start:i:i])
			if a.Fields == nil {
				a.Fields = make([]Field, 0, 16)
			}
			switch {
			case name == "id" && untyped&untypedID != 0, name == "title" && untyped&untypedTitle != 0,
				name == "body" && untyped&untypedBody != 0:
			case name == "id":
				if c := raw[0]; c == '-' || (c >= '0' && c <= '9') {
					a.ID = text[start:i]
				} else if a.ID, err = decodeText(name, text, data, start, i, escaped); err != nil {
					return Article{}, err
				}
			case name == "title":
				if a.Title, err = decodeText(name, text, data, start, i, escaped); err != nil {
					return Article{}, err
				}
			case name == "body":
				if a.Body, err = decodeText(name, text, data, start, i, escaped); err != nil {
					return Article{}, err
				}
			}
			members.set(name, raw)
			i = skipSpace(data, i)
			if i < len(data) && data[i] == ',' {
				i = skipSpace(data, i+1)
				continue
			}
			if i < len(data) && data[i] == '}' {
				i++
				break
			}
			return Article{}, notJSON(data, "")
		}
	}
	if skipSpace(data, i) != len(data) {
		return Article{}, decodeErr(ReasonNotJSON, "", ErrNotJSON, nil, "data after the object")
	}
	return a, nil
}

// notJSON returns the error for syntactically invalid data, with encoding/json's account of it as the cause.
func notJSON(data []byte, member string) *DecodeError {
	var cause error
	if err := json.Unmarshal(data, new(json.RawMessage)); err != nil {
		cause = err
	} else { // a member nested as deep as encoding/json allows, inside the article object
		cause = errors.New("exceeded max depth")
	}
	if member != "" {
		return decodeErr(ReasonNotJSON, "", ErrNotJSON, cause, "member %q: %v", member, cause)
	}
	return decodeErr(ReasonNotJSON, "", ErrNotJSON, cause, "%v", cause)
}

// memberName returns the name of a member from its JSON string data[i:end] (text is data as a string).
func memberName(text string, data []byte, i, end int, escaped bool) string {
	if escaped {
		return unquote(data[i:end], true)
	}
	return text[i+1 : end-1]
}

// decodeText decodes a title, body or id member, data[i:end] (text is data as a string): a string (escaped says
// whether it holds escapes) or null.
func decodeText(name, text string, data []byte, i, end int, escaped bool) (string, error) {
	switch data[i] {
	case 'n':
		return "", nil
	case '"':
		if escaped {
			return unquote(data[i:end], true), nil
		}
		return text[i+1 : end-1], nil
	}
	return "", decodeErr(ReasonBadField, name, ErrBadField, nil, "want a string, got %s", rawKind(data[i:end]))
}

func rawKind(raw []byte) string {
	switch raw[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case '"':
		return "a string"
	case 'n':
		return "null"
	}
	return "a number"
}
