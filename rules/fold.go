package rules

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Folding, as docs/rule-language.md "Text folding" defines it: letters are lower-cased, Latin diacritics removed, and
// every run of characters that are not letters or digits becomes one separator (a space). Combining marks (Mn) are
// dropped without breaking the word, so decomposed "o\u0306" folds like "ŏ".

// latinLo and latinHi bound the Latin-1 Supplement .. Latin Extended-B and Latin Extended Additional blocks whose
// letters are folded by table.
const (
	latin1Lo, latin1Hi = 0x00C0, 0x0250
	latin2Lo, latin2Hi = 0x1E00, 0x1F00
)

// latinBase maps a Latin letter with diacritics to its base letters with case kept ("Ŏ" -> "O", "ß" -> "ss").
// Entries are "" for runes that are not letters.
var latinBase = buildLatinTable()

var latinSpecial = map[rune]string{
	'ß': "ss", 'ẞ': "SS", 'Æ': "AE", 'æ': "ae", 'Œ': "OE", 'œ': "oe", 'Ø': "O", 'ø': "o", 'Đ': "D", 'đ': "d",
	'Ð': "D", 'ð': "d", 'Ł': "L", 'ł': "l", 'Þ': "TH", 'þ': "th", 'ı': "i", 'Ħ': "H", 'ħ': "h", 'Ŀ': "L",
	'ŀ': "l", 'ſ': "s", 'Ŧ': "T", 'ŧ': "t", 'Ɨ': "I", 'ɨ': "i", 'ƀ': "b", 'Ƀ': "B",
}

func buildLatinTable() [2][]string {
	var t [2][]string
	fill := func(dst []string, lo rune) {
		for i := range dst {
			r := lo + rune(i)
			if !unicode.IsLetter(r) {
				continue
			}
			if s, ok := latinSpecial[r]; ok {
				dst[i] = s
				continue
			}
			var b strings.Builder
			for _, d := range norm.NFD.String(string(r)) {
				if !unicode.Is(unicode.Mn, d) {
					b.WriteRune(d)
				}
			}
			dst[i] = b.String()
		}
	}
	t[0] = make([]string, latin1Hi-latin1Lo)
	t[1] = make([]string, latin2Hi-latin2Lo)
	fill(t[0], latin1Lo)
	fill(t[1], latin2Lo)
	return t
}

// latin returns the table entry for r and whether r is in the table's range.
func latin(r rune) (string, bool) {
	switch {
	case r >= latin1Lo && r < latin1Hi:
		return latinBase[0][r-latin1Lo], true
	case r >= latin2Lo && r < latin2Hi:
		return latinBase[1][r-latin2Lo], true
	}
	return "", false
}

// Fold returns s folded for matching: lower-case, Latin diacritics removed, words separated by single spaces, no
// leading or trailing space. Fold("Kim Jong-un's") == "kim jong un s". It is the folding Match uses, exported for
// the tagger and for evaluation tools.
func Fold(s string) string {
	return foldString(s, true)
}

// foldCase is Fold without lower-casing, for exact (case-sensitive) aliases and terms: foldCase("U.S.") == "U S".
func foldCase(s string) string {
	return foldString(s, false)
}

func foldString(s string, lower bool) string {
	if isFolded(s, lower) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	sep := false
	for _, r := range s {
		if r < utf8.RuneSelf {
			c := byte(r)
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			case 'A' <= c && c <= 'Z':
				if lower {
					c += 'a' - 'A'
				}
			default:
				sep = true
				continue
			}
			if sep && b.Len() > 0 {
				b.WriteByte(' ')
			}
			sep = false
			b.WriteByte(c)
			continue
		}
		out, ok := foldRune(r, lower)
		if !ok {
			if !unicode.Is(unicode.Mn, r) {
				sep = true
			}
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte(' ')
		}
		sep = false
		b.WriteString(out)
	}
	return b.String()
}

// isFolded reports whether s is already in folded form, so foldString can return it without allocating.
func isFolded(s string, lower bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case 'A' <= c && c <= 'Z':
			if lower {
				return false
			}
		case c == ' ':
			if i == 0 || i == len(s)-1 || s[i-1] == ' ' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// foldRune folds one non-ASCII rune. ok is false for runes that are not letters or digits (separators and
// combining marks).
func foldRune(r rune, lower bool) (string, bool) {
	if s, in := latin(r); in {
		if s == "" {
			return "", false
		}
		if lower {
			return latinLower(r, s), true
		}
		return s, true
	}
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		return "", false
	}
	if lower {
		r = unicode.ToLower(r)
	}
	return string(r), true
}

// latinLower lower-cases a table entry; the common entries are single ASCII letters.
func latinLower(r rune, s string) string {
	if len(s) == 1 && 'A' <= s[0] && s[0] <= 'Z' {
		return asciiLower[s[0]-'A' : s[0]-'A'+1]
	}
	if unicode.IsLower(r) {
		return s
	}
	return strings.ToLower(s)
}

const asciiLower = "abcdefghijklmnopqrstuvwxyz"

// folded is one field of a document in folded form with maps back to the original text. Buffers are reused
// across documents (see matchState).
type folded struct {
	// text is " " + the folded words joined by single spaces + " ": the leading and trailing space let every
	// automaton pattern start with a space and every word end at one.
	text []byte
	// byteRune maps each byte of text to the index of the original code point it came from.
	byteRune []int32
	// runeByte maps each original code point index to its byte offset in the original string; it has one extra
	// entry, the string length.
	runeByte []int32
	// runeWord maps each original code point to the index of its word (separators: the next word).
	runeWord []int32
	// wordStart is the byte offset in text of each word, plus one past the end (len(text)).
	wordStart []int32
	// wordClause is each word's clause number for the relevance cue windows (see clauseBreak): the number of
	// clause breaks before the first code point mapped to the word that is not one.
	wordClause []int32
	nWords     int32
	src        string
}

// asciiFold maps an ASCII byte to its folded letter or digit, 0 for separators.
var asciiFold = func() (t [utf8.RuneSelf]byte) {
	for c := range t {
		switch b := byte(c); {
		case 'a' <= b && b <= 'z', '0' <= b && b <= '9':
			t[c] = b
		case 'A' <= b && b <= 'Z':
			t[c] = b + 'a' - 'A'
		}
	}
	return t
}()

// asciiBreak marks the ASCII code points that are clause breaks (see clauseBreak).
var asciiBreak = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = clauseBreak(rune(c))
	}
	return t
}()

// fold fills f from s (lower-cased folding).
//
// It also numbers the clauses of the words (what fieldWords reads): each code point mapped to a word whose clause
// is not yet set (its first letter, or a separator before it, as runeWord maps separators to the next word) sets
// it, unless the code point is itself a clause break, which starts the next clause.
//
// The buffers are sized once and written by index: for ASCII input the folded text is never longer than the input
// plus the two framing spaces (a separator is only inserted where a separator character was consumed); the rare
// non-ASCII letter whose folded form is longer than its encoding grows them on the spot. Runs of ASCII letters
// and digits (and single spaces between them), most of the bytes, are folded by run.
func (f *folded) fold(s string) {
	f.src = s
	n := len(s)
	f.text = slices.Grow(f.text[:0], n+2)[:n+2]
	f.byteRune = slices.Grow(f.byteRune[:0], n+2)[:n+2]
	f.runeByte = slices.Grow(f.runeByte[:0], n+1)[:n+1]
	f.runeWord = slices.Grow(f.runeWord[:0], n)[:n]
	f.wordStart, f.wordClause, f.nWords = f.wordStart[:0], f.wordClause[:0], 0
	f.text[0], f.byteRune[0] = ' ', 0
	tl, ri := 1, 0
	clause := int32(0)
	inWord := false
	for bi := 0; bi < n; {
		b := s[bi]
		if b < utf8.RuneSelf {
			if asciiFold[b] == 0 {
				f.runeByte[ri], f.runeWord[ri] = int32(bi), f.nWords
				bi++
				ri++
				inWord = false
				if asciiBreak[b] {
					clause++
				} else {
					f.claim(clause) // a separator before the next word sets its clause
				}
				continue
			}
			if !inWord {
				tl = f.startWord(tl, ri, clause)
				inWord = true
			}
			m := f.run(s[bi:], tl, ri, bi, clause)
			tl, ri, bi = tl+m, ri+m, bi+m
			continue
		}
		r, size := utf8.DecodeRuneInString(s[bi:])
		f.runeByte[ri] = int32(bi)
		bi += size
		out, ok := foldRune(r, true)
		if !ok {
			if inWord && unicode.Is(unicode.Mn, r) {
				f.runeWord[ri] = f.nWords - 1
			} else {
				inWord = false
				f.runeWord[ri] = f.nWords
				if clauseBreak(r) {
					clause++
				} else {
					f.claim(clause)
				}
			}
			ri++
			continue
		}
		if need := tl + 1 + len(out) + (n - bi) + 1; need > len(f.text) {
			f.text = append(f.text, make([]byte, need-len(f.text))...)
			f.byteRune = append(f.byteRune, make([]int32, need-len(f.byteRune))...)
		}
		if !inWord {
			tl = f.startWord(tl, ri, clause)
			inWord = true
		}
		for j := 0; j < len(out); j++ {
			f.text[tl], f.byteRune[tl] = out[j], int32(ri)
			tl++
		}
		f.runeWord[ri] = f.nWords - 1
		ri++
	}
	f.runeByte[ri] = int32(n)
	if f.text[tl-1] != ' ' {
		f.text[tl], f.byteRune[tl] = ' ', int32(ri)
		tl++
	}
	f.text, f.byteRune, f.runeByte, f.runeWord = f.text[:tl], f.byteRune[:tl], f.runeByte[:ri+1], f.runeWord[:ri]
	f.wordStart, f.wordClause = append(f.wordStart, int32(tl)), f.wordClause[:f.nWords]
}

// claim sets the clause of the next word (f.nWords) if nothing did yet.
func (f *folded) claim(clause int32) {
	if int32(len(f.wordClause)) == f.nWords {
		f.wordClause = append(f.wordClause, clause)
	}
}

// startWord starts a word at code point ri, after a separating space if byte tl of text does not follow one, and
// returns where its first byte goes.
func (f *folded) startWord(tl, ri int, clause int32) int {
	if f.text[tl-1] != ' ' {
		f.text[tl], f.byteRune[tl] = ' ', int32(ri)
		tl++
	}
	f.wordStart = append(f.wordStart, int32(tl))
	f.claim(clause)
	f.nWords++
	return tl
}

// run folds the run of ASCII words that s (the rest of the field) starts with: letters and digits, and single
// spaces between them (where fold would write the separator and start the next word in clause clause, run does
// the same). It starts at code point ri, byte bi of the original and byte tl of text, in the current word, and
// returns its length. The buffers hold the rest of the field whatever it is (see fold), so they are sliced to
// len(s). It is a function of its own so that its loop keeps its variables in registers.
func (f *folded) run(s string, tl, ri, bi int, clause int32) int {
	text, byteRune := f.text[tl:tl+len(s)], f.byteRune[tl:tl+len(s)]
	runeByte, runeWord := f.runeByte[ri:ri+len(s)], f.runeWord[ri:ri+len(s)]
	w, r0, b0 := f.nWords-1, int32(ri), int32(bi)
	k := 0
	for ; k < len(text); k++ {
		c := s[k]
		if c < utf8.RuneSelf && asciiFold[c] != 0 {
			text[k] = asciiFold[c]
			byteRune[k] = r0 + int32(k)
			runeByte[k] = b0 + int32(k)
			runeWord[k] = w
			continue
		}
		if c != ' ' || k+1 == len(text) || s[k+1] >= utf8.RuneSelf || asciiFold[s[k+1]] == 0 {
			break
		}
		// The space maps to the next word; its folded space to the next word's first code point.
		w++
		text[k], byteRune[k], runeByte[k], runeWord[k] = ' ', r0+int32(k)+1, b0+int32(k), w
		f.wordStart = append(f.wordStart, int32(tl+k+1))
		f.wordClause = append(f.wordClause, clause)
	}
	f.nWords = w + 1
	return k
}

// joinedBefore reports whether code point r starts a word glued to the previous one by an apostrophe ("'s" in
// "Pyongyang's", "Brien" in "O'Brien"): no name starts there, so the folded "s korean" of "Pyongyang's Korean"
// is not the alias "S. Korean".
func (f *folded) joinedBefore(r int) bool {
	if r < 2 {
		return false
	}
	// Fast path: the byte before r is the last byte of ', ’ (e2 80 99) or ʼ (ca bc), or of nothing of interest.
	if c := f.src[f.runeByte[r]-1]; c != '\'' && c != 0x99 && c != 0xbc {
		return false
	}
	a, _ := utf8.DecodeRuneInString(f.src[f.runeByte[r-1]:])
	if !isApostrophe(a) {
		return false
	}
	b, _ := utf8.DecodeRuneInString(f.src[f.runeByte[r-2]:])
	return unicode.IsLetter(b) || unicode.IsDigit(b)
}

// isApostrophe reports whether r is an apostrophe: ASCII ', the right single quotation mark or the modifier letter
// apostrophe.
func isApostrophe(r rune) bool { return r == '\'' || r == '\u2019' || r == '\u02bc' }

// nRunes is the number of code points in the original field.
func (f *folded) nRunes() int { return len(f.runeByte) - 1 }

// orig returns the original text of code points [start, end).
func (f *folded) orig(start, end int) string {
	return f.src[f.runeByte[start]:f.runeByte[end]]
}

// foldInto folds an ASCII string into buf and reports whether it could (s is ASCII and fits). It lets map lookups
// on folded keys run without allocating: m[string(buf[:n])] does not copy.
func foldInto(buf []byte, s string) (int, bool) {
	n := 0
	sep := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return 0, false
		}
		f := asciiFold[c]
		if f == 0 {
			sep = true
			continue
		}
		if sep && n > 0 {
			if n == len(buf) {
				return 0, false
			}
			buf[n] = ' '
			n++
		}
		sep = false
		if n == len(buf) {
			return 0, false
		}
		buf[n] = f
		n++
	}
	return n, true
}
