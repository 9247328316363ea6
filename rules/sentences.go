package rules

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text analysis for the relevance model: sentences, clauses and the cue windows around a hit.

// splitSentences returns the byte offsets where the sentences of s start (the first is 0). A sentence ends at
// '.', '!' or '?' (closing quotes and brackets may follow) before a space and a capital, digit or opening quote,
// unless the word before the stop is a single letter ("U.S.", "N. Korea") or a common abbreviation; a blank
// line always ends one.
func splitSentences(dst []int32, s string) []int32 {
	dst = append(dst[:0], 0)
	for i := 0; i < len(s); i++ {
		if i = skipToStop(s, i); i == len(s) {
			break
		}
		c := s[i]
		if c == '\n' && i+1 < len(s) && s[i+1] == '\n' {
			j := i + 2
			for j < len(s) && (s[j] == '\n' || s[j] == ' ' || s[j] == '\r' || s[j] == '\t') {
				j++
			}
			if j < len(s) {
				dst = append(dst, int32(j))
			}
			i = j - 1
			continue
		}
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		for j < len(s) && (s[j] == '"' || s[j] == '\'' || s[j] == ')') {
			j++
		}
		if strings.HasPrefix(s[j:], "”") || strings.HasPrefix(s[j:], "’") {
			j += 3
		}
		if j >= len(s) || (s[j] != ' ' && s[j] != '\n') {
			continue
		}
		k := j
		for k < len(s) && (s[k] == ' ' || s[k] == '\n' || s[k] == '\r' || s[k] == '\t') {
			k++
		}
		if k >= len(s) {
			break
		}
		r, _ := utf8.DecodeRuneInString(s[k:])
		if !(unicode.IsUpper(r) || unicode.IsDigit(r) || r == '"' || r == '“' || r == '\'' || r == '‘') {
			continue
		}
		if c == '.' && abbrevBefore(s[:i]) {
			continue
		}
		dst = append(dst, int32(k))
		i = k - 1
	}
	return dst
}

// sentenceByte marks the bytes splitSentences stops at: a line break and the sentence stops.
var sentenceByte = [256]bool{'\n': true, '.': true, '!': true, '?': true}

// skipToStop returns the offset of the first byte at or after i that sentenceByte marks, or len(s): nothing else
// can end a sentence. It tests eight bytes at a time (a zero byte of x^b is a byte b of x), then one at a time.
func skipToStop(s string, i int) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	zero := func(v uint64) uint64 { return (v - lo) &^ v & hi }
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8]
		x := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if zero(x^('.'*lo))|zero(x^('!'*lo))|zero(x^('?'*lo))|zero(x^('\n'*lo)) != 0 {
			break
		}
	}
	for i < len(s) && !sentenceByte[s[i]] {
		i++
	}
	return i
}

var abbreviations = map[string]bool{"mr": true, "mrs": true, "ms": true, "dr": true, "gen": true, "lt": true,
	"col": true, "sgt": true, "capt": true, "adm": true, "rep": true, "sen": true, "gov": true, "st": true,
	"jr": true, "sr": true, "no": true, "vs": true, "inc": true, "corp": true, "co": true, "ltd": true, "jan": true,
	"feb": true, "aug": true, "sept": true, "oct": true, "nov": true, "dec": true, "prof": true, "maj": true}

// abbrevBefore reports whether s ends in a single letter or an abbreviation word (the stop follows it).
func abbrevBefore(s string) bool {
	j := len(s)
	for j > 0 && isWordByte(s[j-1]) {
		j--
	}
	w := s[j:]
	if len(w) == 1 {
		return true
	}
	return abbreviations[strings.ToLower(w)]
}

func isWordByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b >= 0x80
}

// clauseBreak reports whether r ends a clause for the cue windows.
func clauseBreak(r rune) bool {
	switch r {
	case ',', ';', ':', '(', ')', '"', '“', '”', '—', '–', '.', '!', '?', '[', ']':
		return true
	}
	return false
}

// sentenceOf returns the sentence index of o: 0 for the title, 1 + the body sentence otherwise.
func (st *matchState) sentenceOf(o occ) int {
	if o.field == 0 {
		return 0
	}
	b := st.f[1].runeByte[o.start]
	lo, hi := 0, len(st.sents)
	for lo+1 < hi {
		m := (lo + hi) / 2
		if st.sents[m] <= b {
			lo = m
		} else {
			hi = m
		}
	}
	return lo + 1
}

// sentenceBounds returns the byte range of the sentence holding o in its field.
func (st *matchState) sentenceBounds(o occ, sent int) (int, int) {
	f := &st.f[o.field]
	if o.field == 0 {
		return 0, len(f.src)
	}
	end := len(f.src)
	if sent < len(st.sents) {
		end = int(st.sents[sent])
	}
	return int(st.sents[sent-1]), end
}

// isDemonym reports whether the mention at o was found through a demonym ("South Korean").
func (st *matchState) isDemonym(o occ) bool {
	lo, hi := 0, len(st.ments) // the first mention not before o (they are sorted by field and start)
	for lo < hi {
		if m := int(uint(lo+hi) >> 1); st.ments[m].before(o) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	for i := lo; i < len(st.ments) && st.ments[i].field == o.field && st.ments[i].start == o.start; i++ {
		if st.ments[i].demonym {
			return true
		}
	}
	return false
}

// possessive reports whether s starts with a possessive ending ("'s", "’s").
func possessive(s string) bool { return strings.HasPrefix(s, "'s ") || strings.HasPrefix(s, "’s ") }

// headlineSource reports whether the hit at bytes [b0, b1) opens its sentence (within its first three words) and
// is followed by a colon: "JCS: North fired artillery", "NIS: ...".
func headlineSource(src string, b0, b1, s0 int) bool {
	rest := strings.TrimLeft(src[b1:], " ")
	if !strings.HasPrefix(rest, ":") {
		return false
	}
	return len(strings.Fields(src[s0:b0])) < 3
}

// Facts about an occurrence that do not depend on the topic, cached per start position (see occFacts).
const (
	fKnown      uint16 = 1 << iota
	fSaid              // followed by a speech verb that attributes it ("the JCS said")
	fHeadline          // a headline source ("JCS: ...")
	fSourceCue         // after a source cue ("according to")
	fBackground        // in a cause or background clause (body only)
	fModifier          // a demonym or possessive ("South Korean band", "South Korea's index")
	fSaidNext          // fSaid with the speech verb the very next word ("the military said")
	fPlace             // the object of a place preposition ("landed in Seoul", "a visit to Moscow")
	fShared            // another label's own word (see RuleSet.sharedBy); set by score, not cached
	fObject            // not in subject position: a word other than a clause opener comes before it ("beat North Korea")
)

type facts struct {
	end   int32
	sent  int32
	flags uint16
}

// occFacts computes (once per Match for each start position and field) what occFactor needs to know about o.
func (rs *RuleSet) occFacts(st *matchState, o occ) facts {
	cache := st.facts[o.field]
	if int(o.start) < len(cache) {
		if c := cache[o.start]; c.flags&fKnown != 0 && c.end == o.end {
			return c
		}
	}
	w := st.wordsOf(rs, o.field)
	sent := st.sentenceOf(o)
	f := &st.f[o.field]
	s0, _ := st.sentenceBounds(o, sent)
	b0, b1 := int(f.runeByte[o.start]), int(f.runeByte[o.end])
	fl := fKnown
	if st.isDemonym(o) || possessive(f.src[b1:]) {
		fl |= fModifier
	}
	// A title's opening subject speaks for itself ("Defector says she escaped") unless it only reacts; a
	// trailing ", NIS says" is the source.
	opening := o.field == 0 && !strings.Contains(f.src[:b0], ", ") && !strings.Contains(f.src[:b0], " - ")
	if sp, react, at := w.saidBy(o.w1); sp == attributes && (!opening || react) {
		fl |= fSaid
		if at == 0 {
			fl |= fSaidNext
		}
	}
	if headlineSource(f.src, b0, b1, s0) {
		fl |= fHeadline
	}
	// One window before the hit serves the three tests: each reads the nearest words of it.
	var buf [max(sourceBefore, backgroundAfter, 2)]int32
	before := w.window(buf[:0], o.w0, len(buf), -1)
	if w.phraseBefore(before[:min(len(before), sourceBefore)], o.w0, wSourceFirst, rs.cues.source) {
		fl |= fSourceCue
	}
	if o.field == 1 &&
		w.phraseBefore(before[:min(len(before), backgroundAfter)], o.w0, wBackgroundFirst, rs.cues.backgrnd) {
		fl |= fBackground
	}
	switch w.position(before[:min(len(before), 2)]) {
	case posPlace:
		fl |= fPlace | fObject
	case posObject:
		fl |= fObject
	}
	c := facts{end: o.end, sent: int32(sent), flags: fl}
	if int(o.start) < len(cache) {
		cache[o.start] = c
	}
	return c
}

// Word classes (fieldWords.class): the cue lists a folded word is on (see cues.class).
const (
	wSpeech uint16 = 1 << iota
	wSelf
	wReaction
	wAnd
	wSourceFirst
	wBackgroundFirst
	wSkip      // the "s" of a possessive: not a word of the window
	wPlacePrep // a place preposition ("in", "to", "toward"): what follows it is a place, not a subject
	wArticle   // "the", "a": skipped between a place preposition and its object
	wOpener    // a word after which a clause's subject comes ("that", "while", "when", "as")
)

// fieldWords is a field's folded words with their clause numbers (a comma, colon, semicolon, bracket, quote or
// sentence stop starts a new clause) and classes (which the trie scan finds: the cue words are trie patterns).
type fieldWords struct {
	rs     *RuleSet
	f      *folded
	start  []int32 // folded byte offset of each word, plus one past the end
	clause []int32
	class  []uint16
}

// wordsOf returns the words of field: their starts and clauses come from folding, their classes from the scan.
func (st *matchState) wordsOf(rs *RuleSet, field uint8) *fieldWords {
	w := &st.fw[field]
	if w.f != nil {
		return w
	}
	f := &st.f[field]
	w.rs, w.f = rs, f
	w.start, w.clause, w.class = f.wordStart, f.wordClause, st.wcls[field]
	return w
}

func (w *fieldWords) text(i int32) []byte { return w.f.text[w.start[i] : w.start[i+1]-1] }

func (w *fieldWords) classOf(i int32) uint16 { return w.class[i] }

// window returns up to n word indexes after (dir 1) or before (dir -1) word i in its clause, possessive "s"
// skipped, into dst.
func (w *fieldWords) window(dst []int32, i int32, n, dir int) []int32 {
	dst = dst[:0]
	if len(w.clause) == 0 {
		return dst
	}
	cl := w.clause[min(int(i), len(w.clause)-1)]
	for j := i + int32(dir); j >= 0 && j < int32(len(w.clause)) && len(dst) < n; j += int32(dir) {
		if w.clause[j] != cl {
			break
		}
		if w.classOf(j)&wSkip != 0 {
			continue
		}
		dst = append(dst, j)
	}
	return dst
}

// saidBy classifies the words after word i (within its clause): a speech verb that attributes the hit to a
// source, one that reports the source's own action, or none; react says the source only reacts ("said it was
// closely watching").
func (w *fieldWords) saidBy(i int32) (speech, bool, int) {
	var buf [16]int32
	// The speech verb is among the first speechAfter words; the longer window the rest reads is taken only when
	// there is one (its first words are the same).
	after := w.window(buf[:0], i, speechAfter, 1)
	for k, j := range after {
		if w.classOf(j)&wSpeech == 0 {
			continue
		}
		after = w.window(buf[:0], i, speechAfter+6, 1)
		if k > 0 && w.classOf(after[k-1])&wAnd != 0 {
			return noSpeech, false, k // "thanked Pyongyang for its support and said": another predicate of the subject
		}
		rest := after[k+1:]
		for m, x := range rest[:min(3, len(rest))] {
			if w.classOf(x)&wSelf != 0 {
				for _, y := range rest[m+1 : min(m+4, len(rest))] {
					if w.classOf(y)&wReaction != 0 {
						return attributes, true, k
					}
				}
				return ownAction, false, k
			}
		}
		react := false
		for _, y := range rest {
			react = react || w.classOf(y)&wReaction != 0
		}
		return attributes, react, k
	}
	return noSpeech, false, -1
}

// Where a word stands in its clause (fieldWords.position).
const (
	posSubject = iota // opens its clause, or follows a clause opener ("that", "and", "said"): the subject
	posPlace          // follows a place preposition ("balloons landed in Seoul", "toward N. Korea")
	posObject         // follows any other word: an object or a name inside another phrase ("beat North Korea")
)

// position classifies a word by the word before it in its clause, an article skipped: before is the word's
// window(_, i, 2, -1).
func (w *fieldWords) position(before []int32) int {
	if len(before) > 0 && w.classOf(before[0])&wArticle != 0 {
		before = before[1:]
	}
	switch {
	case len(before) == 0 || w.classOf(before[0])&(wOpener|wSpeech|wAnd) != 0:
		return posSubject
	case w.classOf(before[0])&wPlacePrep != 0:
		return posPlace
	}
	return posObject
}

// phraseBefore reports whether one of phrases (folded words; first words marked with bit) lies within the words
// before word i in its clause that are before (its window(_, i, n, -1) for a reach of n words).
func (w *fieldWords) phraseBefore(before []int32, i int32, bit uint16, phrases [][]string) bool {
	for _, j := range before {
		if w.classOf(j)&bit == 0 {
			continue
		}
		for _, p := range phrases {
			if j+int32(len(p)) > i {
				continue
			}
			ok := true
			for k := range p {
				if string(w.text(j+int32(k))) != p[k] {
					ok = false
					break
				}
			}
			if ok {
				return true
			}
		}
	}
	return false
}

// selfReport holds the words that, right after a speech verb, make the source report its own action ("the
// ministry said it will allow", "the military said its troops fired"): that is no attribution, unless what it
// reports is only watching the news (reaction: "said it was closely watching", "said it is verifying").
var (
	selfReport = map[string]bool{"it": true, "its": true, "they": true, "their": true, "we": true, "our": true}
	reaction   = map[string]bool{"watching": true, "monitoring": true, "verifying": true, "checking": true,
		"analysing": true, "analyzing": true, "tracking": true, "reviewing": true, "investigating": true,
		"assessing": true, "looking": true, "aware": true, "unable": true, "could": true}
)

// speech is what saidBy found after a hit.
type speech uint8

const (
	noSpeech   speech = iota
	attributes        // "the JCS said", "X told reporters"
	ownAction         // "the ministry said it will allow"
)
