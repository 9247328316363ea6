package rules

import (
	"math"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The relevance model: how much of the article a piece of topic evidence says is about the label.
//
// Every hit (a term, pattern, near or entity-condition occurrence) is weighed by where it sits:
//   - inside an attribution ("the JCS said", "according to the NIS", "KCNA reported", "citing X") it keeps only
//     the `attribution` share of its weight: a source is not a subject. A PERSON mention is exempt: what a
//     leader or minister says is what the story reports;
//   - in a clause that names a cause or background ("after", "amid", "over", "because of", "in response to")
//     it keeps the `background` share (body only: a title is never background);
//   - a LOCATION named only as a modifier ("South Korean band", "South Korea's index") keeps the `modifier`
//     share, unless the label's own evidence is the modified noun ("South Korean navy");
//   - a LOCATION that is only where things happen ("landed in Seoul": `place`) or not the sentence's subject
//     ("beat North Korea": `object`) keeps that share, and a hit another label weighs more ("defector" for
//     north-korea) keeps `shared`; all three are off by default and set per label;
//   - an entity condition counts its mentions by what they kept, so an attributed mention does not reach `min`;
//     a title mention satisfies any `min`, or counts as `title_mentions` mentions when that is set.
//
// Then the label as a whole: evidence that is neither in the title nor in the lead (the first `lead` body
// sentences) must run through at least `min_sentences` distinct sentences, else the label keeps only `passing`
// of its score (one passing "military" in a balloon story is not a military story); evidence that is one weak
// rule repeated keeps `one_rule`. The keys, defaults and counting are in docs/rule-language.md. Files:
// relevance.go (the parameters), relevance_score.go (scoring and Explain), sentences.go (sentences, clauses, cue
// windows).

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
	Place          *Number  `json:"place,omitempty"`
	Object         *Number  `json:"object,omitempty"`
	TitleMentions  *Number  `json:"title_mentions,omitempty"`
	Shared         *Number  `json:"shared,omitempty"`
	SpeechVerbs    []Str    `json:"speech_verbs,omitempty"`
	SourceCues     []Str    `json:"source_cues,omitempty"`
	BackgroundCues []Str    `json:"background_cues,omitempty"`
	PlacePreps     []Str    `json:"place_prepositions,omitempty"`
	Pos            Position `json:"-"`
}

// relevance is a topic's compiled relevance parameters.
type relevance struct {
	lead, minSentences, titleMentions                   int
	passing, attribution, background, modifier, oneRule float64
	place, object, shared                               float64
}

// defaultRelevance holds the documented defaults (docs/rule-language.md).
var defaultRelevance = relevance{lead: 2, minSentences: 2, passing: 0.5, attribution: 0.25, background: 0.5,
	modifier: 0.5, oneRule: 0.5, place: 1, object: 1, shared: 1}

// Default cue lists, matched on lower-cased words of the original text.
var (
	defaultSpeechVerbs = []string{"said", "says", "say", "told", "tells", "reported", "reports", "stated",
		"added", "noted", "claimed", "quoted", "confirmed", "according"}
	defaultSourceCues = []string{"according to", "citing", "cited by", "quoted by", "carried by", "reported by",
		"statement by", "sources in", "briefed by"}
	defaultBackgroundCues = []string{"after", "amid", "following", "because", "since", "over", "due to",
		"in response to", "in retaliation for", "in protest against", "ahead of"}
	// clauseOpeners are the words after which a clause's subject comes (see fieldWords.position); speech verbs
	// and "and"/"but" open one too, and "with"/"between" name a party ("a treaty with Russia"), not an object.
	clauseOpeners = []string{"that", "or", "while", "as", "when", "whereas", "because", "if", "although",
		"though", "after", "before", "since", "until", "then", "where", "which", "who", "nor", "meanwhile", "with", "between"}
	defaultPlacePreps = []string{"in", "into", "to", "toward", "towards", "from", "near", "across", "at", "on",
		"onto", "inside", "within", "throughout", "around", "via", "off"}
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
	class            map[string]uint16 // folded word -> its w* class bits (trie patterns: see RuleSet.cueCls)
}

func newCues(r *RelevanceRule) cues {
	speech, source, bg, place := defaultSpeechVerbs, defaultSourceCues, defaultBackgroundCues, defaultPlacePreps
	if len(r.PlacePreps) > 0 {
		place = strValues(r.PlacePreps)
	}
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
	class := map[string]uint16{"s": wSkip, "and": wAnd, "but": wAnd, "the": wArticle, "a": wArticle}
	for _, p := range place {
		class[Fold(p)] |= wPlacePrep
	}
	for _, p := range clauseOpeners {
		class[p] |= wOpener
	}
	for _, p := range c.source {
		class[Fold(p[0])] |= wSourceFirst
	}
	for _, p := range c.backgrnd {
		class[Fold(p[0])] |= wBackgroundFirst
	}
	for w := range c.speech {
		class[w] |= wSpeech
	}
	for w := range selfReport {
		class[w] |= wSelf
	}
	for w := range reaction {
		class[w] |= wReaction
	}
	c.class = class
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
	if o.TitleMentions != nil {
		r.titleMentions = int(o.TitleMentions.Value)
	}
	for _, x := range []struct {
		n *Number
		v *float64
	}{{o.Passing, &r.passing}, {o.Attribution, &r.attribution}, {o.Background, &r.background}, {o.Modifier, &r.modifier},
		{o.OneRule, &r.oneRule}, {o.Place, &r.place}, {o.Object, &r.object}, {o.Shared, &r.shared}} {
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
	for _, x := range []struct{ dst, src **Number }{{&r.Lead, &o.Lead}, {&r.MinSentences, &o.MinSentences}, {&r.TitleMentions, &o.TitleMentions},
		{&r.Passing, &o.Passing}, {&r.Attribution, &o.Attribution}, {&r.Background, &o.Background},
		{&r.Modifier, &o.Modifier}, {&r.OneRule, &o.OneRule}, {&r.Place, &o.Place}, {&r.Object, &o.Object}, {&r.Shared, &o.Shared}} {
		if *x.src != nil {
			*x.dst = *x.src
		}
	}
	for _, x := range []struct{ dst, src *[]Str }{{&r.SpeechVerbs, &o.SpeechVerbs}, {&r.SourceCues, &o.SourceCues},
		{&r.BackgroundCues, &o.BackgroundCues}, {&r.PlacePreps, &o.PlacePreps}} {
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
		"lead":           num(&r.Lead, "lead"),
		"min_sentences":  num(&r.MinSentences, "min_sentences"),
		"title_mentions": num(&r.TitleMentions, "title_mentions"),
		"passing":        num(&r.Passing, "passing"),
		"attribution":    num(&r.Attribution, "attribution"),
		"background":     num(&r.Background, "background"),
		"modifier":       num(&r.Modifier, "modifier"),
		"one_rule":       num(&r.OneRule, "one_rule"),
		"place":          num(&r.Place, "place"),
		"object":         num(&r.Object, "object"),
		"shared":         num(&r.Shared, "shared"),
	}
	if packWide {
		h["speech_verbs"] = func(v *yaml.Node) { r.SpeechVerbs = p.strs(v, "relevance.speech_verbs") }
		h["source_cues"] = func(v *yaml.Node) { r.SourceCues = p.strs(v, "relevance.source_cues") }
		h["background_cues"] = func(v *yaml.Node) { r.BackgroundCues = p.strs(v, "relevance.background_cues") }
		h["place_prepositions"] = func(v *yaml.Node) { r.PlacePreps = p.strs(v, "relevance.place_prepositions") }
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
	if r.TitleMentions != nil {
		v.count(*r.TitleMentions, "relevance.title_mentions", 0)
	}
	for _, x := range []struct {
		n    *Number
		name string
	}{{r.Passing, "passing"}, {r.Attribution, "attribution"}, {r.Background, "background"},
		{r.Modifier, "modifier"}, {r.OneRule, "one_rule"}, {r.Place, "place"}, {r.Object, "object"}, {r.Shared, "shared"}} {
		if x.n != nil && !math.IsNaN(x.n.Value) && !(x.n.Value >= 0 && x.n.Value <= 1) {
			v.errs.addf(x.n.Pos, CodeBadValue, "relevance.%s must be a share between 0 and 1, not %v", x.name, x.n.Value)
		}
	}
	for _, l := range [][]Str{r.SpeechVerbs, r.SourceCues, r.BackgroundCues, r.PlacePreps} {
		for _, s := range l {
			if strings.TrimSpace(s.Value) == "" {
				v.errs.Add(s.Pos, CodeBadValue, "relevance: an empty cue")
			}
		}
	}
}
