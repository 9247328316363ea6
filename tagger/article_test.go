package tagger

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestDecodeArticle(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wantErr  error
		reason   string
		field    string
		id       string
		title    string
		body     string
		fields   []string // member names in order
		repaired bool
	}{
		{name: "plain", in: `{"id":"a1","title":"Hello","body":"World"}`, id: "a1", title: "Hello", body: "World",
			fields: []string{"id", "title", "body"}},
		{name: "passthrough order", in: `{"z":1,"title":"T","a":{"x":[1,2]},"body":"B","m":null}`,
			title: "T", body: "B", fields: []string{"z", "title", "a", "body", "m"}},
		{name: "empty title and body", in: `{"id":"e","title":"","body":""}`, id: "e",
			fields: []string{"id", "title", "body"}},
		{name: "no id no text", in: `{}`, fields: nil},
		{name: "null body", in: `{"title":"T","body":null}`, title: "T", fields: []string{"title", "body"}},
		{name: "numeric id", in: `{"id":42,"title":"T"}`, id: "42", title: "T", fields: []string{"id", "title"}},
		{name: "duplicate keeps first position last value", in: `{"title":"one","body":"b","title":"two"}`,
			title: "two", body: "b", fields: []string{"title", "body"}},
		{name: "escapes", in: `{"title":"a\u00e9\"b","body":"line\nnext"}`, title: "aé\"b", body: "line\nnext",
			fields: []string{"title", "body"}},
		{name: "invalid utf-8 repaired", in: "{\"title\":\"bad \xff byte\",\"body\":\"ok\"}", title: "bad \uFFFD byte",
			body: "ok", fields: []string{"title", "body"}, repaired: true},
		{name: "surrounding whitespace", in: " \n{\"title\":\"T\"}\n ", title: "T", fields: []string{"title"}},

		{name: "empty input", in: ``, wantErr: ErrNotJSON, reason: ReasonNotJSON},
		{name: "garbage", in: `not json`, wantErr: ErrNotJSON, reason: ReasonNotJSON},
		{name: "truncated", in: `{"title":"T"`, wantErr: ErrNotJSON, reason: ReasonNotJSON},
		{name: "trailing data", in: `{"title":"T"} {}`, wantErr: ErrNotJSON, reason: ReasonNotJSON},
		{name: "array", in: `[1,2]`, wantErr: ErrNotObject, reason: ReasonNotObject},
		{name: "string", in: `"title"`, wantErr: ErrNotObject, reason: ReasonNotObject},
		{name: "number", in: `12`, wantErr: ErrNotObject, reason: ReasonNotObject},
		{name: "invalid array", in: `[1,`, wantErr: ErrNotJSON, reason: ReasonNotJSON},
		{name: "title number", in: `{"title":1}`, wantErr: ErrBadField, reason: ReasonBadField, field: "title"},
		{name: "body object", in: `{"title":"T","body":{"text":"x"}}`, wantErr: ErrBadField,
			reason: ReasonBadField, field: "body"},
		{name: "id bool", in: `{"id":true}`, wantErr: ErrBadField, reason: ReasonBadField, field: "id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := DecodeArticle([]byte(tt.in))
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if got := Reason(err); got != tt.reason {
					t.Errorf("Reason = %q, want %q", got, tt.reason)
				}
				de, _ := errors.AsType[*DecodeError](err)
				if de.Field != tt.field {
					t.Errorf("Field = %q, want %q", de.Field, tt.field)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if a.ID != tt.id || a.Title != tt.title || a.Body != tt.body {
				t.Errorf("got id=%q title=%q body=%q, want %q %q %q", a.ID, a.Title, a.Body, tt.id, tt.title, tt.body)
			}
			var names []string
			for _, f := range a.Fields {
				names = append(names, f.Name)
			}
			if strings.Join(names, ",") != strings.Join(tt.fields, ",") {
				t.Errorf("fields = %v, want %v", names, tt.fields)
			}
			if a.Repaired != tt.repaired {
				t.Errorf("Repaired = %v, want %v", a.Repaired, tt.repaired)
			}
		})
	}
}

func TestDecodeArticlePassthroughValues(t *testing.T) {
	a, err := DecodeArticle([]byte(`{"meta":{"b":1, "a":[true,null]},"title":"T","n":1.50}`))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := a.Field("meta"); string(v) != `{"b":1, "a":[true,null]}` {
		t.Errorf("meta = %s", v)
	}
	if v, _ := a.Field("n"); string(v) != `1.50` {
		t.Errorf("n = %s (numbers must pass through verbatim)", v)
	}
	if _, ok := a.Field("missing"); ok {
		t.Error("Field(missing) reported present")
	}
}

func TestContentID(t *testing.T) {
	a := Article{Title: "Same", Body: "text"}
	b := Article{ID: "other", Title: "Same", Body: "text", Fields: []Field{{Name: "x", Value: json.RawMessage(`1`)}}}
	c := Article{Title: "Sametext"}
	d := Article{Title: "Same", Body: "text."}
	if ContentID(a) != ContentID(b) {
		t.Error("ContentID depends on more than title and body")
	}
	if ContentID(a) == ContentID(c) || ContentID(a) == ContentID(d) {
		t.Error("ContentID collides for different content")
	}
	if len(ContentID(a)) != 32 {
		t.Errorf("len(ContentID) = %d, want 32", len(ContentID(a)))
	}
}

func FuzzDecodeArticle(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","title":"T","body":"B"}`, `{"title":1}`, `[]`, `{"x":{"y":[1,2,{}]},"body":"\u2028"}`,
		"{\"title\":\"\xff\"}", `{"id":-1.5e3}`, `{"title":"a","title":"b"}`, ``, `{`,
	} {
		f.Add([]byte(s))
	}
	for _, sh := range jsonShapes { // the complexity tests' shapes, small
		f.Add(sh.gen(4 << 10))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := DecodeArticle(data)
		if err != nil {
			if Reason(err) == "" {
				t.Fatalf("error without a reason: %v", err)
			}
			return
		}
		// A decoded article always survives a round trip through a Record.
		r := Record{Article: a}
		out, err := r.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON: %v", err)
		}
		if !json.Valid(out) {
			t.Fatalf("MarshalJSON wrote invalid JSON: %s", out)
		}
		var back Record
		if err := back.UnmarshalJSON(out); err != nil {
			t.Fatalf("UnmarshalJSON(%s): %v", out, err)
		}
		if back.Article.ID != a.ID || back.Article.Title != a.Title || back.Article.Body != a.Body {
			t.Fatalf("round trip changed the text: %q/%q/%q -> %q/%q/%q", a.ID, a.Title, a.Body,
				back.Article.ID, back.Article.Title, back.Article.Body)
		}
	})
}
