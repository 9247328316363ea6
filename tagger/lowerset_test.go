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
		l.reset(n)
		m := map[string]bool{}
		for range n {
			w := word()
			l.add(w)
			m[w] = true
		}
		for range 2000 {
			if w := word(); l.has(w) != m[w] {
				t.Fatalf("round %d: has(%q) = %v, the map says %v", round, w, l.has(w), m[w])
			}
		}
	}
	l.release(16)
	if l.has("a") {
		t.Error("has(a) after release")
	}
}
