package rules

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
)

// Position is a place in a rule file. Line and Col are 1-based; Col counts characters as go.yaml.in/yaml/v3 reports them. A
// zero Line means the position is unknown (for example an error about a whole pack).
type Position struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

// IsValid reports whether the position carries a line number.
func (p Position) IsValid() bool { return p.Line > 0 }

// String returns "file:line:col", "file:line", "file" or "-" depending on what is known, as go/token does.
func (p Position) String() string {
	s := p.File
	if p.IsValid() {
		if s != "" {
			s += ":"
		}
		s += strconv.Itoa(p.Line)
		if p.Col > 0 {
			s += ":" + strconv.Itoa(p.Col)
		}
	}
	if s == "" {
		s = "-"
	}
	return s
}

// Error codes: short, stable identifiers of what is wrong, for tools and --format=json.
const (
	CodeYAMLSyntax     = "yaml_syntax"     // the file is not valid YAML
	CodeUnknownKey     = "unknown_key"     // a mapping key the language does not define
	CodeMissingField   = "missing_field"   // a required field is absent or empty
	CodeBadValue       = "bad_value"       // a value has the wrong shape or is out of range
	CodeUnknownType    = "unknown_type"    // an entity type other than PERSON, LOCATION, ORGANIZATION
	CodeBadRegex       = "bad_regex"       // a pattern is not valid RE2
	CodeBadLabel       = "bad_label"       // a topic label that is not lower-case letters, digits and hyphens
	CodeDuplicateName  = "duplicate_name"  // two entities share a canonical name, or two topics a label
	CodeDuplicateAlias = "duplicate_alias" // the same alias names two entities that are not both ambiguous
	CodeUnknownLabel   = "unknown_label"   // an example refers to a label no topic defines
	CodeUnknownEntity  = "unknown_entity"  // `implies` names an entity the pack does not define
)

// Error is one problem found in a rule file, at a position.
type Error struct {
	Pos  Position `json:"pos"`
	Code string   `json:"code"`
	Msg  string   `json:"msg"`
}

// Error implements the error interface as "file:line:col: msg".
func (e *Error) Error() string {
	if e.Pos.File != "" || e.Pos.IsValid() {
		return e.Pos.String() + ": " + e.Msg
	}
	return e.Msg
}

// ErrorList is a list of *Error, as go/scanner's. The zero value is an empty list ready to use.
type ErrorList []*Error

// Add appends an error with the given position, code and message.
func (l *ErrorList) Add(pos Position, code, msg string) {
	*l = append(*l, &Error{Pos: pos, Code: code, Msg: msg})
}

// addf is Add with a format string.
func (l *ErrorList) addf(pos Position, code, format string, args ...any) {
	l.Add(pos, code, fmt.Sprintf(format, args...))
}

// Len returns the number of errors.
func (l ErrorList) Len() int { return len(l) }

// Sort sorts the list by file, line, column, then message, and removes exact duplicates.
func (l *ErrorList) Sort() {
	slices.SortStableFunc(*l, func(a, b *Error) int {
		return cmp.Or(
			cmp.Compare(a.Pos.File, b.Pos.File),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
			cmp.Compare(a.Msg, b.Msg),
		)
	})
	*l = slices.CompactFunc(*l, func(a, b *Error) bool { return *a == *b })
}

// Error implements the error interface: the first error and "(and N more errors)".
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0], len(l)-1)
}

// Unwrap returns the errors of the list, for errors.Is and errors.As to look into each *Error.
func (l ErrorList) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// Err returns nil for an empty list and the list itself (as an error) otherwise. Use errors.As to get the
// ErrorList back.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
