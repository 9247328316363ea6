package tagger

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// decodeSeeds are inputs on the edges of the JSON grammar and of DecodeArticle's rules.
var decodeSeeds = []string{
	``, ` `, `{`, `}`, `{}`, ` {} `, `{} x`, `{}{}`, `{}}`, `{}]`, `[]`, `[1,`, `[1,2]`, `"s"`, `12`, `-`, `null`,
	`true`, `tru`, `1 2`, `{"a":1,}`, `{,}`, `{"a" 1}`, `{"a":1 "b":2}`, `{"a":1]`, `{"a"}`, `{"a":}`, `{1:2}`,
	`{"id":"a","title":"T","body":"B"}`, `{"title":1}`, `{"title":1x`, `{"title":1`, `{"title":-x}`,
	`{"title":01}`, `{"id":01}`, `{"id":-0.5e+3}`, `{"id":1.}`, `{"id":1e}`, `{"id":1e+}`, `{"id":-}`,
	`{"id":true}`, `{"id":null}`, `{"id":"a","id":null}`, `{"id":"a","id":7}`, `{"title":tru}`, `{"title":truex}`,
	`{"title":nul}`, `{"title":false}`, `{"title":[]}`, `{"title":{}}`, `{"body":{"text":"x"}}`,
	`{"x":{"y":[1,2,{}]},"body":"\u2028"}`, `{"x":[1, 2 ,{"a" : [ ] } ] , "title" : "t" }`,
	"{\"title\":\"\xff\"}", "{\"title\":\"a\xed\xa0\x80b\",\"x\xc3\":1}", `{"title":"a","title":"b"}`,
	`{"ti\u0074le":"esc key","title":"x"}`, `{"title":"\ud83d\ude00 \ud800 \udc00\ud800 \ud800\u0041"}`,
	`{"title":"\"\\\/\b\f\n\r\t\u00e9\u00E9"}`, `{"title":"\x"}`, `{"title":"\u12"}`, `{"title":"\u12g4"}`,
	"{\"title\":\"tab\there\"}", "{\"title\":\"nl\nhere\"}", `{"title":"unterminated`, `{"title":"a\`,
	`{"topics":[1],"entities":{},"tagger":null,"title":"T"}`, "\t\r\n{\"a\":\t1}\n", `{"a":[[[[[]]]]]}`,
	`{"a":{"b":{"c":"d"}},"e":[true,false,null,-1.5E-7,"s"]}`, `{"a":{"b":1,}}`, `{"a":[1,]}`, `{"a":[,1]}`,
	`{"a":{"b"}}`, `{"a":{"b":}}`, `{"a":{,}}`, `{"a":[1 2]}`, `{"a":{"b":1 "c":2}}`, `{"":1}`, `{"\u0000":1}`,
}

func sameDecode(t *testing.T, data []byte) {
	t.Helper()
	want, werr := refDecodeArticle(data)
	got, gerr := DecodeArticle(data)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("DecodeArticle(%q): err = %v, reference err = %v", data, gerr, werr)
	}
	if werr != nil {
		wde, _ := errors.AsType[*DecodeError](werr)
		gde, ok := errors.AsType[*DecodeError](gerr)
		if !ok || gde.Reason != wde.Reason || gde.Field != wde.Field {
			t.Fatalf("DecodeArticle(%q): err = %#v, reference err = %#v", data, gerr, werr)
		}
		for _, sentinel := range []error{ErrNotJSON, ErrNotObject, ErrBadField} {
			if errors.Is(gerr, sentinel) != errors.Is(werr, sentinel) {
				t.Fatalf("DecodeArticle(%q): err = %v, reference err = %v (sentinel %v)", data, gerr, werr, sentinel)
			}
		}
		if wde.Reason != ReasonNotJSON && gde.Msg != wde.Msg {
			t.Fatalf("DecodeArticle(%q): message %q, reference %q", data, gde.Msg, wde.Msg)
		}
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodeArticle(%q) =\n%#v\nreference\n%#v", data, got, want)
	}
}

func TestDecodeArticleMatchesReference(t *testing.T) {
	for _, s := range decodeSeeds {
		sameDecode(t, []byte(s))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		sameDecode(t, benchArticleJSON(r, i, 500+i*200))
	}
}

func TestDecodeArticleNesting(t *testing.T) {
	for _, depth := range []int{maxNesting - 1, maxNesting, maxNesting + 1} {
		for _, open := range []string{"[", `{"k":`} {
			close := map[string]string{"[": "]", `{"k":`: "}"}[open]
			in := `{"title":"T","deep":` + strings.Repeat(open, depth) + `1` + strings.Repeat(close, depth) + `}`
			sameDecode(t, []byte(in))
			_, err := DecodeArticle([]byte(in))
			if wantOK := depth <= maxNesting; (err == nil) != wantOK {
				t.Errorf("depth %d %s: err = %v, want ok = %v", depth, open, err, wantOK)
			}
		}
	}
}

func TestDecodeArticleOwnsValues(t *testing.T) {
	in := []byte(`{"a":[1,2],"b":"x","title":"T"}`)
	a, err := DecodeArticle(in)
	if err != nil {
		t.Fatal(err)
	}
	copy(in, bytes.Repeat([]byte{'#'}, len(in)))
	if v, _ := a.Field("a"); string(v) != `[1,2]` {
		t.Errorf("a = %s after the input was overwritten", v)
	}
	v, _ := a.Field("a")
	_ = append(v, '!')
	if w, _ := a.Field("b"); string(w) != `"x"` {
		t.Errorf("b = %s after appending to a", w)
	}
}

// FuzzDecodeArticleReference checks that DecodeArticle accepts, rejects and decodes exactly as the
// encoding/json based reference does.
func FuzzDecodeArticleReference(f *testing.F) {
	for _, s := range decodeSeeds {
		f.Add([]byte(s))
	}
	for _, sh := range jsonShapes { // the complexity tests' shapes: both decoders must stay linear on them
		f.Add(sh.gen(4 << 10))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameDecode(t, data)
	})
}

func TestUnquoteMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{`""`, `"plain"`, `"\u00e9\ud83d\ude00"`, `"\ud800"`, `"\udc00\ud800"`,
		`"\ud800\u0041"`, `"\ud800\\u0041"`, `"\ud800\ud800\udc00"`, `"a\/b\\c\"d"`, `"\b\f\n\r\t"`, `"\uFFFF\uFEFF"`,
		`"é ✓ \u2028"`} {
		var want string
		if err := json.Unmarshal([]byte(s), &want); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		end, escaped, err := scanString([]byte(s), 0)
		if err != nil || end != len(s) {
			t.Fatalf("scanString(%s) = %d, %v", s, end, err)
		}
		if got := unquote([]byte(s), escaped); got != want {
			t.Errorf("unquote(%s) = %q, want %q", s, got, want)
		}
	}
}

// marshalStrings are texts that stress the string encoder.
var marshalStrings = []string{"", "plain", "q\"b\\s/", "\x00\x01\x07\x08\x0b\x0c\x1f\x7f\n\r\t", "<b>&amp;</b>",
	"é✓😀 한국어 Русский", "\u2028\u2029 a\u2028b", "\u2027\u202a\u20ac", "bad\xffutf8\xc3", "\xe2\x80", "\xe2\x80\xa8",
	"\xe2\x80\xa9x", "\ufffd\ufeff", "\xed\xa0\x80", strings.Repeat("long ascii text ", 40) + "\n"}

func TestAppendStringMatchesReference(t *testing.T) {
	for _, s := range marshalStrings {
		if got, want := appendString(nil, s), refAppendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("appendString(%q) = %s, want %s", s, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range marshalStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendString([]byte("x"), s)
		if want := refAppendString([]byte("x"), s); !bytes.Equal(got, want) {
			t.Fatalf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

func TestMarshalJSONMatchesReference(t *testing.T) {
	tg := defaultTagger(t)
	r := rand.New(rand.NewPCG(3, 4))
	pick := func() string { return marshalStrings[r.IntN(len(marshalStrings))] }
	var recs []*Record
	for i := range 24 {
		a, err := DecodeArticle(benchArticleJSON(r, i, 200+i*150))
		if err != nil {
			t.Fatal(err)
		}
		rec, err := tg.Tag(t.Context(), a)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, rec)
	}
	for _, s := range decodeSeeds {
		if a, err := DecodeArticle([]byte(s)); err == nil {
			recs = append(recs, &Record{Article: a, Tagger: Meta{TaggedAt: time.Unix(1, 5).In(time.FixedZone("X", -3600))}})
		}
	}
	for i := range 40 { // built records with odd text everywhere
		a := Article{ID: pick(), Title: pick(), Body: pick(), Repaired: i%2 == 0}
		for j := range i % 5 {
			a.SetField([]string{"id", pick(), "topics", "x", "body", "title", "tagger"}[(i+j)%7],
				json.RawMessage([]string{" [ 1 , {\"a\" : \"\u2028<>\" } ] ", `null`, "\"\xff\"", `{"k":{}}`, `-0.0e1`}[j]))
		}
		rec := &Record{Article: a, Tagger: Meta{Version: pick(), RulesVersion: pick(),
			TaggedAt: time.Date(2026, 3, 1, 12, 0, 0, i*1000, time.FixedZone("KST", 9*3600))}}
		for k := range i % 4 {
			rec.Topics = append(rec.Topics, Topic{Label: pick(), Score: []float64{0.5, 1, 0.123456789, 1e-7, math.Nextafter(1, 0)}[k],
				Evidence: []Evidence{{Rule: pick(), Text: pick(), Field: "body", Start: k, End: -k}}})
			rec.Entities = append(rec.Entities, Entity{Text: pick(), Canonical: pick(), Type: pick(), ID: pick(),
				Source: pick(), Field: pick(), Start: 1 << 40, End: -1, Demonym: k%2 == 0, Implied: k == 1})
		}
		recs = append(recs, rec)
	}
	for i, rec := range recs {
		got, gerr := rec.MarshalJSON()
		want, werr := refMarshalJSON(rec)
		if (gerr == nil) != (werr == nil) || !bytes.Equal(got, want) {
			t.Fatalf("record %d: MarshalJSON =\n%s (%v)\nreference\n%s (%v)", i, got, gerr, want, werr)
		}
	}
}

func TestMarshalJSONBadFieldsMatchReference(t *testing.T) {
	for _, v := range []string{``, ` `, `{bad`, `1 2`, `[1,]`, `"\x"`, `nul`, `{"a":1}x`, `01`} {
		r := Record{Article: Article{Fields: []Field{{Name: "x", Value: json.RawMessage(v)}}}}
		got, gerr := r.MarshalJSON()
		want, werr := refMarshalJSON(&r)
		if (gerr == nil) != (werr == nil) || !bytes.Equal(got, want) {
			t.Errorf("value %q: MarshalJSON = %s, %v; reference %s, %v", v, got, gerr, want, werr)
		}
	}
}

// FuzzMarshalJSONReference checks MarshalJSON against the reference encoder on records built from the fuzzer's
// texts and one raw member value.
func FuzzMarshalJSONReference(f *testing.F) {
	f.Add("t", "b", "x", `{"a" : [1, 2]}`, 0.75)
	f.Add("\u2028", "\xff", "\x00", ` "s" `, 1.0)
	f.Fuzz(func(t *testing.T, title, body, text, raw string, score float64) {
		r := &Record{
			Article:  Article{ID: text, Title: title, Body: body, Fields: []Field{{Name: text, Value: json.RawMessage(raw)}}},
			Topics:   []Topic{{Label: text, Score: score, Evidence: []Evidence{{Rule: title, Text: body}}}},
			Entities: []Entity{{Text: body, Canonical: title, ID: text}},
		}
		got, gerr := r.MarshalJSON()
		want, werr := refMarshalJSON(r)
		if (gerr == nil) != (werr == nil) || !bytes.Equal(got, want) {
			t.Fatalf("MarshalJSON =\n%s (%v)\nreference\n%s (%v)", got, gerr, want, werr)
		}
	})
}

func TestPlainWord(t *testing.T) {
	for _, fill := range []byte{'a', 0x20, 0x7f, 0x80, 0xff, 0x21, 0x5b, 0x5d} {
		for pos := range 8 {
			for c := range 256 {
				w := bytes.Repeat([]byte{fill}, 8)
				w[pos] = byte(c)
				want := true
				for _, b := range w {
					want = want && strSafe[b]
				}
				if got := plainWord(binary.LittleEndian.Uint64(w)); got != want {
					t.Fatalf("plainWord(%q) = %v, want %v", w, got, want)
				}
			}
		}
	}
}
