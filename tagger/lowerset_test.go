package tagger

import (
	"math/rand/v2"
	"testing"
)

// TestLowerSetLikeMap fills a lowerSet and a map with the same random words, over reused tables, and asks both.
func TestLowerSetLikeMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		b := make([]byte, 1+r.IntN(4))
		for i := range b {
			b[i] = 'a' + byte(r.IntN(4))
		}
		return string(b)
	}
	var l lowerSet
	for round, n := range []int{0, 10, 500, 40, 3000} {
		m := map[string]bool{}
		text := ""
		var toks []token
		for range n {
			w := word()
			toks = append(toks, token{start: len(text), end: len(text) + len(w), kind: tokWord})
			text += w + " "
			m[w] = true
		}
		toks = append(toks, token{start: len(text), end: len(text) + 2, kind: tokWord, upper: true})
		text += "Zz" // not a lower-case word
		l.reset(n + 1)
		l.addWords(text, toks)
		for range 2000 {
			if w := word(); l.has(w) != m[w] {
				t.Fatalf("round %d: has(%q) = %v, the map says %v", round, w, l.has(w), m[w])
			}
		}
	}
	if l.has("Zz") {
		t.Error("an upper-case word was added")
	}
	l.release(16)
	if l.has("a") {
		t.Error("has(a) after release")
	}
}
