package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Entity is a gazetteer entry as reported in the output.
type Entity struct {
	Canonical string `json:"canonical"`
	Type      Type   `json:"type"`
	ID        string `json:"id,omitempty"`
}

// Option configures Compile.
type Option func(*compileConfig)

type compileConfig struct {
	salt        string
	workPerByte int
	workSet     bool
}

// WithVersionSalt mixes salt into the rule set's Version, for callers whose output also depends on something other
// than the rules (a model version, say) and want one identifier for both. Default: no salt.
func WithVersionSalt(salt string) Option {
	return func(c *compileConfig) { c.salt = salt }
}

type targetKind uint8

const (
	tEntity targetKind = iota
	tTerm
	tLiteral // the part after the first space of a pattern's required word (see literal)
)

// target is one meaning of an automaton pattern: an alias of an entity or a term.
type target struct {
	kind    targetKind
	suffix  suffixMask
	demonym bool
	surname bool    // a PERSON alias that is the last word of the entity's name alone ("Medvedev")
	stem    bool    // a spelling variant ("denucleariz" for "denuclearize"): only matches with one of its endings
	id      int32   // entity or term index
	alts    []int32 // ambiguous alias: the candidate entities in listing order (alts[0] == id)
	exact   string  // case-kept folded text the original must fold to ("" = any case)
	// noImply: the alias does not spell out any entity its entity implies ("Ministry of the Interior and Safety",
	// "USFK"), so a mention through it is no mention of them.
	noImply bool
}

// ref is a name in a condition: an entity (any alias or demonym) or, when it is not a canonical name, a term.
type ref struct {
	entity int32 // -1 for a term
	term   int32
}

// termUse says that term tt of topic topic is a given term.
type termUse struct {
	topic, tt int32
}

// Rule ids are indexes into topic.rules, so that hits hold no pointers and sort cheaply.

type topicTerm struct {
	term   int32
	weight float64
	rule   int32
}

type topicPattern struct {
	re     *regexp.Regexp
	words  []literal // one of these must be in the folded field (see analyzeRegex); nil: always run
	width  int       // most code points a match spans; -1: unbounded (run over the whole field)
	prefix string    // what every match starts with in the original text (Regexp.LiteralPrefix), or ""
	weight float64
	rule   int32
}

type entityCond struct {
	refs   []ref
	min    int
	weight float64
	rule   int32
}

type nearRule struct {
	a, b   []ref
	within int32
	weight float64
	rule   int32
}

type unlessRule struct {
	refs   []ref
	within int32
}

type topic struct {
	label       string
	threshold   float64
	titleWeight float64
	terms       []topicTerm
	patterns    []topicPattern
	entities    []entityCond
	near        []nearRule
	unless      []unlessRule
	requires    []ref
	rel         relevance
	rules       []string // rule ids: "label/terms/<term>", "label/near/<i>", ...
}

// compiler holds the state of one Compile call.
type compiler struct {
	rs       *RuleSet
	patIndex map[string]int
	patterns []string
	litIdx   map[string]int32 // required word -> literal id, for the words the trie finds
	termIdx  map[string]int32
	byCanon  map[string]int32
	amb      []bool
	rel      relevance // the pack-wide relevance values
}

// Compile validates files as one pack and builds the matching structures: one automaton (a trie walked from every
// word start) over every folded alias, demonym and term, the topics' compiled conditions and regular expressions,
// and the lookup tables. If a file had Parse errors or the pack does not validate, it returns those errors as an
// ErrorList (use errors.As) and no RuleSet.
func Compile(files []*File, opts ...Option) (*RuleSet, error) {
	var cfg compileConfig
	for _, o := range opts {
		o(&cfg)
	}
	var errs ErrorList
	for _, f := range files {
		if f == nil {
			return nil, errors.New("rules: Compile: nil *File")
		}
		errs = append(errs, f.parseErrs...)
	}
	if errs = append(errs, Validate(files...)...); len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	rs := &RuleSet{lookup: map[string]int32{}, exactLk: map[string]int32{}, workPerByte: DefaultWorkPerByte}
	if cfg.workSet {
		rs.workPerByte = max(cfg.workPerByte, 0)
	}
	c := &compiler{rs: rs, patIndex: map[string]int{}, litIdx: map[string]int32{}, termIdx: map[string]int32{}, byCanon: map[string]int32{}}

	h := sha256.New()
	h.Write([]byte(cfg.salt))
	for _, f := range files {
		b, err := json.Marshal(f)
		if err != nil {
			return nil, err
		}
		h.Write(b)
		h.Write([]byte{0})
	}
	rs.version = "sha256:" + hex.EncodeToString(h.Sum(nil))[:12]

	var ents []*EntityRule
	for _, f := range files {
		for i := range f.Entities {
			ents = append(ents, &f.Entities[i])
		}
	}
	c.entities(ents)
	var pack RelevanceRule
	for _, f := range files {
		mergeRule(&pack, f.Relevance)
	}
	c.rel = defaultRelevance.merge(&pack)
	rs.cues = newCues(&pack)
	c.cueWords()
	for _, f := range files {
		for i := range f.Topics {
			c.topic(&f.Topics[i])
		}
		rs.discovery.add(&f.Discovery)
		for _, x := range f.Examples {
			rs.examples = append(rs.examples, newExample(x))
		}
	}
	rs.nTerms = len(c.termIdx)
	rs.uses = make([][]termUse, rs.nTerms)
	for ti, tp := range rs.topics {
		for k, tt := range tp.terms {
			rs.uses[tt.term] = append(rs.uses[tt.term], termUse{topic: int32(ti), tt: int32(k)})
		}
	}
	rs.trie = buildTrie(c.patterns)
	rs.pool.New = func() any { return new(matchState) }
	return rs, nil
}

// joinedName returns a PERSON alias with hyphens inside words removed ("Kim Jong-un" -> "Kim Jongun"), or "".
func joinedName(s string) string {
	if !strings.Contains(s, "-") {
		return ""
	}
	b := []byte(s)
	out := b[:0:0]
	for i, ch := range b {
		if ch == '-' && i > 0 && i+1 < len(b) && b[i-1] != ' ' && b[i+1] != ' ' {
			continue
		}
		out = append(out, ch)
	}
	return string(out)
}

func (c *compiler) entities(ents []*EntityRule) {
	rs := c.rs
	c.amb = make([]bool, len(ents))
	for i, e := range ents {
		rs.entities = append(rs.entities, &Entity{Canonical: e.Canonical.Value, Type: Type(e.Type.Value), ID: e.ID.Value})
		c.amb[i] = e.Ambiguous
		c.byCanon[Fold(e.Canonical.Value)] = int32(i)
	}
	rs.implies = make([][]int32, len(ents))
	rs.implied = make([]bool, len(ents))
	setLookup := func(k string, id int32) {
		if _, ok := rs.lookup[k]; !ok && k != "" {
			rs.lookup[k] = id
		}
	}
	for i := range ents {
		setLookup(Fold(ents[i].Canonical.Value), int32(i))
	}
	// spells reports whether the folded alias f of entity i holds, as whole words, a name or demonym of an entity
	// that i implies ("Russia's foreign ministry" spells Russia; "Ministry of the Interior and Safety" does not).
	spells := func(i int, f string) bool {
		for _, s := range ents[i].Implies {
			j, ok := c.byCanon[Fold(s.Value)]
			if !ok {
				continue
			}
			je := ents[j]
			for _, n := range slices.Concat([]Str{je.Canonical}, je.Aliases, je.Exact, je.Demonyms) {
				if fn := Fold(n.Value); fn != "" && strings.Contains(" "+f+" ", " "+fn+" ") {
					return true
				}
			}
		}
		return false
	}
	for i, e := range ents {
		id := int32(i)
		for _, s := range e.Implies {
			rs.implies[i] = append(rs.implies[i], c.byCanon[Fold(s.Value)])
			rs.implied[c.byCanon[Fold(s.Value)]] = true
		}
		for _, s := range e.Owners {
			if rs.owners == nil {
				rs.owners = make(map[string]int32)
			}
			f := Fold(s.Value)
			if _, dup := rs.owners[f]; !dup && f != "" {
				rs.owners[f] = id
				rs.maxOwner = max(rs.maxOwner, strings.Count(f, " ")+1)
			}
		}
		// A canonical name also listed under exact matches only in that letter case (Apple, not apple).
		names := e.Aliases
		if !slices.ContainsFunc(e.Exact, func(x Str) bool { return foldCase(x.Value) == foldCase(e.Canonical.Value) }) {
			names = append([]Str{e.Canonical}, e.Aliases...)
		}
		person := Type(e.Type.Value) == Person
		last := ""
		if person {
			cf := Fold(e.Canonical.Value)
			last = cf[strings.LastIndexByte(cf, ' ')+1:]
		}
		for _, a := range names {
			f := Fold(a.Value)
			if person {
				if sp := strings.IndexByte(f, ' '); sp > 0 {
					if rs.given == nil {
						rs.given = make([][]string, len(ents))
					}
					if !slices.Contains(rs.given[i], f[:sp]) {
						rs.given[i] = append(rs.given[i], f[:sp])
					}
				}
			}
			c.addTarget(f, target{kind: tEntity, id: id, surname: person && f == last && f != Fold(e.Canonical.Value),
				noImply: !spells(i, f)})
			setLookup(f, id)
			if Type(e.Type.Value) == Person {
				if e.Romanize == nil || *e.Romanize {
					rs.roman.add(f, id)
				}
				if j := Fold(joinedName(a.Value)); j != "" {
					c.addTarget(j, target{kind: tEntity, id: id})
					setLookup(j, id)
				}
			}
		}
		for _, d := range e.Demonyms {
			f := Fold(d.Value)
			c.addTarget(f, target{kind: tEntity, id: id, demonym: true, suffix: sufS})
			setLookup(f, id)
			setLookup(f+"s", id)
		}
		for _, x := range e.Exact {
			k := foldCase(x.Value)
			fx := Fold(x.Value)
			c.addTarget(fx, target{kind: tEntity, id: id, exact: k, surname: person && fx == last, noImply: !spells(i, fx)})
			if _, ok := rs.exactLk[k]; !ok {
				rs.exactLk[k] = id
			}
		}
	}
}

// term returns the index of a term, adding its automaton patterns the first time. text is the term as written
// (a trailing `*` makes it a prefix term); exact makes it case-sensitive.
func (c *compiler) term(text string, exact bool) int32 {
	key := text
	if exact {
		key = "\x00" + text
	} else {
		key = Fold(strings.TrimSuffix(text, "*"))
		if strings.HasSuffix(text, "*") {
			key += "*"
		}
	}
	if id, ok := c.termIdx[key]; ok {
		return id
	}
	id := int32(len(c.termIdx))
	c.termIdx[key] = id
	prefix := strings.HasSuffix(text, "*")
	stem := strings.TrimSuffix(text, "*")
	f := Fold(stem)
	t := target{kind: tTerm, id: id}
	if exact {
		t.exact = foldCase(stem)
	}
	if prefix {
		t.suffix = sufAny
		c.addTarget(f, t)
		return id
	}
	t.suffix = inflections(f)
	c.addTarget(f, t)
	if exact {
		return id
	}
	// Spelling changes before an ending: "denuclearize" -> "denuclearizing", "sanctuary" -> "sanctuaries",
	// "ship" -> "shipping".
	last := f[strings.LastIndexByte(f, ' ')+1:]
	n, l := len(f), len(last)
	switch {
	case l >= 4 && last[l-1] == 'e' && isConsonant(last[l-2]):
		c.addTarget(f[:n-1], target{kind: tTerm, id: id, suffix: sufING, stem: true})
	case l >= 3 && last[l-1] == 'y' && isConsonant(last[l-2]):
		c.addTarget(f[:n-1], target{kind: tTerm, id: id, suffix: sufIES | sufIED, stem: true})
	case l >= 3 && isConsonant(last[l-1]) && strings.IndexByte("wxy", last[l-1]) < 0 && isVowel(last[l-2]) &&
		isConsonant(last[l-3]):
		c.addTarget(f+last[l-1:], target{kind: tTerm, id: id, suffix: sufING | sufED, stem: true})
	}
	return id
}

// ref resolves a condition name: a canonical entity name (folded comparison) is that entity; anything else is a
// plain term.
func (c *compiler) ref(s string) ref {
	if !strings.HasSuffix(s, "*") {
		if id, ok := c.byCanon[Fold(s)]; ok {
			return ref{entity: id, term: -1}
		}
	}
	return ref{entity: -1, term: c.term(s, false)}
}

func (c *compiler) refs(l []Str) []ref {
	out := make([]ref, 0, len(l))
	for _, s := range l {
		out = append(out, c.ref(s.Value))
	}
	return out
}

func (c *compiler) topic(t *TopicRule) {
	label := t.Label.Value
	tp := topic{label: label, threshold: t.Threshold.Value, titleWeight: t.TitleWeight.Value, rel: c.rel.merge(t.Relevance)}
	rule := func(s string) int32 {
		tp.rules = append(tp.rules, label+"/"+s)
		return int32(len(tp.rules) - 1)
	}
	for _, x := range t.Terms {
		tp.terms = append(tp.terms, topicTerm{
			term: c.term(x.Term.Value, x.Case), weight: x.Weight.Value, rule: rule("terms/" + x.Term.Value),
		})
	}
	for i, x := range t.Patterns {
		req, width := analyzeRegex(x.Regex.Value)
		var words []literal
		for _, w := range req {
			words = append(words, c.literal(w))
		}
		re := regexp.MustCompile(x.Regex.Value)
		prefix, _ := re.LiteralPrefix()
		tp.patterns = append(tp.patterns, topicPattern{
			re: re, words: words, width: width, prefix: prefix, weight: x.Weight.Value,
			rule: rule("patterns/" + strconv.Itoa(i)),
		})
	}
	for i, x := range t.Entities {
		tp.entities = append(tp.entities, entityCond{
			refs: c.refs(x.Any), min: int(x.Min.Value), weight: x.Weight.Value, rule: rule("entities/" + strconv.Itoa(i)),
		})
	}
	for i, x := range t.Near {
		tp.near = append(tp.near, nearRule{
			a: c.refs(x.A), b: c.refs(x.B), within: int32(x.Within.Value), weight: x.Weight.Value,
			rule: rule("near/" + strconv.Itoa(i)),
		})
	}
	for _, x := range t.Unless {
		tp.unless = append(tp.unless, unlessRule{refs: c.refs(x.Terms), within: int32(x.Within.Value)})
	}
	if t.Requires != nil {
		tp.requires = c.refs(t.Requires.Any)
	}
	c.rs.topics = append(c.rs.topics, tp)
	c.rs.labels = append(c.rs.labels, label)
}
