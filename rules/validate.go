package rules

import (
	"math"
	"regexp"
	"strings"
)

// Type is an entity type.
type Type string

// The entity types of the taxonomy.
const (
	Person       Type = "PERSON"
	Location     Type = "LOCATION"
	Organization Type = "ORGANIZATION"
)

func validType(t string) bool {
	switch Type(t) {
	case Person, Location, Organization:
		return true
	}
	return false
}

var labelRx = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// Validate checks parsed files together, as one pack: values in range, RE2 patterns that compile, entity types,
// labels, duplicate canonical names and labels, aliases shared by two entities (allowed only when both say
// `ambiguous: true`), and examples that name labels no topic defines. Each error carries the position of the
// offending value. Names in `entities`, `near`, `unless` and `requires` that are not canonical entity names are
// plain terms, never errors (see docs/rule-language.md).
func Validate(files ...*File) ErrorList {
	v := &validator{
		canon:  map[string]aliasOwner{},
		alias:  map[string]aliasOwner{},
		exact:  map[string]aliasOwner{},
		labels: map[string]Position{},
	}
	for _, f := range files {
		if f == nil {
			continue
		}
		for i := range f.Entities {
			v.entity(&f.Entities[i])
		}
	}
	owners := map[string]string{} // folded owner phrase -> canonical name
	for _, f := range files {
		if f == nil {
			continue
		}
		for i := range f.Entities {
			e := &f.Entities[i]
			for _, s := range e.Owners {
				k := Fold(s.Value)
				if prev, dup := owners[k]; dup && prev != e.Canonical.Value {
					v.errs.addf(s.Pos, CodeDuplicateAlias, "owners: %q is already an owner phrase of %q", s.Value, prev)
				}
				owners[k] = e.Canonical.Value
				v.foldable(s, "owners entry")
			}
			if e.Romanize != nil && *e.Romanize && Type(e.Type.Value) != Person {
				v.errs.addf(e.Pos, CodeBadValue, "romanize: only PERSON entities are romanized, not %s", e.Type.Value)
			}
			for _, s := range e.Implies {
				switch owner, ok := v.canon[Fold(s.Value)]; {
				case !ok:
					v.errs.addf(s.Pos, CodeUnknownEntity, "implies: no entity has the canonical name %q", s.Value)
				case owner.canonical == e.Canonical.Value:
					v.errs.addf(s.Pos, CodeBadValue, "implies: entity %q cannot imply itself", s.Value)
				}
			}
		}
		v.relevance(f.Relevance)
		for i := range f.Topics {
			v.topic(&f.Topics[i])
			v.relevance(f.Topics[i].Relevance)
		}
		d := &f.Discovery
		for _, l := range [][]Str{d.Titles, d.OrganizationCues, d.LocationCues, d.PersonCues, d.Stopwords, d.Ignore} {
			for _, s := range l {
				v.foldable(s, "discovery entry")
			}
		}
	}
	for _, f := range files {
		if f == nil {
			continue
		}
		for i := range f.Examples {
			v.example(&f.Examples[i])
		}
	}
	v.errs.Sort()
	return v.errs
}

type aliasOwner struct {
	canonical string
	ambiguous bool
	pos       Position
}

type validator struct {
	errs   ErrorList
	canon  map[string]aliasOwner // folded canonical name -> entity
	alias  map[string]aliasOwner // folded alias, canonical or demonym -> entity
	exact  map[string]aliasOwner // case-kept folded exact alias -> entity
	labels map[string]Position
}

// foldable reports an error when s folds to nothing (only punctuation).
func (v *validator) foldable(s Str, what string) bool {
	if !s.Pos.IsValid() {
		return false // missing: the parser reported it
	}
	if Fold(s.Value) == "" {
		v.errs.addf(s.Pos, CodeBadValue, "%s %q has no letters or digits", what, s.Value)
		return false
	}
	return true
}

func (v *validator) entity(e *EntityRule) {
	if e.Canonical.Value == "" {
		if e.Canonical.Pos.IsValid() {
			v.errs.Add(e.Canonical.Pos, CodeMissingField, "entity: canonical name is empty")
		}
	}
	if e.Type.Value != "" && !validType(e.Type.Value) {
		v.errs.addf(e.Type.Pos, CodeUnknownType, "unknown entity type %q (want PERSON, LOCATION or ORGANIZATION)", e.Type.Value)
	}
	if e.Canonical.Value == "" || !v.foldable(e.Canonical, "canonical name") {
		return
	}
	key := Fold(e.Canonical.Value)
	me := aliasOwner{canonical: e.Canonical.Value, ambiguous: e.Ambiguous, pos: e.Canonical.Pos}
	seen := map[string]bool{}
	if prev, ok := v.canon[key]; ok {
		v.errs.addf(e.Canonical.Pos, CodeDuplicateName, "entity %q is already defined at %s", e.Canonical.Value, prev.pos)
		seen[key] = true // one error is enough
	} else {
		v.canon[key] = me
	}
	check := func(s Str, m map[string]aliasOwner, k string) {
		if seen[k] {
			return
		}
		seen[k] = true
		prev, ok := m[k]
		switch {
		case !ok:
			mm := me
			mm.pos = s.Pos
			m[k] = mm
		case prev.canonical == me.canonical:
		case !(prev.ambiguous && me.ambiguous):
			v.errs.addf(s.Pos, CodeDuplicateAlias, "alias %q of %q is already an alias of %q at %s (mark both entries `ambiguous: true` if both are meant)",
				s.Value, me.canonical, prev.canonical, prev.pos)
		}
	}
	check(e.Canonical, v.alias, key)
	for _, l := range [][]Str{e.Aliases, e.Demonyms} {
		for _, a := range l {
			if v.foldable(a, "alias") {
				check(a, v.alias, Fold(a.Value))
			}
		}
	}
	for _, a := range e.Exact {
		if v.foldable(a, "exact alias") {
			check(a, v.exact, "\x00"+foldCase(a.Value))
		}
	}
}

func (v *validator) positive(n Number, what string) {
	if math.IsNaN(n.Value) {
		return // not a number: the parser reported it
	}
	if !(n.Value > 0) || math.IsInf(n.Value, 0) {
		v.errs.addf(n.Pos, CodeBadValue, "%s must be a positive number, not %v", what, n.Value)
	}
}

func (v *validator) count(n Number, what string, least float64) {
	if math.IsNaN(n.Value) {
		return
	}
	if n.Value < least || n.Value != math.Trunc(n.Value) || n.Value > 1e6 {
		v.errs.addf(n.Pos, CodeBadValue, "%s must be a whole number >= %v, not %v", what, least, n.Value)
	}
}

// names checks a list of entity names or terms.
func (v *validator) names(l []Str, pos Position, what string) {
	if len(l) == 0 {
		v.errs.addf(pos, CodeMissingField, "%s: the list is empty", what)
	}
	for _, s := range l {
		v.termText(s, what+" entry")
	}
}

// termText checks a term: it must fold to something, and `*` may only end it.
func (v *validator) termText(s Str, what string) {
	if !s.Pos.IsValid() {
		return
	}
	t := strings.TrimSuffix(s.Value, "*")
	if strings.Contains(t, "*") {
		v.errs.addf(s.Pos, CodeBadValue, "%s %q: `*` is allowed only at the end", what, s.Value)
		return
	}
	v.foldable(Str{Value: t, Pos: s.Pos}, what)
}

func (v *validator) topic(t *TopicRule) {
	switch l := t.Label.Value; {
	case l == "":
		if t.Label.Pos.IsValid() {
			v.errs.Add(t.Label.Pos, CodeMissingField, "topic: label is empty")
		}
	case !labelRx.MatchString(l):
		v.errs.addf(t.Label.Pos, CodeBadLabel, "label %q must be lower-case letters, digits and single hyphens", l)
	default:
		if prev, ok := v.labels[l]; ok {
			v.errs.addf(t.Label.Pos, CodeDuplicateName, "label %q is already defined at %s", l, prev)
		} else {
			v.labels[l] = t.Label.Pos
		}
	}
	v.positive(t.Threshold, "threshold")
	v.positive(t.TitleWeight, "title_weight")
	if len(t.Terms)+len(t.Patterns)+len(t.Entities)+len(t.Near) == 0 {
		v.errs.addf(t.Pos, CodeMissingField, "topic %q has no evidence: give terms, patterns, entities or near", t.Label.Value)
	}
	for _, x := range t.Terms {
		v.termText(x.Term, "term")
		v.positive(x.Weight, "weight")
	}
	for _, x := range t.Patterns {
		if !x.Regex.Pos.IsValid() {
			// missing: the parser reported it
		} else if x.Regex.Value == "" {
			v.errs.Add(x.Regex.Pos, CodeMissingField, "pattern: regex is empty")
		} else if _, err := regexp.Compile(x.Regex.Value); err != nil {
			v.errs.addf(x.Regex.Pos, CodeBadRegex, "bad regex: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
		}
		v.positive(x.Weight, "weight")
	}
	for _, x := range t.Entities {
		v.names(x.Any, x.Pos, "entities.any")
		v.count(x.Min, "min", 1)
		v.positive(x.Weight, "weight")
	}
	for _, x := range t.Near {
		v.names(x.A, x.Pos, "near.a")
		v.names(x.B, x.Pos, "near.b")
		v.count(x.Within, "within", 0)
		v.positive(x.Weight, "weight")
	}
	for _, x := range t.Unless {
		v.names(x.Terms, x.Pos, "unless.terms")
		v.count(x.Within, "within", 0)
	}
	if t.Requires != nil {
		v.names(t.Requires.Any, t.Requires.Pos, "requires.any")
	}
}

func (v *validator) example(x *ExampleRule) {
	if x.Name.Value == "" && x.Name.Pos.IsValid() {
		v.errs.Add(x.Name.Pos, CodeMissingField, "example: name is empty")
	}
	for _, l := range [][]Str{x.Want, x.Not} {
		for _, s := range l {
			if typ, name, ok := strings.Cut(s.Value, ":"); ok && isUpperWord(typ) {
				switch {
				case !validType(typ):
					v.errs.addf(s.Pos, CodeUnknownType, "unknown entity type %q in %q (want PERSON, LOCATION or ORGANIZATION)", typ, s.Value)
				case strings.TrimSpace(name) == "":
					v.errs.addf(s.Pos, CodeBadValue, "entity %q has no name", s.Value)
				}
				continue
			}
			if _, ok := v.labels[s.Value]; !ok {
				v.errs.addf(s.Pos, CodeUnknownLabel, "label %q is not defined by any topic", s.Value)
			}
		}
	}
}

func isUpperWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
