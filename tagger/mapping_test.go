package tagger

import (
	"encoding/json"
	"strings"
	"testing"
)

// benchForeign is a 3 KB article in a foreign shape, for the pointer benchmarks.
var benchForeign = func() []byte {
	b, _ := json.Marshal(map[string]any{
		"meta":      map[string]any{"guid": "g-1", "source": "wire", "tags": []string{"a", "b", "c"}},
		"headline":  "N. Korea fires ballistic missile toward East Sea",
		"content":   strings.Repeat("North Korea fired a ballistic missile into the East Sea on Friday, officials said. ", 36),
		"published": "2026-11-30T08:00:00Z",
	})
	return b
}()

var benchPointers = func() []Pointer {
	var out []Pointer
	for _, s := range []string{"/meta/guid", "/headline", "/content"} {
		p, err := ParsePointer(s)
		if err != nil {
			panic(err)
		}
		out = append(out, p)
	}
	return out
}()

// BenchmarkPointer measures the reason Pointer evaluates on raw JSON: Raw is Lookup on the input as received;
// Decoded is what a JSON Pointer library over Go values (qri-io/jsonpointer, go-openapi/jsonpointer) needs
// first, decoding the whole object into map[string]any, plus a walk of the decoded tokens.
func BenchmarkPointer(b *testing.B) {
	b.Run("Raw", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, p := range benchPointers {
				if _, ok, err := p.Lookup(benchForeign); !ok || err != nil {
					b.Fatal(p, err)
				}
			}
		}
	})
	b.Run("Decoded", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var doc any
			if err := json.Unmarshal(benchForeign, &doc); err != nil {
				b.Fatal(err)
			}
			for _, p := range benchPointers {
				v := doc
				for _, tok := range p.tokens {
					v = v.(map[string]any)[tok]
				}
				if v == nil {
					b.Fatal(p)
				}
			}
		}
	})
}

func TestPointerLookup(t *testing.T) {
	doc := []byte(` {"a":{"b":[10,{"c":"x"},[true]]},"a/b":1,"m~n":2,"":{"":3},"e\u0301":4,"n":null,"s":"str"} `)
	tests := []struct {
		ptr, want string // want: the raw value, "-" for not found, "!" for an error
	}{
		{"/a/b/0", "10"}, {"/a/b/1/c", `"x"`}, {"/a/b/2/0", "true"}, {"/a/b/3", "-"}, {"/a/b/-", "-"},
		{"/a/b/01", "-"}, {"/a/b/x", "-"}, {"/a~1b", "1"}, {"/m~0n", "2"}, {"/", `{"":3}`}, {"//", "3"},
		{"/e\u0301", "4"}, {"/n/x", "-"}, {"/s/x", "!"}, {"/a/b/0/x", "!"}, {"/missing/x", "-"}, {"/a", `{"b":[10,{"c":"x"},[true]]}`},
	}
	for _, tt := range tests {
		p, err := ParsePointer(tt.ptr)
		if err != nil {
			t.Fatal(err)
		}
		raw, ok, err := p.Lookup(doc)
		got := string(raw)
		switch {
		case err != nil:
			got = "!"
		case !ok:
			got = "-"
		}
		if got != tt.want {
			t.Errorf("%s: got %s (%v), want %s", tt.ptr, got, err, tt.want)
		}
	}
}
