package tagger

import (
	"slices"
	"unicode"
	"unicode/utf8"
)

// The discovery tokenizer.
//
// Discovery needs every token's offsets, in bytes (to slice the text) and in code points (the output unit).
// prose's tokenizer gives neither: it rewrites curly quotes before splitting and returns bare strings, so its
// tokens would have to be aligned back to the text afterwards. Measured on a generated 3 KB article
// (BenchmarkTokenize, and CPU time per call from getrusage because the shared machine's load makes wall times
// swing 2-3x): this tokenizer ~14 µs CPU and no allocations once its buffer is warm; prose v2 NewDocument with
// tagging, segmentation and extraction off (model loaded once) 60-290 µs and ~400 allocations. So discovery uses
// this tokenizer, with exact offsets; prose is used by the prose and hybrid NER modes (WithNER), where its
// statistical model is the point.

type tokKind uint8

const (
	tokWord  tokKind = iota // letters and digits, with internal hyphens and apostrophes (Seong-ryong, O'Neil)
	tokPoss                 // a possessive 's or ’s split off a word
	tokPunct                // any other single non-space character
)

// A token is a word or punctuation mark with its offsets in the field.
type token struct {
	start, end   int // bytes
	rstart, rend int // code points
	kind         tokKind
	nl           bool // a line break precedes the token
	space        bool // white space precedes the token
	upper        bool // the first rune is an upper-case letter
	allCaps      bool // two or more letters, none lower-case
	digit        bool // holds a digit
	hyphen       bool // holds an internal hyphen
}

// Byte classes, for the fast path: the ASCII classes, and cHigh for the bytes of multi-byte code points.
const (
	cOther uint8 = iota
	cSpace
	cNewline
	cHigh
	cLower // cLower and above: word characters
	cUpper
	cDigit
)

var byteClass = func() (t [256]uint8) {
	for c := range 256 {
		switch {
		case c >= utf8.RuneSelf:
			t[c] = cHigh
		case c == '\n':
			t[c] = cNewline
		case c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f':
			t[c] = cSpace
		case 'a' <= c && c <= 'z':
			t[c] = cLower
		case 'A' <= c && c <= 'Z':
			t[c] = cUpper
		case '0' <= c && c <= '9':
			t[c] = cDigit
		}
	}
	return t
}()

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return byteClass[r] >= cLower
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func isApostrophe(r rune) bool { return r == '\'' || r == '’' }

// tokenize appends the tokens of s to toks and returns the result. ASCII bytes are classified by byteClass (an
// ASCII byte other than white space is no Unicode space); runs of lower-case ASCII letters, most of a word, are
// skipped in a loop of their own.
func tokenize(s string, toks []token) []token {
	toks = slices.Grow(toks, len(s)/5) // about a token per five bytes of prose: no regrowth on ordinary text
	i, ri := 0, 0
	nl, space := false, false
	for i < len(s) {
		r, size := rune(s[i]), 1
		c := byteClass[s[i]]
		switch c {
		case cSpace, cNewline:
			space = true
			nl = nl || c == cNewline
			i++
			ri++
			continue
		case cHigh:
			r, size = utf8.DecodeRuneInString(s[i:])
			if unicode.IsSpace(r) {
				space = true
				if r == '\u2029' || r == '\u2028' {
					nl = true
				}
				i += size
				ri++
				continue
			}
		}
		t := token{start: i, rstart: ri, nl: nl, space: space}
		nl, space = false, false
		if c < cLower && (c != cHigh || !isWordRune(r)) {
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
		t.upper = c == cUpper || c == cHigh && unicode.IsUpper(r)
		letters, lowers := 0, 0
	word:
		for i < len(s) {
			switch byteClass[s[i]] {
			case cLower:
				j := i + 1
				for j < len(s) && byteClass[s[j]] == cLower {
					j++
				}
				letters += j - i
				lowers += j - i
				ri += j - i
				i = j
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
			case cHigh:
				r, size = utf8.DecodeRuneInString(s[i:])
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
			default: // an ASCII byte that is no word character
				r, size = rune(s[i]), 1
			}
			// Join across one hyphen or apostrophe between word characters, except a possessive 's.
			if (r == '-' || r == '‐' || isApostrophe(r)) && i+size < len(s) && startsWord(s[i+size:]) {
				if isApostrophe(r) {
					j := i + size
					if (s[j] == 's' || s[j] == 'S') && (j+1 >= len(s) || !startsWord(s[j+1:])) {
						break word
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

func startsWord(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return isWordRune(r)
}
