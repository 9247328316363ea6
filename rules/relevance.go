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
	SpeechVerbs    []Str    `json:"speech_verbs,omitempty"`
	SourceCues     []Str    `json:"source_cues,omitempty"`
	BackgroundCues []Str    `json:"background_cues,omitempty"`
	Pos            Position `json:"-"`
}

// relevance is a topic's compiled relevance parameters.
type relevance struct {
	lead, minSentences                         int
	passing, attribution, background, modifier float64
}

// defaultRelevance holds the documented defaults (docs/rule-language.md).
var defaultRelevance = relevance{lead: 2, minSentences: 2, passing: 0.5, attribution: 0.25, background: 0.5,
	modifier: 0.5}

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
		c.speech[strings.ToLower(v)] = true
	}
	split := func(l []string) (out [][]string) {
		for _, s := range l {
			out = append(out, strings.Fields(strings.ToLower(s)))
		}
		return out
	}
	c.source, c.backgrnd = split(source), split(bg)
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
	}{{o.Passing, &r.passing}, {o.Attribution, &r.attribution}, {o.Background, &r.background}, {o.Modifier, &r.modifier}} {
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
		{&r.Modifier, &o.Modifier}} {
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
		{r.Modifier, "modifier"}} {
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

// words collects up to n lower-cased words of src going forward from byte i (back=false) or backward from i,
// stopping at a clause break or at lim (a sentence edge). A possessive 's is dropped; a hyphenated word is one.
func words(dst []string, src string, i, lim, n int, back bool) []string {
	dst = dst[:0]
	for len(dst) < n {
		if back {
			for i > lim && src[i-1] == ' ' {
				i--
			}
			if i <= lim {
				break
			}
			r, sz := utf8.DecodeLastRuneInString(src[lim:i])
			if clauseBreak(r) {
				break
			}
			j := i
			for j > lim {
				r, sz = utf8.DecodeLastRuneInString(src[lim:j])
				if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '\'' || r == '’') {
					break
				}
				j -= sz
			}
			if j == i {
				i -= sz // a symbol that is no break ('&', '/'): skip it
				continue
			}
			dst = append(dst, normWord(src[j:i]))
			i = j
			continue
		}
		for i < lim && src[i] == ' ' {
			i++
		}
		if i >= lim {
			break
		}
		r, sz := utf8.DecodeRuneInString(src[i:lim])
		if clauseBreak(r) {
			break
		}
		j := i
		for j < lim {
			r, sz = utf8.DecodeRuneInString(src[j:lim])
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '\'' || r == '’') {
				break
			}
			j += sz
		}
		if j == i {
			i += sz
			continue
		}
		if w := normWord(src[i:j]); w != "" {
			dst = append(dst, w)
		}
		i = j
	}
	if back {
		for a, b := 0, len(dst)-1; a < b; a, b = a+1, b-1 {
			dst[a], dst[b] = dst[b], dst[a]
		}
	}
	return dst
}

// normWord lower-cases w and drops a possessive ending.
func normWord(w string) string {
	for _, suf := range []string{"'s", "’s", "'", "’"} {
		if strings.HasSuffix(w, suf) {
			w = w[:len(w)-len(suf)]
			break
		}
	}
	return strings.ToLower(strings.Trim(w, "'’-"))
}

// hasPhrase reports whether ws holds one of the phrases as consecutive words.
func hasPhrase(ws []string, phrases [][]string) bool {
	for _, p := range phrases {
	outer:
		for i := 0; i+len(p) <= len(ws); i++ {
			for k := range p {
				if ws[i+k] != p[k] {
					continue outer
				}
			}
			return true
		}
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

// occFactor is the share of its weight occurrence o keeps under rel, with the reasons; person mentions are
// exempt from the attribution discount.
func (rs *RuleSet) occFactor(st *matchState, o occ, rel *relevance, kind occKind, backed bool) (float64, int, []string) {
	sent := st.sentenceOf(o)
	f := &st.f[o.field]
	s0, s1 := st.sentenceBounds(o, sent)
	b0, b1 := int(f.runeByte[o.start]), int(f.runeByte[o.end])
	factor := 1.0
	var why []string
	if kind == occPlace && !backed && rel.modifier < 1 && (st.isDemonym(o) || possessive(f.src[b1:])) {
		factor *= rel.modifier
		why = append(why, whyModifier)
	}
	if kind != occPerson && rel.attribution < 1 {
		// A title's opening subject speaks for itself ("Defector says she escaped"); a trailing ", NIS says" is
		// the source.
		opening := o.field == 0 && !strings.Contains(f.src[:b0], ", ") && !strings.Contains(f.src[:b0], " - ")
		sp := rs.saidBy(st, f.src, b1, s1)
		attributed := sp == attributes && (!opening || st.words != nil && hasReaction(st.words)) ||
			kind != occOther && headlineSource(f.src, b0, b1, s0)
		if !attributed {
			before := words(st.words[:0], f.src, b0, s0, sourceBefore, true)
			attributed = hasPhrase(before, rs.cues.source)
			st.words = before
		}
		if attributed {
			factor *= rel.attribution
			why = append(why, whyAttribution)
		}
	}
	if o.field == 1 && rel.background < 1 {
		before := words(st.words[:0], f.src, b0, s0, backgroundAfter, true)
		if hasPhrase(before, rs.cues.backgrnd) {
			factor *= rel.background
			why = append(why, whyBackground)
		}
		st.words = before
	}
	return factor, sent, why
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

// saidBy classifies the words after byte b (within the clause, before lim): a speech verb that attributes the
// hit to a source, one that reports the source's own action, or none.
func (rs *RuleSet) saidBy(st *matchState, src string, b, lim int) speech {
	after := words(st.words[:0], src, b, lim, speechAfter+6, false)
	st.words = after
	for i, w := range after {
		if i >= speechAfter {
			break
		}
		if !rs.cues.speech[w] {
			continue
		}
		if i > 0 && (after[i-1] == "and" || after[i-1] == "but") {
			return noSpeech // "thanked Pyongyang for its support and said": another predicate of the subject
		}
		rest := after[i+1:]
		for k, x := range rest[:min(3, len(rest))] {
			if selfReport[x] {
				for _, y := range rest[k+1 : min(k+4, len(rest))] {
					if reaction[y] {
						return attributes
					}
				}
				return ownAction
			}
		}
		return attributes
	}
	return noSpeech
}

// hasReaction reports whether ws holds a reaction word.
func hasReaction(ws []string) bool {
	return slices.ContainsFunc(ws, func(w string) bool { return reaction[w] })
}

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
	var raw float64
	var sents sentSet
	kept := hits[:0]
	note := func(h hit, factor float64, sent int, why []string) {
		if trace != nil {
			trace.Evidence = append(trace.Evidence, ScoredEvidence{
				Evidence: Evidence{Rule: tp.rules[h.rule], Text: st.text(h.occ), Span: st.span(h.occ)},
				Weight:   h.weight, Factor: factor, Sentence: sent, Why: why,
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
		h.weight *= factor
		kept = append(kept, h)
	}
	hits = kept
	for _, c := range tp.entities {
		var count, best float64
		var first occ
		inTitle, bestSent := false, 0
		var bestWhy []string
		var cs sentSet
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
			}
		}
		if best <= 0 || !(count >= float64(c.min)*(1-1e-9) || inTitle) {
			if trace != nil && count > 0 {
				// the mention that came closest, with what discounted it, scored as nothing
				note(hit{occ: first, weight: c.weight, rule: c.rule}, 0, bestSent, append(bestWhy, "below min"))
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
	}
	if raw > 0 && !sents.inLead(rel.lead) && sents.count() < rel.minSentences {
		raw *= rel.passing
		if trace != nil {
			trace.Notes = append(trace.Notes, fmt.Sprintf("passing: evidence in %d body sentence(s) after the lead, "+
				"none in the title or lead: x%g", sents.count(), rel.passing))
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

// present reports whether one of refs occurs in the Doc.
func (st *matchState) present(refs []ref) bool {
	for _, r := range refs {
		if r.entity < 0 && len(st.termOccs(r.term)) > 0 || r.entity >= 0 && len(st.entOccs(r.entity)) > 0 {
			return true
		}
	}
	return false
}
