package rules

import (
	"bytes"
	"regexp/syntax"
	"slices"
	"strings"
)

// maxRegexWidth is the longest match (in code points) for which Match runs a pattern in windows around the
// occurrences of its required words instead of over the whole field.
const maxRegexWidth = 200

// analyzeRegex returns the required words of expr and the most code points a match can span, or -1 when that is
// unbounded or above maxRegexWidth. The required words are folded strings of which at least one occurs as a
// substring in the folded text of any string the regular expression matches; nil when no such set is known.
// Match skips a pattern whose words are all absent from the folded field, and runs a pattern of bounded width
// only around their occurrences, which keeps the pack's `patterns` cheap. A pattern whose matches all start with
// a literal (Regexp.LiteralPrefix, looked for in the original text) is skipped without it, and otherwise run
// from its first occurrence on (see matchState.prefixStart).
//
// Only ASCII literals count (folded whole: "Seoul's " -> "seoul s"), or else the runs of ASCII letters and
// digits inside a literal: folding treats those the same way in the pattern and in the text, whatever surrounds
// them and in any letter case, so their presence in the folded text is a necessary condition for a match.
func analyzeRegex(expr string) ([]string, int) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil, -1
	}
	re = re.Simplify()
	w := maxWidth(re)
	if w > maxRegexWidth {
		w = -1
	}
	set := required(re)
	if len(set) == 0 || slices.Contains(set, "") {
		return nil, w
	}
	return set, w
}

// maxWidth returns the most code points a match of re can span, or -1 if unbounded. Values saturate above
// maxRegexWidth.
func maxWidth(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpNoMatch, syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return 0
	case syntax.OpLiteral:
		return len(re.Rune)
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture, syntax.OpQuest:
		return maxWidth(re.Sub[0])
	case syntax.OpRepeat:
		w := maxWidth(re.Sub[0])
		if re.Max < 0 || w < 0 {
			return -1
		}
		return min(w*re.Max, maxRegexWidth+1)
	case syntax.OpConcat:
		sum := 0
		for _, s := range re.Sub {
			w := maxWidth(s)
			if w < 0 {
				return -1
			}
			sum = min(sum+w, maxRegexWidth+1)
		}
		return sum
	case syntax.OpAlternate:
		m := 0
		for _, s := range re.Sub {
			w := maxWidth(s)
			if w < 0 {
				return -1
			}
			m = max(m, w)
		}
		return m
	}
	return -1 // star, plus and anything unknown
}

// required computes the word set of one node (see analyzeRegex); nil means unknown.
func required(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		// An ASCII literal folds like the text it matches (in any letter case, since folding lower-cases), so
		// its folded form, separators included, must be in the folded field.
		if lit := string(re.Rune); isASCII(lit) {
			if f := Fold(lit); f != "" {
				return []string{f}
			}
			return nil
		}
		best := ""
		for _, w := range asciiWords(string(re.Rune)) {
			if len(w) > len(best) {
				best = w
			}
		}
		if best == "" {
			return nil
		}
		return []string{best}
	case syntax.OpCapture:
		return required(re.Sub[0])
	case syntax.OpPlus:
		return required(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return required(re.Sub[0])
		}
	case syntax.OpConcat:
		var best []string
		for _, s := range re.Sub {
			if set := required(s); set != nil && (best == nil || shortest(set) > shortest(best)) {
				best = set
			}
		}
		return best
	case syntax.OpAlternate:
		var all []string
		for _, s := range re.Sub {
			set := required(s)
			if set == nil {
				return nil
			}
			all = append(all, set...)
		}
		return all
	}
	return nil
}

func shortest(set []string) int {
	n := -1
	for _, s := range set {
		if n < 0 || len(s) < n {
			n = len(s)
		}
	}
	return n
}

// asciiWords splits s into maximal runs of ASCII letters and digits, lower-cased. Folding keeps such a run
// contiguous and only lower-cases it, whatever surrounds it.
func asciiWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !('a' <= r && r <= 'z' || '0' <= r && r <= '9')
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// literal is a required word of a pattern (see analyzeRegex) with the byte Match looks for first: the rarest of
// its bytes in English text. bytes.Index starts from the first byte, and the pack's words start with common
// letters ("eoul and pyongyang", "outh and north korea"), so it stopped at hundreds of candidates per field:
// 9% of Tag's time for five patterns. IndexByte on the rare byte and one comparison finds the same occurrences.
//
// A word with a space (most of them) is found by the trie scan instead, which walks from every word start anyway:
// the part after the first space starts at a word start wherever the word occurs, so it is a trie pattern (a
// tLiteral target holding the part before it), and each of its matches preceded by that part is an occurrence.
type literal struct {
	b   []byte
	k   int   // offset of the rare byte in b
	pre int   // > 0: found by the scan, b[pre:] is the trie pattern (st.lits holds the occurrences)
	id  int32 // with pre > 0: index into st.lits[field]
}

// byteRarity ranks the bytes of folded text from common (low) to rare (high): letters and the separator by
// their frequency in English, digits rarer than any letter but the last few.
var byteRarity = func() [256]uint8 {
	var r [256]uint8
	for i := range r {
		r[i] = 255 // anything else (non-ASCII bytes of other scripts) counts as rare
	}
	for i, c := range []byte(" etaoinshrdlcumwfgypbvk0123456789jxqz") {
		r[c] = uint8(i)
	}
	return r
}()

func newLiteral(w string) literal {
	k := 0
	for i := 1; i < len(w); i++ {
		if byteRarity[w[i]] > byteRarity[w[k]] {
			k = i
		}
	}
	return literal{b: []byte(w), k: k}
}

// index returns the start of the first occurrence of l in text at or after from, or -1: the same occurrences,
// in the same order, as bytes.Index from each start.
func (l literal) index(text []byte, from int) int {
	c := l.b[l.k]
	for j := from + l.k; j < len(text); {
		i := bytes.IndexByte(text[j:], c)
		if i < 0 {
			return -1
		}
		j += i
		if b := j - l.k; b+len(l.b) <= len(text) && bytes.Equal(text[b:b+len(l.b)], l.b) {
			return b
		}
		j++
	}
	return -1
}
