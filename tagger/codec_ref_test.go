package tagger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf8"
)

// The encoding/json based decoder and the first append encoder, kept as the reference the hand-written
// DecodeArticle and MarshalJSON are checked against.

func refDecodeArticle(data []byte) (Article, error) {
	var a Article
	if !utf8.Valid(data) {
		data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
		a.Repaired = true
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return Article{}, decodeErr(ReasonNotJSON, "", ErrNotJSON, nil, "empty input")
		}
		return Article{}, decodeErr(ReasonNotJSON, "", ErrNotJSON, err, "%v", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		if !json.Valid(data) {
			return Article{}, decodeErr(ReasonNotJSON, "", ErrNotJSON, nil, "invalid JSON")
		}
		return Article{}, decodeErr(ReasonNotObject, "", ErrNotObject, nil, "got %s", refJSONKind(tok))
	}
	pos := map[string]int{} // member name -> index in a.Fields: linear, so the fuzzers see a quadratic DecodeArticle
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Article{}, decodeErr(ReasonNotJSON, "", ErrNotJSON, err, "%v", err)
		}
		name := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return Article{}, decodeErr(ReasonNotJSON, "", ErrNotJSON, err, "member %q: %v", name, err)
		}
		switch name {
		case "id":
			id, err := refDecodeID(raw)
			if err != nil {
				return Article{}, err
			}
			a.ID = id
		case "title", "body":
			s, err := refDecodeText(name, raw)
			if err != nil {
				return Article{}, err
			}
			if name == "title" {
				a.Title = s
			} else {
				a.Body = s
			}
		}
		if i, ok := pos[name]; ok {
			a.Fields[i].Value = raw
		} else {
			pos[name] = len(a.Fields)
			a.Fields = append(a.Fields, Field{Name: name, Value: raw})
		}
	}
	if _, err := dec.Token(); err != nil {
		return Article{}, decodeErr(ReasonNotJSON, "", ErrNotJSON, err, "%v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Article{}, decodeErr(ReasonNotJSON, "", ErrNotJSON, nil, "data after the object")
	}
	return a, nil
}

func refDecodeText(name string, raw json.RawMessage) (string, error) {
	switch raw[0] {
	case 'n':
		return "", nil
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", decodeErr(ReasonNotJSON, name, ErrNotJSON, err, "%v", err)
		}
		return s, nil
	}
	return "", decodeErr(ReasonBadField, name, ErrBadField, nil, "want a string, got %s", rawKind(raw))
}

func refDecodeID(raw json.RawMessage) (string, error) {
	if c := raw[0]; c == '-' || (c >= '0' && c <= '9') {
		return string(raw), nil
	}
	return refDecodeText("id", raw)
}

func refJSONKind(tok json.Token) string {
	switch tok.(type) {
	case json.Delim:
		return "an array"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	case string:
		return "a string"
	}
	return "null"
}

var refOwnMembers = map[string]bool{"topics": true, "entities": true, "tagger": true}

func refMarshalJSON(r *Record) ([]byte, error) {
	b := make([]byte, 0, 256+len(r.Article.Title)+len(r.Article.Body)+len(r.Entities)*128+len(r.Topics)*256)
	b = append(b, '{')
	first := true
	member := func(name string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = refAppendString(b, name)
		b = append(b, ':')
	}
	a := &r.Article
	_, hasID := a.Field("id")
	_, hasTitle := a.Field("title")
	_, hasBody := a.Field("body")
	if !hasID && a.ID != "" {
		member("id")
		b = refAppendString(b, a.ID)
	}
	if !hasTitle {
		member("title")
		b = refAppendString(b, a.Title)
	}
	if !hasBody {
		member("body")
		b = refAppendString(b, a.Body)
	}
	var buf bytes.Buffer
	for _, f := range a.Fields {
		if refOwnMembers[f.Name] {
			continue
		}
		member(f.Name)
		switch f.Name {
		case "id":
			b = refAppendString(b, a.ID)
		case "title":
			b = refAppendString(b, a.Title)
		case "body":
			b = refAppendString(b, a.Body)
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
		b = refAppendString(b, t.Label)
		b = append(b, `,"score":`...)
		b = strconv.AppendFloat(b, t.Score, 'f', -1, 64)
		b = append(b, `,"evidence":[`...)
		for j, ev := range t.Evidence {
			if j > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"rule":`...)
			b = refAppendString(b, ev.Rule)
			b = append(b, `,"text":`...)
			b = refAppendString(b, ev.Text)
			b = refAppendSpan(b, ev.Field, ev.Start, ev.End)
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
		b = refAppendString(b, e.Text)
		b = append(b, `,"canonical":`...)
		b = refAppendString(b, e.Canonical)
		b = append(b, `,"type":`...)
		b = refAppendString(b, e.Type)
		if e.ID != "" {
			b = append(b, `,"id":`...)
			b = refAppendString(b, e.ID)
		}
		b = append(b, `,"source":`...)
		b = refAppendString(b, e.Source)
		b = refAppendSpan(b, e.Field, e.Start, e.End)
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
	b = refAppendString(b, r.Tagger.Version)
	b = append(b, `,"rules_version":`...)
	b = refAppendString(b, r.Tagger.RulesVersion)
	b = append(b, `,"tagged_at":`...)
	b = refAppendString(b, r.Tagger.TaggedAt.UTC().Format(time.RFC3339Nano))
	b = append(b, `,"record":"full"}}`...)
	return b, nil
}

func refAppendSpan(b []byte, field string, start, end int) []byte {
	b = append(b, `,"field":`...)
	b = refAppendString(b, field)
	b = append(b, `,"start":`...)
	b = strconv.AppendInt(b, int64(start), 10)
	b = append(b, `,"end":`...)
	return strconv.AppendInt(b, int64(end), 10)
}

func refAppendString(b []byte, s string) []byte {
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
