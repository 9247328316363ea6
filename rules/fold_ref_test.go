package rules

import (
	"slices"
	"testing"
	"unicode"
	"unicode/utf8"
)

// foldRef is folded.fold as it was before its fast paths (one code point at a time, no word starts or clauses),
// the reference fold is tested against; naiveWords (match_test.go) is the reference for the words.
func (f *folded) foldRef(s string) {
	f.src = s
	n := len(s)
	text := slices.Grow(f.text[:0], n+2)[:n+2]
	byteRune := slices.Grow(f.byteRune[:0], n+2)[:n+2]
	runeByte := slices.Grow(f.runeByte[:0], n+1)[:n+1]
	runeWord := slices.Grow(f.runeWord[:0], n)[:n]
	text[0], byteRune[0] = ' ', 0
	tl, ri := 1, 0
	nWords := int32(0)
	inWord := false
	for bi := 0; bi < n; {
		if c := asciiFold[s[bi]&0x7f]; s[bi] < utf8.RuneSelf {
			runeByte[ri] = int32(bi)
			bi++
			if c == 0 {
				inWord = false
				runeWord[ri] = nWords
				ri++
				continue
			}
			if !inWord {
				if text[tl-1] != ' ' {
					text[tl], byteRune[tl] = ' ', int32(ri)
					tl++
				}
				inWord = true
				nWords++
			}
			text[tl], byteRune[tl] = c, int32(ri)
			tl++
			runeWord[ri] = nWords - 1
			ri++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[bi:])
		runeByte[ri] = int32(bi)
		bi += size
		out, ok := foldRune(r, true)
		if !ok {
			if inWord && unicode.Is(unicode.Mn, r) {
				runeWord[ri] = nWords - 1
			} else {
				inWord = false
				runeWord[ri] = nWords
			}
			ri++
			continue
		}
		if need := tl + 1 + len(out) + (n - bi) + 1; need > len(text) {
			text = append(text, make([]byte, need-len(text))...)
			byteRune = append(byteRune, make([]int32, need-len(byteRune))...)
		}
		if !inWord {
			if text[tl-1] != ' ' {
				text[tl], byteRune[tl] = ' ', int32(ri)
				tl++
			}
			inWord = true
			nWords++
		}
		for j := 0; j < len(out); j++ {
			text[tl], byteRune[tl] = out[j], int32(ri)
			tl++
		}
		runeWord[ri] = nWords - 1
		ri++
	}
	runeByte[ri] = int32(n)
	if text[tl-1] != ' ' {
		text[tl], byteRune[tl] = ' ', int32(ri)
		tl++
	}
	f.text, f.byteRune, f.runeByte, f.runeWord, f.nWords = text[:tl], byteRune[:tl], runeByte[:ri+1], runeWord[:ri], nWords
}

// FuzzFoldAgainstRef checks every map of fold against foldRef and naiveWords.
func FuzzFoldAgainstRef(f *testing.F) {
	for _, s := range []string{"Kim Jong-un's visit", "Pyŏngyang — 평양, Straße!", "", "  ", "a", "x\u0301y z", "a ,b",
		"(Seoul) said: \"the “North” — and [a] South\"; x.", "x\u0301, \u0301y, – z”", ", , a", "one two  three\nfour",
		"ǅ İstanbul ﬁ ß 5 million won", "a b\xffc d", " lead and trail "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			t.Skip("Match takes valid UTF-8")
		}
		var got, want folded
		got.fold("Ab, cD " + s + s) // buffers reused with something else in them
		got.fold(s)
		want.foldRef(s)
		if !slices.Equal(got.text, want.text) || !slices.Equal(got.byteRune, want.byteRune) ||
			!slices.Equal(got.runeByte, want.runeByte) || !slices.Equal(got.runeWord, want.runeWord) ||
			got.nWords != want.nWords {
			t.Fatalf("fold(%q):\n%q %v %v %v %d\nwant\n%q %v %v %v %d", s, got.text, got.byteRune, got.runeByte,
				got.runeWord, got.nWords, want.text, want.byteRune, want.runeByte, want.runeWord, want.nWords)
		}
		starts, clauses := naiveWords(&got)
		if !slices.Equal(got.wordStart, starts) || !slices.Equal(got.wordClause, clauses) {
			t.Fatalf("fold(%q): word starts %v, clauses %v; want %v, %v", s, got.wordStart, got.wordClause, starts, clauses)
		}
	})
}
