package tagger

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// recordJSON returns the record JSON of a with no topics, entities or meta, trimmed of those members, so that a
// test sees only what decoding made of the input.
func recordJSON(t *testing.T, a Article) string {
	t.Helper()
	b, err := (&Record{Article: a}).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, `"topics":[]`)
	if i < 0 {
		t.Fatalf("no topics member in %s", s)
	}
	return strings.TrimSuffix(s[:i], ",") + "}"
}

func TestDecoderJSONIsDecodeArticle(t *testing.T) {
	// The default Decoder must leave a JSON article exactly as DecodeArticle reads it: same record bytes.
	inputs := []string{
		`{"id":"a1","title":"N. Korea fires missile","body":"North Korea fired a missile.\n\nSeoul said so.","x":[1,{"y":2}]}`,
		`{"title":"a < b","body":"I <3 Seoul; AT&amp;T is not a tag"}`,
		`{"id":7,"body":"no title"}`,
		`{}`,
	}
	for _, in := range inputs {
		want, err := DecodeArticle([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		got, err := (&Decoder{}).Decode([]byte("key"), []byte(in))
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got.Format != InputJSON || got.BodyText {
			t.Errorf("%s: Format %q, BodyText %v", in, got.Format, got.BodyText)
		}
		if g, w := recordJSON(t, got), recordJSON(t, want); g != w {
			t.Errorf("%s:\n got %s\nwant %s", in, g, w)
		}
	}
}

func TestDecoderText(t *testing.T) {
	tests := []struct {
		name, format, key, in string // format "+ids": with ContentIDs
		want                  string // record JSON, or the error reason after "error:"
	}{
		{"key is the id", InputText, "k1", "N. Korea fires missiles\nNorth Korea fired two missiles.\n",
			`{"id":"k1","title":"N. Korea fires missiles","body":"North Korea fired two missiles.","input_format":"text"}`},
		{"no key, no id", InputText, "", "  \n\n  Title  \r\n\r\nPara one.\r\nLine two.\r\n",
			`{"title":"Title","body":"Para one.\nLine two.","input_format":"text"}`},
		{"title only, BOM", InputText, "", "\uFEFFJust a headline",
			`{"title":"Just a headline","body":"","input_format":"text"}`},
		{"JSON taken as text", InputText, "", `{"title":"x"}`,
			`{"title":"{\"title\":\"x\"}","body":"","input_format":"text"}`},
		{"empty", InputText, "k", " \n\t\n", "error:" + ReasonEmpty},
		{"auto object", InputAuto, "k", ` {"id":"j1","title":"T","body":"B"}`, `{"id":"j1","title":"T","body":"B"}`},
		{"auto text", InputAuto, "k", "Kim meets Putin\nThe two leaders met.",
			`{"id":"k","title":"Kim meets Putin","body":"The two leaders met.","input_format":"text"}`},
		{"auto text starting with a bracket", InputAuto, "", "[Breaking] Seoul\nbody",
			`{"title":"[Breaking] Seoul","body":"body","input_format":"text"}`},
		{"auto text starting like a literal", InputAuto, "", "true story\nbody",
			`{"title":"true story","body":"body","input_format":"text"}`},
		{"auto JSON string", InputAuto, "", `"Kim meets Putin\nThe two leaders met."`,
			`{"title":"Kim meets Putin","body":"The two leaders met.","input_format":"text"}`},
		{"auto empty JSON string", InputAuto, "", `""`, "error:" + ReasonEmpty},
		{"auto array", InputAuto, "", `[{"title":"x"}]`, "error:" + ReasonNotObject},
		{"auto number", InputAuto, "", ` 2025 `, "error:" + ReasonNotObject},
		{"auto null", InputAuto, "", `null`, "error:" + ReasonNotObject},
		{"auto broken object", InputAuto, "", `{"title": "x"`, "error:" + ReasonNotJSON},
		{"content id", InputText + "+ids", "", "Title\nBody",
			`{"id":"` + ContentID(Article{Title: "Title", Body: "Body"}) + `","title":"Title","body":"Body","input_format":"text"}`},
		{"key beats content id", InputText + "+ids", "k", "Title\nBody",
			`{"id":"k","title":"Title","body":"Body","input_format":"text"}`},
		{"json content id", InputJSON + "+ids", "k", `{"title":"Title","body":"Body"}`,
			`{"id":"` + ContentID(Article{Title: "Title", Body: "Body"}) + `","title":"Title","body":"Body"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			format, ids := strings.CutSuffix(tt.format, "+ids")
			d := &Decoder{Format: format, ContentIDs: ids}
			a, err := d.Decode([]byte(tt.key), []byte(tt.in))
			if reason, ok := strings.CutPrefix(tt.want, "error:"); ok {
				if err == nil || Reason(err) != reason {
					t.Fatalf("err = %v, want reason %s", err, reason)
				}
				if !errors.As(err, new(*DecodeError)) {
					t.Errorf("err %T is not a *DecodeError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := recordJSON(t, a); got != tt.want {
				t.Errorf("\n got %s\nwant %s", got, tt.want)
			}
			if got := d.Detect([]byte(tt.in)); got != a.Format {
				t.Errorf("Detect = %s, decoded as %s", got, a.Format)
			}
		})
	}
}

func TestDecoderTextRepairsUTF8(t *testing.T) {
	a, err := (&Decoder{Format: InputText}).Decode([]byte("k\xff"), []byte("Ti\xfftle\nbo\xc3dy"))
	if err != nil {
		t.Fatal(err)
	}
	if !a.Repaired || !utf8.ValidString(a.ID+a.Title+a.Body) {
		t.Errorf("not repaired: %+v", a)
	}
}

func TestDecoderMapping(t *testing.T) {
	foreign := `{"meta":{"guid":"g-17","tags":["a","b"]},"headline":"Kim meets Putin","content":"",` +
		`"text":"The two leaders met in Vladivostok.","published":"2026-11-30T08:00:00Z","id":{"$oid":"x"}}`
	tests := []struct {
		name   string
		fields []string
		in     string
		want   string // record JSON, or "error:" and the error text's distinctive part
	}{
		{"foreign shape", []string{"id=/meta/guid", "title=/headline", "body=/content,/text,/description",
			"published_at=/published"}, foreign,
			`{"title":"Kim meets Putin","body":"The two leaders met in Vladivostok.","meta":{"guid":"g-17","tags":["a","b"]},` +
				`"headline":"Kim meets Putin","content":"","text":"The two leaders met in Vladivostok.",` +
				`"published":"2026-11-30T08:00:00Z","id":"g-17","published_at":"2026-11-30T08:00:00Z"}`},
		{"missing is empty", []string{"id=/nope/x", "title=/missing", "body=/content"}, foreign,
			`{"title":"","body":"","meta":{"guid":"g-17","tags":["a","b"]},"headline":"Kim meets Putin","content":"",` +
				`"text":"The two leaders met in Vladivostok.","published":"2026-11-30T08:00:00Z","id":""}`},
		{"array index and escapes", []string{"title=/a~1b/0", "body=/m~0n/x"}, `{"a/b":["T0","T1"],"m~n":{"x":"B"}}`,
			`{"title":"T0","body":"B","a/b":["T0","T1"],"m~n":{"x":"B"}}`},
		{"null and empty move on", []string{"body=/a,/b,/c"}, `{"a":null,"b":"","c":"C"}`,
			`{"title":"","body":"C","a":null,"b":"","c":"C"}`},
		{"numeric id and date", []string{"id=/n", "published_at=/t"}, `{"n":42,"t":1764489600,"title":"T"}`,
			`{"id":"42","body":"","n":42,"t":1764489600,"title":"T","published_at":1764489600}`},
		{"unmapped members keep their types", []string{"title=/h"}, `{"h":"H","body":7}`, "error:" + `"body"`},
		{"last duplicate wins", []string{"title=/h"}, `{"h":"one","h":"two"}`, `{"title":"two","body":"","h":"two"}`},
		{"wrong type names the pointer", []string{"title=/headline"}, `{"headline":["x"]}`,
			"error:" + `"/headline": want a string, got an array`},
		{"wrong type after a miss", []string{"body=/a,/b"}, `{"b":{"x":1}}`, "error:" + `"/b": want a string, got an object`},
		{"through a string", []string{"id=/meta/guid"}, `{"meta":"flat"}`,
			"error:" + `/meta/guid goes through a string at /meta`},
		{"through null is missing", []string{"id=/meta/guid"}, `{"meta":null}`, `{"title":"","body":"","meta":null}`},
		{"not JSON", []string{"title=/h"}, `{"h":`, "error:not_json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewDecoder(InputJSON, HTMLAuto, tt.fields)
			if err != nil {
				t.Fatal(err)
			}
			a, err := d.Decode(nil, []byte(tt.in))
			if msg, ok := strings.CutPrefix(tt.want, "error:"); ok {
				if err == nil || !strings.Contains(err.Error(), msg) {
					t.Fatalf("err = %v, want one containing %s", err, msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := recordJSON(t, a); got != tt.want {
				t.Errorf("\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestDecoderMappingBadFieldReason(t *testing.T) {
	d, err := NewDecoder("", "", []string{"title=/meta/headline"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Decode(nil, []byte(`{"meta":{"headline":3}}`))
	de, ok := errors.AsType[*DecodeError](err)
	if !ok || de.Reason != ReasonBadField || de.Field != "/meta/headline" || !errors.Is(err, ErrBadField) {
		t.Fatalf("err = %#v, want bad_field naming /meta/headline", err)
	}
}

func TestParseFieldMap(t *testing.T) {
	m, err := ParseFieldMap([]string{"body=/content,/text,/a,b", " id =/meta/guid", "title=/"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Specs(), []string{"id=/meta/guid", "title=/", "body=/content,/text,/a,b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Specs = %q, want %q", got, want)
	}
	if n := len(m.Body); n != 3 || m.Body[2].String() != "/a,b" {
		t.Errorf("body pointers = %v", m.Body)
	}
	if m.PublishedAt != nil || m.IsZero() {
		t.Errorf("published_at = %v, IsZero = %v", m.PublishedAt, m.IsZero())
	}
	if m, err := ParseFieldMap(nil); err != nil || !m.IsZero() {
		t.Errorf("no specs: %v, %v", m, err)
	}
	bad := map[string]string{
		"headline=/h":       `unknown field "headline" (want one of id, title, body, published_at)`,
		"title":             "want NAME=/pointer",
		"=/x":               "want NAME=/pointer",
		"title=headline":    `JSON pointer "headline" must start with /`,
		"title=":            "empty JSON pointer",
		"title=/a,":         "", // "/a," is one pointer: a member named "a,"
		"title=/a~2":        "~ must be followed by 0 or 1",
		"title=/a~":         "~ must be followed by 0 or 1",
		"body=/a,text":      "", // likewise "/a,text"
		"title=/a,/b~x":     "~ must be followed by 0 or 1",
		"title=/a\x00title": "", // any member name is allowed
	}
	for spec, want := range bad {
		_, err := ParseFieldMap([]string{spec})
		if want == "" {
			if err != nil {
				t.Errorf("%q: %v", spec, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), spec) {
			t.Errorf("%q: err = %v, want it to quote the spec and say %s", spec, err, want)
		}
	}
	if _, err := ParseFieldMap([]string{"title=/a", "title=/b"}); err == nil || !strings.Contains(err.Error(), "mapped twice") {
		t.Errorf("twice: %v", err)
	}
}

func TestNewDecoderErrors(t *testing.T) {
	for _, tt := range []struct {
		format, html string
		fields       []string
		want         string
	}{
		{"xml", "", nil, `input format "xml": want one of json, text, auto`},
		{"", "yes", nil, `HTML mode "yes": want one of auto, strip, off`},
		{"", "", []string{"x=/y"}, `unknown field "x"`},
		{"text", "", []string{"title=/y"}, "field mappings apply to JSON input"},
	} {
		if _, err := NewDecoder(tt.format, tt.html, tt.fields); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewDecoder(%q, %q, %q) = %v, want %s", tt.format, tt.html, tt.fields, err, tt.want)
		}
	}
}

func TestDecoderHTML(t *testing.T) {
	const html = `<p>N. Korea&rsquo;s leader <b>Kim Jong Un</b> watched.</p><script>track()</script><p>Seoul said so.</p>`
	const text = "N. Korea’s leader Kim Jong Un watched.\n\nSeoul said so."
	in := `{"id":"h1","title":"T","body":` + string(appendString(nil, html)) + `,"src":"feed"}`
	tests := []struct {
		mode, in, want string
	}{
		{HTMLAuto, in, `{"id":"h1","title":"T","body":` + string(appendString(nil, html)) + `,"src":"feed","body_text":` +
			string(appendString(nil, text)) + `}`},
		{HTMLStrip, in, `{"id":"h1","title":"T","body":` + string(appendString(nil, html)) + `,"src":"feed","body_text":` +
			string(appendString(nil, text)) + `}`},
		{HTMLOff, in, `{"id":"h1","title":"T","body":` + string(appendString(nil, html)) + `,"src":"feed"}`},
		// auto leaves text alone, entities and all; strip reads it as HTML.
		{HTMLAuto, `{"body":"Tom &amp; Jerry\n\nsecond"}`, `{"title":"","body":"Tom &amp; Jerry\n\nsecond"}`},
		{HTMLStrip, `{"body":"Tom &amp; Jerry\n\nsecond"}`,
			`{"title":"","body":"Tom &amp; Jerry\n\nsecond","body_text":"Tom & Jerry second"}`},
		// strip with nothing to change adds nothing.
		{HTMLStrip, `{"body":"plain words"}`, `{"title":"","body":"plain words"}`},
	}
	for _, tt := range tests {
		a, err := (&Decoder{HTML: tt.mode}).Decode(nil, []byte(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		if got := recordJSON(t, a); got != tt.want {
			t.Errorf("%s %s:\n got %s\nwant %s", tt.mode, tt.in, got, tt.want)
		}
		if _, ok := a.Field(BodyTextMember); ok != a.BodyText {
			t.Errorf("%s: body_text member %v, BodyText %v", tt.mode, ok, a.BodyText)
		}
	}
	// A mapped HTML body and a text one: the body as received is kept; the content id is the received one's.
	d, _ := NewDecoder(InputAuto, "", []string{"body=/content"})
	d.ContentIDs = true
	a, err := d.Decode(nil, []byte(`{"content":"<div>Hi</div>"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"` + ContentID(Article{Body: "<div>Hi</div>"}) + `","title":"","content":"<div>Hi</div>","body":"<div>Hi</div>","body_text":"Hi"}`
	if got := recordJSON(t, a); got != want {
		t.Errorf("mapped:\n got %s\nwant %s", got, want)
	}
	a, err = d.Decode([]byte("k"), []byte("Title\n<p>One</p><p>Two</p>"))
	if err != nil {
		t.Fatal(err)
	}
	want = `{"id":"k","title":"Title","body":"<p>One</p><p>Two</p>","body_text":"One\n\nTwo","input_format":"text"}`
	if got := recordJSON(t, a); got != want {
		t.Errorf("text:\n got %s\nwant %s", got, want)
	}
}

// TestHTMLSpansPointIntoBodyText tags an HTML article and checks every body span against body_text, and that
// the record reads back with the same text.
func TestHTMLSpansPointIntoBodyText(t *testing.T) {
	const body = `<html><head><title>ignored</title><style>p{}</style></head><body>` +
		`<nav><a href="/">Home</a> | <a href="/world">Kim Jong Un news</a></nav>` +
		`<h2>Leaders&rsquo; meeting</h2><p>North Korean leader <b>Kim&nbsp;Jong&nbsp;Un</b> met Russian President ` +
		`Vladimir Putin in Pyongyang &mdash; the two signed a mutual defense pact.</p>` +
		`<p>South Korea&#39;s defense ministry said the North fired a ballistic missile.</p></body></html>`
	in, _ := json.Marshal(map[string]string{"id": "h2", "title": "Kim and Putin sign pact", "body": body})
	a, err := (&Decoder{}).Decode(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	if !a.BodyText || strings.Contains(a.Body, "<") || strings.Contains(a.Body, "Home") || strings.Contains(a.Body, "ignored") {
		t.Fatalf("body not turned into text: %q", a.Body)
	}
	rec, err := defaultTagger(t).Tag(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	out, err := rec.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Body     string `json:"body"`
		BodyText string `json:"body_text"`
		Entities []Entity
		Topics   []Topic
	}
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if back.Body != body || back.BodyText != a.Body {
		t.Fatalf("record body/body_text: %q / %q", back.Body, back.BodyText)
	}
	text := []rune(back.BodyText)
	spans := 0
	check := func(what, field, s string, start, end int) {
		if field != "body" {
			return
		}
		spans++
		if start < 0 || end > len(text) || string(text[start:end]) != s {
			t.Errorf("%s %q at [%d,%d) does not point into body_text", what, s, start, end)
		}
	}
	for _, e := range back.Entities {
		check("entity", e.Field, e.Text, e.Start, e.End)
	}
	for _, tp := range back.Topics {
		for _, ev := range tp.Evidence {
			check("evidence", ev.Field, ev.Text, ev.Start, ev.End)
		}
	}
	if spans == 0 {
		t.Fatal("no body spans")
	}
	canon := map[string]bool{}
	for _, e := range rec.Entities {
		canon[e.Canonical] = true
	}
	for _, c := range []string{"Kim Jong-un", "Vladimir Putin", "North Korea"} {
		if !canon[c] {
			t.Errorf("entity %s not found in %v", c, rec.Canonicals())
		}
	}
	labels := strings.Join(rec.Labels(), ",")
	for _, l := range []string{"north-korea", "russia", "military"} {
		if !strings.Contains(labels, l) {
			t.Errorf("topic %s not in %s", l, labels)
		}
	}
	var rt Record
	if err := rt.UnmarshalJSON(out); err != nil {
		t.Fatal(err)
	}
	if !rt.Article.BodyText || rt.Article.Body != a.Body {
		t.Errorf("read back: BodyText %v, Body %q", rt.Article.BodyText, rt.Article.Body)
	}
	again, _ := rt.MarshalJSON()
	if string(again) != string(out) {
		t.Errorf("round trip changed the record:\n%s\n%s", out, again)
	}
}

func TestDecoderReadArticles(t *testing.T) {
	collect := func(d *Decoder, format, in string) (recs []string, errs []string) {
		err := d.ReadArticles(strings.NewReader(in), format, func(a Article, err error) error {
			if err != nil {
				errs = append(errs, err.Error())
				return nil
			}
			recs = append(recs, recordJSON(t, a))
			return nil
		})
		if err != nil {
			errs = append(errs, "stop: "+err.Error())
		}
		return recs, errs
	}
	d := &Decoder{Format: InputAuto}
	recs, errs := collect(d, FormatJSONL, "{\"title\":\"A\",\"body\":\"<p>x</p>\"}\n\nplain line\n[1]\n")
	want := []string{`{"title":"A","body":"<p>x</p>","body_text":"x"}`, `{"title":"plain line","body":"","input_format":"text"}`}
	if !reflect.DeepEqual(recs, want) || len(errs) != 1 || !strings.HasPrefix(errs[0], "line 4: article: not_object") {
		t.Errorf("jsonl auto: %q %q", recs, errs)
	}
	// A pretty-printed JSON file is one article under --format text with a JSON input format.
	recs, errs = collect(&Decoder{}, FormatText, "{\n  \"title\": \"A\",\n  \"body\": \"B\"\n}\n")
	if !reflect.DeepEqual(recs, []string{`{"title":"A","body":"B"}`}) || errs != nil {
		t.Errorf("text json: %q %q", recs, errs)
	}
	// Text files read as text are what ReadArticles makes of them, plus HTML handling.
	recs, errs = collect(&Decoder{Format: InputText}, FormatText, "Title\n<p>a</p>\n")
	if !reflect.DeepEqual(recs, []string{`{"title":"Title","body":"<p>a</p>","body_text":"a"}`}) || errs != nil {
		t.Errorf("text text: %q %q", recs, errs)
	}
	if _, errs = collect(&Decoder{Format: InputJSON}, FormatListing, ""); len(errs) != 1 {
		t.Errorf("listing json: %q", errs)
	}
	if _, errs = collect(&Decoder{HTML: "maybe"}, FormatJSONL, ""); len(errs) != 1 {
		t.Errorf("bad mode: %q", errs)
	}
}

// FuzzDecoder decodes any value under every input format, with a field map, and checks the contract: a
// *DecodeError or an article of valid UTF-8 whose record is valid JSON, with the text format's members.
func FuzzDecoder(f *testing.F) {
	for _, s := range []string{"Title\nBody", `{"title":"T","body":"<p>B</p>"}`, `"quoted\ntext"`, `[1]`, "\uFEFF\r\n x \r\n",
		`{"meta":{"guid":1},"headline":"H","content":["x"]}`, "\xff\xfe", `{"body":"a","body":"<br>b"}`, ""} {
		f.Add([]byte("k"), []byte(s))
	}
	mapped, err := NewDecoder(InputAuto, HTMLAuto, []string{"id=/meta/guid", "title=/headline,/title",
		"body=/content,/body", "published_at=/published"})
	if err != nil {
		f.Fatal(err)
	}
	decoders := []*Decoder{{Format: InputText}, {Format: InputAuto, HTML: HTMLStrip}, {ContentIDs: true}, mapped}
	f.Fuzz(func(t *testing.T, key, value []byte) {
		for _, d := range decoders {
			a, err := d.Decode(key, value)
			if err != nil {
				if _, ok := errors.AsType[*DecodeError](err); !ok {
					t.Fatalf("%+v: error %T %v is not a *DecodeError", d, err, err)
				}
				continue
			}
			if !utf8.ValidString(a.ID) || !utf8.ValidString(a.Title) || !utf8.ValidString(a.Body) {
				t.Fatalf("%+v: invalid UTF-8 in %+v", d, a)
			}
			b, err := (&Record{Article: a}).MarshalJSON()
			if err != nil || !json.Valid(b) {
				t.Fatalf("%+v: record %s: %v", d, b, err)
			}
			if _, ok := a.Field(BodyTextMember); ok != a.BodyText && !bytes.Contains(value, []byte(BodyTextMember)) {
				t.Fatalf("%+v: body_text member %v, BodyText %v", d, ok, a.BodyText)
			}
			if a.Format == InputText {
				if a.Title == "" || strings.TrimSpace(a.Title) != a.Title || strings.ContainsRune(a.Title, '\n') {
					t.Fatalf("%+v: text title %q", d, a.Title)
				}
				if v, _ := a.Field(InputFormatMember); string(v) != `"text"` {
					t.Fatalf("%+v: input_format %s", d, v)
				}
			}
		}
	})
}

// FuzzParseFieldMap checks that a spec either fails or round-trips through Specs, and that the pointers look
// up without failing on a fixed document.
func FuzzParseFieldMap(f *testing.F) {
	for _, s := range []string{"body=/content,/text", "id=/meta/guid", "title=/a~1b/0", "x=/y", "title=/a~", "body=/,/"} {
		f.Add(s)
	}
	doc := []byte(`{"content":"c","meta":{"guid":"g","a/b":[1,"x"]},"":{"":"e"},"text":["t"]}`)
	f.Fuzz(func(t *testing.T, spec string) {
		m, err := ParseFieldMap([]string{spec})
		if err != nil {
			return
		}
		again, err := ParseFieldMap(m.Specs())
		if err != nil || !reflect.DeepEqual(again, m) {
			t.Fatalf("%q: Specs %q read back as %v, %v", spec, m.Specs(), again, err)
		}
		for _, ptrs := range [][]Pointer{m.ID, m.Title, m.Body, m.PublishedAt} {
			for _, p := range ptrs {
				if raw, ok, err := p.Lookup(doc); ok && (err != nil || !json.Valid(raw)) {
					t.Fatalf("%s: %s %v", p, raw, err)
				}
			}
		}
	})
}
