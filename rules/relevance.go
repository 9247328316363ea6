package rules

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// The relevance model: how much of the article a piece of topic evidence says is about the label.
//
// Every hit (a term, pattern, near or entity-condition occurrence) is weighed by where it sits:
//   - inside an attribution ("the JCS said", "according to the NIS", "KCNA reported", "citing X") it keeps only
//     the `attribution` share of its weight: a source is not a subject. A PERSON mention is exempt: what a
//     leader or minister says is what the story reports;
//   - in a clause that names a cause or background ("after", "amid", "over", "because of", "in response to")
//     it keeps the `background` share (body only: a title is never background);
//   - an entity condition counts its mentions by what they kept, so an attributed mention does not reach `min`.
//
// Then the label as a whole: evidence that is neither in the title nor in the lead (the first `lead` body
// sentences) must run through at least `min_sentences` distinct sentences, else the label keeps only `passing`
// of its score (one passing "military" in a balloon story is not a military story).

// RelevanceRule is a `relevance:` block: pack-wide at the top level of a file, or per topic (overriding the
// pack-wide values it sets). Nil fields keep the defaults (see defaultRelevance); the cue lists are pack-wide
// only.
type RelevanceRule struct {
	Lead           *Number  `json:"lead,omitempty"`
	MinSentences   *Number  `json:"min_sentences,omitempty"`
	Passing        *Number  `json:"passing,omitempty"`
	Attribution    *Number  `json:"attribution,omitempty"`
	Background     *Number  `json:"background,omitempty"`
	Modifier       *Number  `json:"modifier,omitempty"`
	OneRule        *Number  `json:"one_rule,omitempty"`
	SpeechVerbs    []Str    `json:"speech_verbs,omitempty"`
	SourceCues     []Str    `json:"source_cues,omitempty"`
	BackgroundCues []Str    `json:"background_cues,omitempty"`
	Pos            Position `json:"-"`
}

// relevance is a topic's compiled relevance parameters.
type relevance struct {
	lead, minSentences                                  int
	passing, attribution, background, modifier, oneRule float64
}

// defaultRelevance holds the documented defaults (docs/rule-language.md).
var defaultRelevance = relevance{lead: 2, minSentences: 2, passing: 0.5, attribution: 0.25, background: 0.5,
	modifier: 0.5, oneRule: 0.5}

// Default cue lists, matched on lower-cased words of the original text.
var (
	defaultSpeechVerbs = []string{"said", "says", "say", "told", "tells", "reported", "reports", "stated",
		"added", "noted", "claimed", "quoted", "confirmed", "according"}
	defaultSourceCues = []string{"according to", "citing", "cited by", "quoted by", "carried by", "reported by",
		"statement by", "sources in", "briefed by"}
	defaultBackgroundCues = []string{"after", "amid", "following", "because", "since", "over", "due to",
		"in response to", "in retaliation for", "in protest against", "ahead of"}
)

// Word windows the cues are looked for in, within one clause (no comma, colon, semicolon, bracket or quote between).
const (
	speechAfter     = 5 // "South Korea's National Intelligence Service told"
	sourceBefore    = 6 // "according to South Korea's spy agency"
	modifierReach   = 3 // "South Korean civic group": the noun a demonym or possessive modifies
	backgroundAfter = 5 // "amid tensions over North Korea's missile launches"
)

// cues is the pack-wide cue lists, each phrase as lower-case words.
type cues struct {
	speech           map[string]bool
	source, backgrnd [][]string
	class            map[string]uint8 // folded word -> its w* class bits (wKnown not set)
}

func newCues(r *RelevanceRule) cues {
	speech, source, bg := defaultSpeechVerbs, defaultSourceCues, defaultBackgroundCues
	if len(r.SpeechVerbs) > 0 {
		speech = strValues(r.SpeechVerbs)
	}
	if len(r.SourceCues) > 0 {
		source = strValues(r.SourceCues)
	}
	if len(r.BackgroundCues) > 0 {
		bg = strValues(r.BackgroundCues)
	}
	c := cues{speech: map[string]bool{}}
	for _, v := range speech {
		c.speech[Fold(v)] = true
	}
	split := func(l []string) (out [][]string) {
		for _, s := range l {
			out = append(out, strings.Fields(strings.ToLower(s)))
		}
		return out
	}
	c.source, c.backgrnd = split(source), split(bg)
	c.class = map[string]uint8{"s": wSkip, "and": wAnd, "but": wAnd}
	for _, p := range c.source {
		c.class[Fold(p[0])] |= wSourceFirst
	}
	for _, p := range c.backgrnd {
		c.class[Fold(p[0])] |= wBackgroundFirst
	}
	for w := range c.speech {
		c.class[w] |= wSpeech
	}
	for w := range selfReport {
		c.class[w] |= wSelf
	}
	for w := range reaction {
		c.class[w] |= wReaction
	}
	for _, l := range [][][]string{c.source, c.backgrnd} {
		for _, p := range l {
			for k := range p {
				p[k] = Fold(p[k])
			}
		}
	}
	return c
}

func strValues(l []Str) []string {
	out := make([]string, len(l))
	for i, s := range l {
		out[i] = s.Value
	}
	return out
}

// merge returns r with the values o sets.
func (r relevance) merge(o *RelevanceRule) relevance {
	if o == nil {
		return r
	}
	if o.Lead != nil {
		r.lead = int(o.Lead.Value)
	}
	if o.MinSentences != nil {
		r.minSentences = int(o.MinSentences.Value)
	}
	for _, x := range []struct {
		n *Number
		v *float64
	}{{o.Passing, &r.passing}, {o.Attribution, &r.attribution}, {o.Background, &r.background}, {o.Modifier, &r.modifier},
		{o.OneRule, &r.oneRule}} {
		if x.n != nil {
			*x.v = x.n.Value
		}
	}
	return r
}

// mergeRule folds o into the pack-wide rule r (later files win).
func mergeRule(r, o *RelevanceRule) {
	if o == nil {
		return
	}
	for _, x := range []struct{ dst, src **Number }{{&r.Lead, &o.Lead}, {&r.MinSentences, &o.MinSentences},
		{&r.Passing, &o.Passing}, {&r.Attribution, &o.Attribution}, {&r.Background, &o.Background},
		{&r.Modifier, &o.Modifier}, {&r.OneRule, &o.OneRule}} {
		if *x.src != nil {
			*x.dst = *x.src
		}
	}
	for _, x := range []struct{ dst, src *[]Str }{{&r.SpeechVerbs, &o.SpeechVerbs}, {&r.SourceCues, &o.SourceCues},
		{&r.BackgroundCues, &o.BackgroundCues}} {
		if len(*x.src) > 0 {
			*x.dst = *x.src
		}
	}
}

func (p *parser) relevance(n *yaml.Node, packWide bool) *RelevanceRule {
	r := &RelevanceRule{Pos: p.pos(n)}
	num := func(dst **Number, key string) func(*yaml.Node) {
		return func(v *yaml.Node) { x := p.num(v, "relevance."+key); *dst = &x }
	}
	h := map[string]func(*yaml.Node){
		"lead":          num(&r.Lead, "lead"),
		"min_sentences": num(&r.MinSentences, "min_sentences"),
		"passing":       num(&r.Passing, "passing"),
		"attribution":   num(&r.Attribution, "attribution"),
		"background":    num(&r.Background, "background"),
		"modifier":      num(&r.Modifier, "modifier"),
		"one_rule":      num(&r.OneRule, "one_rule"),
	}
	if packWide {
		h["speech_verbs"] = func(v *yaml.Node) { r.SpeechVerbs = p.strs(v, "relevance.speech_verbs") }
		h["source_cues"] = func(v *yaml.Node) { r.SourceCues = p.strs(v, "relevance.source_cues") }
		h["background_cues"] = func(v *yaml.Node) { r.BackgroundCues = p.strs(v, "relevance.background_cues") }
	}
	p.fields(n, "relevance", h)
	return r
}

func (v *validator) relevance(r *RelevanceRule) {
	if r == nil {
		return
	}
	if r.Lead != nil {
		v.count(*r.Lead, "relevance.lead", 0)
	}
	if r.MinSentences != nil {
		v.count(*r.MinSentences, "relevance.min_sentences", 1)
	}
	for _, x := range []struct {
		n    *Number
		name string
	}{{r.Passing, "passing"}, {r.Attribution, "attribution"}, {r.Background, "background"},
		{r.Modifier, "modifier"}, {r.OneRule, "one_rule"}} {
		if x.n != nil && !math.IsNaN(x.n.Value) && !(x.n.Value >= 0 && x.n.Value <= 1) {
			v.errs.addf(x.n.Pos, CodeBadValue, "relevance.%s must be a share between 0 and 1, not %v", x.name, x.n.Value)
		}
	}
	for _, l := range [][]Str{r.SpeechVerbs, r.SourceCues, r.BackgroundCues} {
		for _, s := range l {
			if strings.TrimSpace(s.Value) == "" {
				v.errs.Add(s.Pos, CodeBadValue, "relevance: an empty cue")
			}
		}
	}
}

// TopicScore is how one label scored on a Doc, assigned or not: see RuleSet.Explain.
type TopicScore struct {
	Label     string  `json:"label"`
	Assigned  bool    `json:"assigned"`
	Score     float64 `json:"score"` // 1 - 0.5^(raw/threshold); 0 when nothing counted
	Raw       float64 `json:"raw"`   // the summed evidence after every factor
	Threshold float64 `json:"threshold"`
	// Evidence is every hit, counted or discounted, in the order the rules found them.
	Evidence []ScoredEvidence `json:"evidence"`
	// Notes are label-level adjustments and vetoes ("passing: ...", "requires: ...").
	Notes []string `json:"notes,omitempty"`
}

// ScoredEvidence is one hit with what the relevance model made of it.
type ScoredEvidence struct {
	Evidence
	Weight   float64  `json:"weight"`   // the rule's weight, title weighting included
	Factor   float64  `json:"factor"`   // the share kept (1: all)
	Sentence int      `json:"sentence"` // 0: the title, 1: the lead sentence, 2...: later body sentences
	Why      []string `json:"why,omitempty"`
}

// Explain scores every topic label of the pack on doc, including those not assigned, with each hit's weight,
// what the relevance model kept of it and why. Labels come in pack order. It is slower than Match.
func (rs *RuleSet) Explain(doc Doc) []TopicScore {
	st := rs.pool.Get().(*matchState)
	defer rs.pool.Put(st)
	rs.prepare(st, doc)
	out := make([]TopicScore, len(rs.topics))
	for i := range rs.topics {
		out[i].Label = rs.topics[i].label
		_, _ = rs.evalTopic(st, &rs.topics[i], st.thits[i], &out[i])
	}
	return out
}

// splitSentences returns the byte offsets where the sentences of s start (the first is 0). A sentence ends at
// '.', '!' or '?' (closing quotes and brackets may follow) before a space and a capital, digit or opening quote,
// unless the word before the stop is a single letter ("U.S.", "N. Korea") or a common abbreviation; a blank
// line always ends one.
func splitSentences(dst []int32, s string) []int32 {
	dst = append(dst[:0], 0)
	for i := 0; i < len(s); i++ {
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

// Reasons a hit is discounted.
const (
	whyAttribution = "attribution"
	whyBackground  = "background"
	whyModifier    = "modifier"
)

// occKind says what an occurrence is, for the factors that depend on it.
type occKind uint8

const (
	occOther  occKind = iota // a term, pattern or near hit, or an entity that is neither of the below
	occPerson                // a PERSON mention: never a mere source
	occPlace                 // a LOCATION mention: a demonym or possessive of it may only modify a noun
	occOrg                   // an ORGANIZATION mention
)

// isDemonym reports whether the mention at o was found through a demonym ("South Korean").
func (st *matchState) isDemonym(o occ) bool {
	i, _ := slices.BinarySearchFunc(st.ments, o, func(m ment, o occ) int {
		return cmp.Or(cmp.Compare(m.field, o.field), cmp.Compare(m.start, o.start))
	})
	for ; i < len(st.ments) && st.ments[i].field == o.field && st.ments[i].start == o.start; i++ {
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
	fKnown      uint8 = 1 << iota
	fSaid             // followed by a speech verb that attributes it ("the JCS said")
	fHeadline         // a headline source ("JCS: ...")
	fSourceCue        // after a source cue ("according to")
	fBackground       // in a cause or background clause (body only)
	fModifier         // a demonym or possessive ("South Korean band", "South Korea's index")
	fSaidNext         // fSaid with the speech verb the very next word ("the military said")
)

type facts struct {
	end   int32
	sent  int32
	flags uint8
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
	if w.phraseBefore(o.w0, sourceBefore, wSourceFirst, rs.cues.source) {
		fl |= fSourceCue
	}
	if o.field == 1 && w.phraseBefore(o.w0, backgroundAfter, wBackgroundFirst, rs.cues.backgrnd) {
		fl |= fBackground
	}
	c := facts{end: o.end, sent: int32(sent), flags: fl}
	if int(o.start) < len(cache) {
		cache[o.start] = c
	}
	return c
}

// Word classes (fieldWords.class), computed once per word and Match.
const (
	wKnown uint8 = 1 << iota
	wSpeech
	wSelf
	wReaction
	wAnd
	wSourceFirst
	wBackgroundFirst
	wSkip // the "s" of a possessive: not a word of the window
)

// fieldWords is a field's folded words with their clause numbers (a comma, colon, semicolon, bracket, quote or
// sentence stop starts a new clause) and lazily computed classes.
type fieldWords struct {
	rs     *RuleSet
	f      *folded
	start  []int32 // folded byte offset of each word, plus one past the end
	clause []int32
	class  []uint8
}

// wordsOf returns the words of field, building them on first use in this Match.
func (st *matchState) wordsOf(rs *RuleSet, field uint8) *fieldWords {
	w := &st.fw[field]
	if w.f != nil {
		return w
	}
	f := &st.f[field]
	w.rs, w.f = rs, f
	n := int(f.nWords)
	w.start = slices.Grow(w.start[:0], n+1)[:0]
	for i := 1; i < len(f.text); i++ {
		if f.text[i-1] == ' ' && f.text[i] != ' ' {
			w.start = append(w.start, int32(i))
		}
	}
	w.start = append(w.start, int32(len(f.text)))
	w.clause = slices.Grow(w.clause[:0], n)[:n]
	w.class = slices.Grow(w.class[:0], n)[:n]
	clear(w.class)
	clause, last := int32(0), int32(-1)
	src := f.src
	for ri, bi := 0, 0; bi < len(src); ri++ {
		r, size := rune(src[bi]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(src[bi:])
		}
		bi += size
		if clauseBreak(r) {
			clause++
			continue
		}
		if wi := f.runeWord[ri]; wi != last && wi < int32(n) {
			w.clause[wi], last = clause, wi
		}
	}
	return w
}

func (w *fieldWords) text(i int32) []byte { return w.f.text[w.start[i] : w.start[i+1]-1] }

func (w *fieldWords) classOf(i int32) uint8 {
	c := w.class[i]
	if c&wKnown != 0 {
		return c
	}
	c = wKnown | w.rs.cues.class[string(w.text(i))]
	w.class[i] = c
	return c
}

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
	after := w.window(buf[:0], i, speechAfter+6, 1)
	for k, j := range after {
		if k >= speechAfter {
			break
		}
		if w.classOf(j)&wSpeech == 0 {
			continue
		}
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

// phraseBefore reports whether one of phrases (folded words; first words marked with bit) lies within the n
// words before word i, in its clause.
func (w *fieldWords) phraseBefore(i int32, n int, bit uint8, phrases [][]string) bool {
	var buf [16]int32
	before := w.window(buf[:0], i, n, -1)
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

// occFactor is the share of its weight occurrence o keeps under rel, its sentence, and the reasons as f* bits.
// Person mentions are exempt from the attribution discount; backed modifiers (see score) from the modifier one.
func (rs *RuleSet) occFactor(st *matchState, o occ, rel *relevance, kind occKind, backed bool) (float64, int, uint8) {
	c := rs.occFacts(st, o)
	factor, why := 1.0, uint8(0)
	if kind == occPlace && !backed && rel.modifier < 1 && c.flags&fModifier != 0 {
		factor *= rel.modifier
		why |= fModifier
	}
	// a term is the source only when it heads the phrase before the verb ("the military said", not "the tourism
	// office said"); a name may be followed by the rest of the source's name ("South Korea's spy agency told")
	said := fSaid
	if kind == occOther {
		said = fSaidNext
	}
	if kind != occPerson && rel.attribution < 1 && c.flags&(said|fSourceCue) != 0 || kind != occOther && kind != occPerson && c.flags&fHeadline != 0 {
		factor *= rel.attribution
		why |= fSaid
	}
	if rel.background < 1 && c.flags&fBackground != 0 {
		factor *= rel.background
		why |= fBackground
	}
	return factor, int(c.sent), why
}

// whyNames spells out occFactor's reason bits for Explain.
func whyNames(why uint8) []string {
	var out []string
	for _, x := range []struct {
		bit  uint8
		name string
	}{{fModifier, whyModifier}, {fSaid, whyAttribution}, {fBackground, whyBackground}} {
		if why&x.bit != 0 {
			out = append(out, x.name)
		}
	}
	return out
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

// sentSet is a set of sentence indexes (those past 63 share the last bit).
type sentSet uint64

func (s *sentSet) add(i int) { *s |= 1 << min(i, 63) }

func (s sentSet) count() int { return bits.OnesCount64(uint64(s)) }

// inLead reports whether the set holds the title or one of the first lead body sentences.
func (s sentSet) inLead(lead int) bool { return s&(1<<(min(lead, 62)+1)-1) != 0 }

// score sums the hits of tp under the relevance model, adds the entity conditions, applies the passing rule and
// `requires`, and returns the label when it reaches the threshold. trace, when not nil, receives every step.
func (rs *RuleSet) score(st *matchState, tp *topic, hits []hit, trace *TopicScore) (Topic, bool) {
	rel := &tp.rel
	if trace == nil && (tp.requires != nil && !st.present(tp.requires) || rs.upperBound(st, tp, hits) < tp.threshold*(1-1e-9)) {
		return Topic{}, false // every factor is at most 1: the label cannot be reached, skip the sentence work
	}
	var raw, strongest float64
	var sents sentSet
	oneRule := int32(-1) // the only rule that counted so far; -2 once two did
	counted := func(rule int32, base float64) {
		strongest = max(strongest, base)
		switch {
		case oneRule == -1:
			oneRule = rule
		case oneRule != rule:
			oneRule = -2
		}
	}
	kept := hits[:0]
	note := func(h hit, factor float64, sent int, why uint8, extra ...string) {
		if trace != nil {
			trace.Evidence = append(trace.Evidence, ScoredEvidence{
				Evidence: Evidence{Rule: tp.rules[h.rule], Text: st.text(h.occ), Span: st.span(h.occ)},
				Weight:   h.weight, Factor: factor, Sentence: sent, Why: append(whyNames(why), extra...),
			})
		}
	}
	for _, h := range hits {
		factor, sent, why := rs.occFactor(st, h.occ, rel, occOther, false)
		note(h, factor, sent, why)
		if factor <= 0 {
			continue
		}
		raw += h.weight * factor
		sents.add(sent)
		base := h.weight
		if h.field == 0 {
			base /= tp.titleWeight
		}
		counted(h.rule, base)
		h.weight *= factor
		kept = append(kept, h)
	}
	hits = kept
	for _, c := range tp.entities {
		var count, best float64
		var first occ
		inTitle, bestSent := false, 0
		var bestWhy uint8
		var cs sentSet
	refs:
		for _, r := range c.refs {
			kind := occOther
			if r.entity >= 0 {
				switch rs.entities[r.entity].Type {
				case Person:
					kind = occPerson
				case Location:
					kind = occPlace
				case Organization:
					kind = occOrg
				}
			}
			var occs []occ
			if r.entity >= 0 {
				occs = st.entOccs(r.entity)
			} else {
				occs = st.termOccs(r.term)
			}
			for _, o := range occs {
				// a modifier whose noun is the label's own evidence ("South Korean troops") counts in full
				backed := kind == occPlace && slices.ContainsFunc(hits, func(h hit) bool {
					return h.field == o.field && wordDist(h.occ, o) <= modifierReach
				})
				factor, sent, why := rs.occFactor(st, o, rel, kind, backed)
				count += factor
				if factor > 0 {
					cs.add(sent)
				}
				if o.field == 0 && factor >= 1 {
					inTitle = true
				}
				// the best-kept occurrence stands for the condition; of equals the title's, then the first
				if better := factor > best || factor == best && factor > 0 && (o.field < first.field ||
					o.field == first.field && o.start < first.start); better {
					best, first, bestSent, bestWhy = factor, o, sent, why
				}
				// decided: counted in full, enough mentions, and the passing rule cannot apply
				if trace == nil && best >= 1 && count >= float64(c.min) && (sents | cs).inLead(rel.lead) {
					break refs
				}
			}
		}
		if best <= 0 || !(count >= float64(c.min)*(1-1e-9) || inTitle) {
			if trace != nil && count > 0 {
				// the mention that came closest, with what discounted it, scored as nothing
				note(hit{occ: first, weight: c.weight, rule: c.rule}, 0, bestSent, bestWhy, "below min")
				trace.Notes = append(trace.Notes, fmt.Sprintf("%s: %.2g of %d mentions counted, not enough",
					tp.rules[c.rule], count, c.min))
			}
			continue
		}
		h := hit{occ: first, weight: c.weight * best, rule: c.rule}
		note(hit{occ: first, weight: c.weight, rule: c.rule}, best, bestSent, bestWhy)
		raw += h.weight
		sents |= cs
		hits = append(hits, h)
		counted(c.rule, c.weight)
	}
	if raw > 0 && !sents.inLead(rel.lead) && sents.count() < rel.minSentences {
		raw *= rel.passing
		if trace != nil {
			trace.Notes = append(trace.Notes, fmt.Sprintf("passing: evidence in %d body sentence(s) after the lead, "+
				"none in the title or lead: x%g", sents.count(), rel.passing))
		}
	}
	if raw > 0 && oneRule >= 0 && strongest < tp.threshold*(1-1e-9) && rel.oneRule < 1 {
		raw *= rel.oneRule
		if trace != nil {
			trace.Notes = append(trace.Notes, fmt.Sprintf("one_rule: all evidence is %s, weaker than the threshold: x%g",
				tp.rules[oneRule], rel.oneRule))
		}
	}
	ok := raw > 0 && raw >= tp.threshold*(1-1e-9)
	if ok && tp.requires != nil && !st.present(tp.requires) {
		ok = false
		if trace != nil {
			trace.Notes = append(trace.Notes, "requires: none of the required names or words is present")
		}
	}
	score := 0.0
	if raw > 0 {
		score = 1 - math.Pow(0.5, raw/tp.threshold)
	}
	if trace != nil {
		trace.Assigned, trace.Score, trace.Raw, trace.Threshold = ok, score, raw, tp.threshold
	}
	if !ok {
		return Topic{}, false
	}
	t := Topic{Label: tp.label, Score: score, Evidence: make([]Evidence, len(hits))}
	for i, h := range hits {
		t.Evidence[i] = Evidence{Rule: tp.rules[h.rule], Text: st.text(h.occ), Span: st.span(h.occ)}
	}
	return t, true
}

// upperBound is the score tp's hits and entity conditions would reach with every factor at 1.
func (rs *RuleSet) upperBound(st *matchState, tp *topic, hits []hit) float64 {
	var raw float64
	for _, h := range hits {
		raw += h.weight
	}
	for _, c := range tp.entities {
		n, inTitle := 0, false
		for _, r := range c.refs {
			var occs []occ
			if r.entity >= 0 {
				occs = st.entOccs(r.entity)
			} else {
				occs = st.termOccs(r.term)
			}
			n += len(occs)
			inTitle = inTitle || len(occs) > 0 && occs[0].field == 0
		}
		if n >= c.min || inTitle {
			raw += c.weight
		}
	}
	return raw
}

// present reports whether one of refs occurs in the Doc.
func (st *matchState) present(refs []ref) bool {
	for _, r := range refs {
		if r.entity < 0 && len(st.termOccs(r.term)) > 0 || r.entity >= 0 && len(st.entOccs(r.entity)) > 0 {
			return true
		}
	}
	return false
}
