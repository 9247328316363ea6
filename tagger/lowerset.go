package tagger

import "hash/maphash"

// lowerSet is the set of the words an article writes in lower case (isCommon, koreanName and nameLike ask it): an
// open-addressing hash table of substrings of the article. It is filled with every lower-case word (a few hundred
// per article) and asked about a few dozen, so filling it is what costs: a Go map spent about 170 instructions on
// each insert, this table a hash of the word's bytes and usually one probe. The zero value is empty.
type lowerSet struct {
	slots []string // a power of two of them, at least twice the words added; "" is free (no word is empty)
}

// reset empties the set for up to n words.
func (l *lowerSet) reset(n int) {
	size := 64
	for size < 2*n {
		size *= 2
	}
	if cap(l.slots) < size {
		l.slots = make([]string, size)
		return
	}
	l.slots = l.slots[:size]
	clear(l.slots)
}

// release drops the words (substrings of the article) and, if the table grew past max slots, the table.
func (l *lowerSet) release(max int) {
	if len(l.slots) > max {
		l.slots = nil
		return
	}
	clear(l.slots)
}

// wordSeed seeds hashWord once per process, as Go seeds its maps: with a fixed hash an article could be written
// whose words all probe the same slots, and filling the set would cost the square of its words.
var wordSeed = maphash.MakeSeed()

// hashWord hashes w's bytes with the process's seed.
func hashWord(w string) uint32 { return uint32(maphash.String(wordSeed, w)) }

// addWords adds the lower-case words of toks, the tokens of s; there must be at most n of them in all since
// reset(n). It is one loop over the tokens, of its own, so that its variables stay in registers.
func (l *lowerSet) addWords(s string, toks []token) {
	mask := uint32(len(l.slots) - 1)
	for k := range toks {
		t := &toks[k]
		if t.kind != tokWord || t.upper || t.digit {
			continue
		}
		w := s[t.start:t.end]
		for i := hashWord(w) & mask; ; i = (i + 1) & mask {
			if l.slots[i] == "" {
				l.slots[i] = w
				break
			}
			if l.slots[i] == w {
				break
			}
		}
	}
}

// has reports whether w was added.
func (l *lowerSet) has(w string) bool {
	if len(l.slots) == 0 {
		return false
	}
	mask := uint32(len(l.slots) - 1)
	for i := hashWord(w) & mask; ; i = (i + 1) & mask {
		switch l.slots[i] {
		case "":
			return false
		case w:
			return true
		}
	}
}
