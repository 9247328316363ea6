package rules

import (
	"fmt"
	"slices"
	"strings"
)

// Example is one rule test from a pack's `examples`: a small article and the labels (and "TYPE:Canonical"
// entities) that must and must not come out of it.
type Example struct {
	Name  string   `json:"name"`
	Title string   `json:"title,omitempty"`
	Body  string   `json:"body,omitempty"`
	Want  []string `json:"want,omitempty"`
	Not   []string `json:"not,omitempty"`
	Pos   Position `json:"pos"`
}

func newExample(x ExampleRule) Example {
	e := Example{Name: x.Name.Value, Title: x.Title, Body: x.Body, Pos: x.Pos}
	for _, s := range x.Want {
		e.Want = append(e.Want, s.Value)
	}
	for _, s := range x.Not {
		e.Not = append(e.Not, s.Value)
	}
	return e
}

// ExampleFailure is an example whose output did not meet its `want` or `not` lists.
type ExampleFailure struct {
	Example    Example  `json:"example"`
	Missing    []string `json:"missing,omitempty"`    // wanted but absent
	Unexpected []string `json:"unexpected,omitempty"` // listed under `not` but present
}

// Error describes the failure as "file:line: example "name": missing [...]; unexpected [...]".
func (f ExampleFailure) Error() string {
	var parts []string
	if len(f.Missing) > 0 {
		parts = append(parts, "missing "+strings.Join(f.Missing, ", "))
	}
	if len(f.Unexpected) > 0 {
		parts = append(parts, "unexpected "+strings.Join(f.Unexpected, ", "))
	}
	return fmt.Sprintf("%s: example %q: %s", f.Example.Pos, f.Example.Name, strings.Join(parts, "; "))
}

// MatchFunc runs an article through a tagger and returns its labels and its entities written "TYPE:Canonical".
type MatchFunc func(Doc) (labels, entities []string)

// RunExamples runs every example of rs through match and returns the failures in pack order. With a nil match it
// uses rs.Match (labels from Topics, entities from Mentions). An entry of `want`/`not` written "TYPE:Name" is an
// entity, compared by type and folded name; anything else is a label.
func RunExamples(rs *RuleSet, match MatchFunc) []ExampleFailure {
	if match == nil {
		match = rs.matchNames
	}
	var out []ExampleFailure
	for _, x := range rs.examples {
		labels, ents := match(Doc{Title: x.Title, Body: x.Body})
		has := func(w string) bool {
			if typ, name, ok := strings.Cut(w, ":"); ok && isUpperWord(typ) {
				name = Fold(name)
				return slices.ContainsFunc(ents, func(e string) bool {
					et, en, _ := strings.Cut(e, ":")
					return et == typ && Fold(en) == name
				})
			}
			return slices.Contains(labels, w)
		}
		f := ExampleFailure{Example: x}
		for _, w := range x.Want {
			if !has(w) {
				f.Missing = append(f.Missing, w)
			}
		}
		for _, w := range x.Not {
			if has(w) {
				f.Unexpected = append(f.Unexpected, w)
			}
		}
		if len(f.Missing)+len(f.Unexpected) > 0 {
			out = append(out, f)
		}
	}
	return out
}

func (rs *RuleSet) matchNames(d Doc) (labels, entities []string) {
	r := rs.Match(d)
	for _, t := range r.Topics {
		labels = append(labels, t.Label)
	}
	for _, m := range r.Mentions {
		s := string(m.Entity.Type) + ":" + m.Entity.Canonical
		if !slices.Contains(entities, s) {
			entities = append(entities, s)
		}
	}
	return labels, entities
}
