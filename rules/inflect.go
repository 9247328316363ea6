package rules

import "strings"

// suffixMask says which word endings may follow a pattern inside the same word.
type suffixMask uint16

const (
	sufS suffixMask = 1 << iota
	sufES
	sufED
	sufD
	sufING
	sufIES
	sufIED
	sufAny // prefix term: any continuation
)

var suffixes = [...]struct {
	m suffixMask
	s string
}{{sufS, "s"}, {sufES, "es"}, {sufED, "ed"}, {sufD, "d"}, {sufING, "ing"}, {sufIES, "ies"}, {sufIED, "ied"}}

// allows reports whether the word ending suf may follow the pattern.
func (m suffixMask) allows(suf []byte) bool {
	if m&sufAny != 0 {
		return true
	}
	for _, x := range suffixes {
		if m&x.m != 0 && string(suf) == x.s {
			return true
		}
	}
	return false
}

func isVowel(b byte) bool { return strings.IndexByte("aeiou", b) >= 0 }

func isConsonant(b byte) bool { return 'a' <= b && b <= 'z' && !isVowel(b) }

// inflections returns the endings a folded term accepts right after it: s and ing always, es after s, x, z, ch,
// sh and o, d after e, ed otherwise; not ing after consonant + e (the "denucleariz" variant takes it) and not ed
// after consonant + y (the "-ied" variant).
func inflections(f string) suffixMask {
	m := sufS | sufING
	n := len(f)
	consonantBefore := n >= 2 && isConsonant(f[n-2])
	switch {
	case strings.HasSuffix(f, "e"):
		m |= sufD
		if consonantBefore && n >= 4 && f[n-4] != ' ' && f[n-3] != ' ' {
			m &^= sufING
		}
	case strings.HasSuffix(f, "y") && consonantBefore:
	default:
		m |= sufED
	}
	for _, e := range []string{"s", "x", "z", "ch", "sh", "o"} {
		if strings.HasSuffix(f, e) {
			m |= sufES
			break
		}
	}
	return m
}
