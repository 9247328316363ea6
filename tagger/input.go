package tagger

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Input formats of a record value (Decoder.Format).
const (
	InputJSON = "json" // a JSON object with id, title and body (or the members a FieldMap names)
	InputText = "text" // UTF-8 text: the first non-empty line is the title, the rest the body
	InputAuto = "auto" // a JSON object as InputJSON, any other value as InputText (see Decoder)
)

// InputFormats lists the input formats a Decoder accepts.
var InputFormats = []string{InputJSON, InputText, InputAuto}

// InputFormatMember is the member a Decoder adds to an article read as text, with the value "text", so that the
// tagged record says where it came from. Articles read as JSON objects get no such member: their records stay
// as they were.
const InputFormatMember = "input_format"

// BodyTextMember is the member that carries the text tagged in place of the input's body when a Decoder turned
// an HTML body into text (Article.BodyText). The record's body spans then point into it; body stays as received.
const BodyTextMember = "body_text"

// ReasonEmpty is the DecodeError reason for a text value that holds no text.
const ReasonEmpty = "empty"

// ErrEmpty is the sentinel a DecodeError with ReasonEmpty wraps.
var ErrEmpty = errors.New("no text")

// A Decoder turns record values of one input format into Articles: JSON objects (optionally of another shape,
// through a FieldMap), plain text, or either; with HTML bodies turned into text. The zero Decoder reads JSON
// objects as DecodeArticle does, with HTMLAuto. A Decoder is safe for concurrent use once configured.
//
// Under InputAuto, a value whose first non-space byte is "{" is a JSON object (and a broken one is a not_json
// error, not text); a valid JSON string is unquoted and read as text (a producer that JSON-encodes its text);
// another valid JSON value (array, number, boolean, null) is a not_object error, since it is no article; anything
// else is text.
type Decoder struct {
	// Format is InputJSON, InputText or InputAuto ("" is InputJSON).
	Format string
	// Fields maps the article's fields to members of another shape of JSON object.
	Fields FieldMap
	// HTML is HTMLAuto, HTMLStrip or HTMLOff ("" is HTMLAuto).
	HTML string
	// ContentIDs gives an article without an id (no id member and, for text, no record key) its ContentID,
	// computed on the title and body as received (before any HTML is turned into text), as the pipeline does.
	ContentIDs bool
}

// NewDecoder returns a Decoder for the input format, HTML mode and field specs (ParseFieldMap), with clear
// errors for unknown names. Empty strings take the defaults (InputJSON, HTMLAuto).
func NewDecoder(format, htmlMode string, fields []string) (*Decoder, error) {
	d := &Decoder{Format: format, HTML: htmlMode}
	if err := d.check(); err != nil {
		return nil, err
	}
	var err error
	if d.Fields, err = ParseFieldMap(fields); err != nil {
		return nil, err
	}
	if !d.Fields.IsZero() && d.Format == InputText {
		return nil, fmt.Errorf("field mappings apply to JSON input, not to the text input format")
	}
	return d, nil
}

func (d *Decoder) check() error {
	switch d.Format {
	case "", InputJSON, InputText, InputAuto:
	default:
		return fmt.Errorf("input format %q: want one of %s", d.Format, strings.Join(InputFormats, ", "))
	}
	switch d.HTML {
	case "", HTMLAuto, HTMLStrip, HTMLOff:
	default:
		return fmt.Errorf("HTML mode %q: want one of %s", d.HTML, strings.Join(HTMLModes, ", "))
	}
	return nil
}

// Detect returns the format Decode reads value as: InputJSON or InputText (for a metric label, say, when Decode
// failed).
func (d *Decoder) Detect(value []byte) string {
	switch d.Format {
	case InputText:
		return InputText
	case InputAuto:
		if i := skipSpace(value, 0); i < len(value) && value[i] == '{' {
			return InputJSON
		}
		return InputText
	}
	return InputJSON
}

// Decode turns one record value into an Article. key is the record's key: a text article without one takes it
// as its id (JSON objects keep their own id, as before). Errors are *DecodeError: not_json, not_object,
// bad_field (naming the member, or the JSON Pointer of a mapped field), empty (a text value with no text).
func (d *Decoder) Decode(key, value []byte) (Article, error) {
	var a Article
	var err error
	if d.Detect(value) == InputJSON {
		a, err = d.decodeJSON(value)
	} else {
		a, err = d.decodeText(key, value)
	}
	if err != nil {
		return Article{}, err
	}
	d.finish(&a)
	if a.Format == InputText {
		a.SetField(InputFormatMember, []byte(`"text"`))
	}
	return a, nil
}

// decodeJSON decodes a JSON object, taking the mapped fields from where the FieldMap says.
func (d *Decoder) decodeJSON(value []byte) (Article, error) {
	m := &d.Fields
	if m.IsZero() {
		a, err := DecodeArticle(value)
		a.Format = InputJSON
		return a, err
	}
	var untyped int
	if m.ID != nil {
		untyped |= untypedID
	}
	if m.Title != nil {
		untyped |= untypedTitle
	}
	if m.Body != nil {
		untyped |= untypedBody
	}
	a, err := decodeObject(value, untyped)
	if err != nil {
		return Article{}, err
	}
	a.Format = InputJSON
	data := value // valid JSON: decodeObject checked it
	if a.Repaired {
		data = bytes.ToValidUTF8(value, []byte("\uFFFD"))
	}
	if m.ID != nil {
		if a.ID, _, err = lookupText(data, m.ID, true); err != nil {
			return Article{}, err
		}
	}
	if m.Title != nil {
		if a.Title, _, err = lookupText(data, m.Title, false); err != nil {
			return Article{}, err
		}
	}
	if m.Body != nil {
		if a.Body, _, err = lookupText(data, m.Body, false); err != nil {
			return Article{}, err
		}
	}
	if m.PublishedAt != nil {
		v, number, err := lookupText(data, m.PublishedAt, true)
		if err != nil {
			return Article{}, err
		}
		if v != "" {
			if number {
				a.SetField(FieldPublishedAt, []byte(v))
			} else {
				a.SetField(FieldPublishedAt, appendString(nil, v))
			}
		}
	}
	return a, nil
}

// decodeText reads value as text; under InputAuto a JSON string is unquoted first and another JSON value is an
// error.
func (d *Decoder) decodeText(key, value []byte) (Article, error) {
	s, unquoted := "", false
	if d.Format == InputAuto {
		if i := skipSpace(value, 0); i < len(value) && strings.IndexByte(`"[-0123456789tfn`, value[i]) >= 0 {
			if end, _, err := scanValue(value, i); err == nil && skipSpace(value, end) == len(value) {
				if value[i] != '"' {
					return Article{}, decodeErr(ReasonNotObject, "", ErrNotObject, nil, "got %s", rawKind(value[i:]))
				}
				s, unquoted = unquote(value[i:end], true), true
			}
		}
	}
	if !unquoted {
		s = string(value)
	}
	title, body := splitText(s)
	if title == "" {
		return Article{}, decodeErr(ReasonEmpty, "", ErrEmpty, nil, "the text value holds no text")
	}
	a := textArticle(title, body)
	a.Format = InputText
	if len(key) > 0 {
		a.ID = strings.ToValidUTF8(string(key), "\uFFFD")
	}
	return a, nil
}

// splitText splits a text article: the first non-empty line, trimmed, is the title and the rest, trimmed, the
// body, with CRLF line ends read as LF (as ReadArticles' text format does). A leading byte order mark is dropped.
func splitText(s string) (title, body string) {
	s = strings.TrimPrefix(s, "\uFEFF")
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
	}
	for s != "" {
		line, rest, _ := strings.Cut(s, "\n")
		if t := strings.TrimSpace(line); t != "" {
			return t, strings.TrimSpace(rest)
		}
		s = rest
	}
	return "", ""
}

// finish gives a its content id if asked and turns an HTML body into text.
func (d *Decoder) finish(a *Article) {
	if d.ContentIDs && a.ID == "" {
		a.ID = ContentID(*a)
	}
	switch d.HTML {
	case HTMLOff:
		return
	case HTMLStrip:
	default:
		if !LooksLikeHTML(a.Body) {
			return
		}
	}
	text := HTMLText(a.Body)
	if text == a.Body {
		return
	}
	if _, ok := a.Field(FieldBody); !ok { // a mapped or text body: keep it as received
		a.SetField(FieldBody, appendString(nil, a.Body))
	}
	a.SetField(BodyTextMember, appendString(nil, text))
	a.Body, a.BodyText = text, true
}

// ReadArticles is the package's ReadArticles with the Decoder's input format and HTML handling: under
// FormatJSONL each non-blank line is one record value, under FormatText the whole input is one (a JSON object
// too, when the Decoder's format allows), and FormatListing reads listings (Format must then be "" or text).
// Errors are reported to fn as ReadArticles reports them, with the line (1 for a whole input) in a *LineError.
func (d *Decoder) ReadArticles(r io.Reader, format string, fn func(Article, error) error) error {
	if err := d.check(); err != nil {
		return err
	}
	finish := func(a Article, err error) error {
		if err == nil {
			d.finish(&a)
		}
		return fn(a, err)
	}
	switch {
	case format == FormatListing && (d.Format == InputJSON || d.Format == InputAuto):
		return fmt.Errorf("tagger: the listing format is text: input format %s does not apply", d.Format)
	case format == FormatListing, format == FormatText && d.Format == InputText:
		return ReadArticles(r, format, finish)
	case format == FormatText:
		data, err := io.ReadAll(io.LimitReader(r, MaxLineBytes+1))
		if err != nil {
			return fmt.Errorf("tagger: read: %w", err)
		}
		if len(data) > MaxLineBytes {
			return fn(Article{}, &LineError{Line: 1, Err: decodeErr(ReasonTooLong, "", ErrTooLong, nil,
				"input exceeds %d bytes", MaxLineBytes)})
		}
		if len(bytes.TrimSpace(data)) == 0 {
			return nil // an empty file holds no article
		}
		a, err := d.Decode(nil, data)
		if err != nil {
			return fn(Article{}, &LineError{Line: 1, Err: err})
		}
		return fn(a, nil)
	case format == FormatJSONL || format == "json" || format == "ndjson":
		return readJSONL(r, func(line []byte) (Article, error) {
			return d.Decode(nil, line)
		}, fn)
	}
	return ReadArticles(r, format, fn) // the unknown-format error
}
