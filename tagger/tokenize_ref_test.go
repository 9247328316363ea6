package tagger

import (
	"slices"
	"testing"
	"unicode"
	"unicode/utf8"
)

// tokenizeRef is tokenize as it was before its fast paths (one rune at a time), the reference it is tested against.
func tokenizeRef(s string, toks []token) []token {
	toks = slices.Grow(toks, len(s)/5) // about a token per five bytes of prose: no regrowth on ordinary text
	i, ri := 0, 0
	nl, space := false, false
	for i < len(s) {
		r, size := rune(s[i]), 1
		if r < utf8.RuneSelf {
			if c := byteClass[r]; c == cSpace || c == cNewline {
				space = true
				nl = nl || c == cNewline
				i++
				ri++
				continue
			}
		} else {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		if unicode.IsSpace(r) {
			space = true
			if r == '\n' || r == '\u2029' || r == '\u2028' {
				nl = true
			}
			i += size
			ri++
			continue
		}
		t := token{start: i, rstart: ri, nl: nl, space: space}
		nl, space = false, false
		if !isWordRune(r) {
			// A possessive: 's or ’s right after a word, not followed by a letter.
			if isApostrophe(r) && len(toks) > 0 && toks[len(toks)-1].end == i && toks[len(toks)-1].kind == tokWord {
				if j := i + size; j < len(s) && (s[j] == 's' || s[j] == 'S') {
					if k := j + 1; k >= len(s) || !startsWord(s[k:]) {
						t.kind, t.end, t.rend = tokPoss, k, ri+2
						toks = append(toks, t)
						i, ri = k, ri+2
						continue
					}
				}
			}
			t.kind, t.end, t.rend = tokPunct, i+size, ri+1
			toks = append(toks, t)
			i += size
			ri++
			continue
		}
		t.kind = tokWord
		t.upper = unicode.IsUpper(r)
		letters, lowers := 0, 0
		for i < len(s) {
			r, size = rune(s[i]), 1
			if r < utf8.RuneSelf {
				switch byteClass[r] {
				case cLower:
					letters++
					lowers++
					i++
					ri++
					continue
				case cUpper:
					letters++
					i++
					ri++
					continue
				case cDigit:
					t.digit = true
					i++
					ri++
					continue
				}
			} else {
				r, size = utf8.DecodeRuneInString(s[i:])
			}
			if isWordRune(r) {
				if unicode.IsLetter(r) {
					letters++
					if !unicode.IsUpper(r) {
						lowers++
					}
				} else if unicode.IsDigit(r) {
					t.digit = true
				}
				i += size
				ri++
				continue
			}
			// Join across one hyphen or apostrophe between word characters, except a possessive 's.
			if (r == '-' || r == '‐' || isApostrophe(r)) && i+size < len(s) && startsWord(s[i+size:]) {
				if isApostrophe(r) {
					j := i + size
					if (s[j] == 's' || s[j] == 'S') && (j+1 >= len(s) || !startsWord(s[j+1:])) {
						break
					}
				} else {
					t.hyphen = true
				}
				i += size
				ri++
				continue
			}
			break
		}
		t.end, t.rend = i, ri
		t.allCaps = letters >= 2 && lowers == 0
		toks = append(toks, t)
	}
	return toks
}

// FuzzTokenizeAgainstRef checks tokenize against tokenizeRef.
func FuzzTokenizeAgainstRef(f *testing.F) {
	for _, s := range []string{"Choi Seong-ryong's group", "Kim’s aide, O'Neil’s", "N. Korea (DPRK)", "5,000-ton anti-US",
		"“Hope” -- end-", "line one\n  Line two", "Ŏ Jŏng-ŭn é\u0301", "the 's alone 'sz", "ÉCOLE Straße\u00a0x\u2028y\u0085z",
		"abc\xffdef \xe2\x80 ABC's x‐y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := tokenize(s, nil), tokenizeRef(s, nil); !slices.Equal(got, want) {
			t.Fatalf("tokenize(%q) =\n%+v, want\n%+v", s, got, want)
		}
	})
}
