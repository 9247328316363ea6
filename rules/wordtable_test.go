package rules

import (
	"fmt"
	"testing"
)

// TestWordTableLikeMap builds wordTables from maps of several sizes and asks them for every word and for words
// they do not hold.
func TestWordTableLikeMap(t *testing.T) {
	for _, n := range []int{0, 1, 5, 100, 1000} {
		m := map[string]uint16{}
		for i := range n {
			m[fmt.Sprintf("w%d", i*7)] = uint16(i + 1)
		}
		tb := newWordTable(m)
		for i := range 7 * n {
			w := fmt.Sprintf("w%d", i)
			if got := tb.get([]byte(w)); got != m[w] {
				t.Fatalf("%d words: get(%q) = %d, want %d", n, w, got, m[w])
			}
		}
		if got := tb.get(nil); got != 0 {
			t.Errorf("%d words: get(\"\") = %d", n, got)
		}
	}
	var zero wordTable
	if zero.get([]byte("a")) != 0 {
		t.Error("the zero wordTable holds a word")
	}
}
