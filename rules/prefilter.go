package rules

import (
	"regexp/syntax"
	"slices"
	"strings"
)

// requiredWords returns words of which at least one occurs, lower-cased and as a substring, in the folded text
// of any string the regular expression matches; nil when no such set is known. Match skips a pattern whose words
// are all absent from the folded field, which keeps the pack's `patterns` off the hot path for most articles.
//
// Only runs of ASCII letters and digits inside literals count: folding lower-cases those and keeps them
// contiguous, so their presence in the folded text is a necessary condition for a match (in any letter case).
func requiredWords(expr string) []string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	set := required(re.Simplify())
	if len(set) == 0 || slices.Contains(set, "") {
		return nil
	}
	return set
}

// required computes the word set of one node (see requiredWords); nil means unknown.
func required(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
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
