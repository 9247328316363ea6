package rules

import (
	"bytes"
	"errors"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Parse decodes one rule file. name is used in positions only. The YAML is decoded into a yaml.Node tree and walked
// by hand so that every value keeps its line and column; unknown keys, wrong shapes and missing required fields are
// reported, all of them, and Parse returns the partial File it could build together with the sorted ErrorList.
// Parse never panics on any input.
func Parse(name string, src []byte) (f *File, errs ErrorList) {
	p := &parser{name: name, src: src}
	f = &File{Name: name, Pos: Position{File: name, Line: 1, Col: 1}}
	defer func() {
		// The YAML decoder has panicked on hostile input in the past; report that as a syntax error, never crash a loader.
		if r := recover(); r != nil {
			p.errs.addf(Position{File: name, Line: 1, Col: 1}, CodeYAMLSyntax, "cannot parse YAML: %v", r)
			errs = p.errs
			errs.Sort()
		}
		f.parseErrs = errs
	}()
	dec := yaml.NewDecoder(bytes.NewReader(src))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return f, nil // an empty file is a valid, empty pack file
		}
		p.yamlError(err)
		return f, p.errs
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		p.errs.Add(p.pos(&extra), CodeYAMLSyntax, "a rule file holds one YAML document; found a second one")
	} else if !errors.Is(err, io.EOF) {
		p.yamlError(err)
	}
	p.file(f, &doc)
	p.errs.Sort()
	return f, p.errs
}

type parser struct {
	name string
	src  []byte
	errs ErrorList
}

func (p *parser) pos(n *yaml.Node) Position {
	line, col := n.Line, n.Column
	if line < 1 {
		line = 1
	}
	if col < 1 {
		col = 1
	}
	return Position{File: p.name, Line: line, Col: col}
}

var yamlLineRx = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns a YAML decoder error ("yaml: line 3: did not find expected key") into positioned errors. The
// errors of go.yaml.in/yaml/v3 carry their line only in the text (every other position comes from yaml.Node) and
// no column, so the column is 1. Lines beyond the end of the file are clamped to the last line.
func (p *parser) yamlError(err error) {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	lines := bytes.Count(p.src, []byte("\n")) + 1
	for _, m := range msgs {
		line := 1
		if sm := yamlLineRx.FindStringSubmatch(m); sm != nil {
			line, _ = strconv.Atoi(sm[1])
			m = sm[2]
		} else {
			m = strings.TrimPrefix(m, "yaml: ")
		}
		line = max(1, min(line, lines))
		p.errs.Add(Position{File: p.name, Line: line, Col: 1}, CodeYAMLSyntax, m)
	}
}

// kindName names a node kind for messages.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return "a scalar"
	case yaml.AliasNode:
		return "an alias"
	}
	return "a document"
}

// resolve rejects YAML aliases (they are never needed in rule files and would let a small file expand without
// bound) and returns n otherwise.
func (p *parser) resolve(n *yaml.Node) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		p.errs.Add(p.pos(n), CodeBadValue, "YAML aliases (*name) are not supported in rule files")
		return nil
	}
	return n
}

// fields walks a mapping node: each key must be in handlers (else unknown_key), keys must not repeat. ctx names
// the mapping in messages.
func (p *parser) fields(n *yaml.Node, ctx string, handlers map[string]func(v *yaml.Node)) bool {
	if n = p.resolve(n); n == nil {
		return false
	}
	if n.Kind != yaml.MappingNode {
		p.errs.addf(p.pos(n), CodeBadValue, "%s must be a mapping, not %s", ctx, kindName(n))
		return false
	}
	seen := make(map[string]bool, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errs.addf(p.pos(k), CodeBadValue, "%s: keys must be plain words", ctx)
			continue
		}
		h, ok := handlers[k.Value]
		if !ok {
			p.errs.addf(p.pos(k), CodeUnknownKey, "unknown key %q in %s (want one of %s)", k.Value, ctx, keyList(handlers))
			continue
		}
		if seen[k.Value] {
			p.errs.addf(p.pos(k), CodeBadValue, "key %q repeated in %s", k.Value, ctx)
			continue
		}
		seen[k.Value] = true
		h(v)
	}
	return true
}

func keyList(m map[string]func(*yaml.Node)) string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return strings.Join(ks, ", ")
}

// str reads a scalar as text. Null and non-scalars are errors.
func (p *parser) str(n *yaml.Node, ctx string) Str {
	if n = p.resolve(n); n == nil {
		return Str{}
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errs.addf(p.pos(n), CodeBadValue, "%s must be a string, not %s", ctx, kindName(n))
		return Str{Pos: p.pos(n)}
	}
	return Str{Value: n.Value, Pos: p.pos(n)}
}

// strs reads a list of scalars.
func (p *parser) strs(n *yaml.Node, ctx string) []Str {
	if n = p.resolve(n); n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errs.addf(p.pos(n), CodeBadValue, "%s must be a list of strings, not %s", ctx, kindName(n))
		return nil
	}
	out := make([]Str, 0, len(n.Content))
	for _, c := range n.Content {
		s := p.str(c, ctx+" entry")
		if s.Value != "" {
			out = append(out, s)
		} else if c.Kind == yaml.ScalarNode && c.Tag != "!!null" {
			p.errs.addf(p.pos(c), CodeBadValue, "%s entry is empty", ctx)
		}
	}
	return out
}

func (p *parser) num(n *yaml.Node, ctx string) Number {
	if n = p.resolve(n); n == nil {
		return Number{Value: math.NaN()}
	}
	pos := p.pos(n)
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		p.errs.addf(pos, CodeBadValue, "%s must be a number, not %s", ctx, describe(n))
		return Number{Value: math.NaN(), Pos: pos}
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
	if err != nil {
		var iv int64
		if derr := n.Decode(&iv); derr != nil {
			p.errs.addf(pos, CodeBadValue, "%s: bad number %q", ctx, n.Value)
			return Number{Value: math.NaN(), Pos: pos}
		}
		v = float64(iv)
	}
	return Number{Value: v, Pos: pos}
}

func (p *parser) boolean(n *yaml.Node, ctx string) bool {
	if n = p.resolve(n); n == nil {
		return false
	}
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" {
		p.errs.addf(p.pos(n), CodeBadValue, "%s must be true or false, not %s", ctx, describe(n))
		return false
	}
	var b bool
	_ = n.Decode(&b) // the tag says it is a bool
	return b
}

// describe names a node for messages, quoting short scalars.
func describe(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "..."
		}
		return strconv.Quote(v)
	}
	return kindName(n)
}

// list walks a sequence node, calling f for each element.
func (p *parser) list(n *yaml.Node, ctx string, f func(i int, c *yaml.Node)) {
	if n = p.resolve(n); n == nil {
		return
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // `entities:` with nothing under it
	}
	if n.Kind != yaml.SequenceNode {
		p.errs.addf(p.pos(n), CodeBadValue, "%s must be a list, not %s", ctx, kindName(n))
		return
	}
	for i, c := range n.Content {
		if c = p.resolve(c); c != nil {
			f(i, c)
		}
	}
}

func (p *parser) required(present bool, n *yaml.Node, ctx, key string) {
	if !present {
		p.errs.addf(p.pos(n), CodeMissingField, "%s: missing required field %q", ctx, key)
	}
}

func (p *parser) file(f *File, doc *yaml.Node) {
	root := doc
	if root.Kind == yaml.DocumentNode {
		if len(root.Content) == 0 {
			return
		}
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return
	}
	f.Pos = p.pos(root)
	p.fields(root, "rule file", map[string]func(*yaml.Node){
		"entities": func(v *yaml.Node) {
			p.list(v, "entities", func(_ int, c *yaml.Node) { f.Entities = append(f.Entities, p.entity(c)) })
		},
		"topics": func(v *yaml.Node) {
			p.list(v, "topics", func(_ int, c *yaml.Node) { f.Topics = append(f.Topics, p.topic(c)) })
		},
		"discovery": func(v *yaml.Node) { p.discovery(&f.Discovery, v) },
		"relevance": func(v *yaml.Node) { f.Relevance = p.relevance(v, true) },
		"examples": func(v *yaml.Node) {
			p.list(v, "examples", func(_ int, c *yaml.Node) { f.Examples = append(f.Examples, p.example(c)) })
		},
	})
}

func (p *parser) entity(n *yaml.Node) EntityRule {
	e := EntityRule{Pos: p.pos(n)}
	var hasCanon, hasType bool
	ok := p.fields(n, "entity", map[string]func(*yaml.Node){
		"canonical": func(v *yaml.Node) { e.Canonical, hasCanon = p.str(v, "canonical"), true },
		"type":      func(v *yaml.Node) { e.Type, hasType = p.str(v, "type"), true },
		"id":        func(v *yaml.Node) { e.ID = p.str(v, "id") },
		"aliases":   func(v *yaml.Node) { e.Aliases = p.strs(v, "aliases") },
		"exact":     func(v *yaml.Node) { e.Exact = p.strs(v, "exact") },
		"demonyms":  func(v *yaml.Node) { e.Demonyms = p.strs(v, "demonyms") },
		"ambiguous": func(v *yaml.Node) { e.Ambiguous = p.boolean(v, "ambiguous") },
		"implies":   func(v *yaml.Node) { e.Implies = p.strs(v, "implies") },
		"owners":    func(v *yaml.Node) { e.Owners = p.strs(v, "owners") },
		"romanize": func(v *yaml.Node) {
			b := p.boolean(v, "romanize")
			e.Romanize = &b
		},
	})
	if ok {
		p.required(hasCanon, n, "entity", "canonical")
		p.required(hasType, n, "entity", "type")
	}
	return e
}

func (p *parser) topic(n *yaml.Node) TopicRule {
	t := TopicRule{Pos: p.pos(n), Threshold: Number{Value: 1, Pos: p.pos(n)}, TitleWeight: Number{Value: 2, Pos: p.pos(n)}}
	var hasLabel bool
	ok := p.fields(n, "topic", map[string]func(*yaml.Node){
		"label":        func(v *yaml.Node) { t.Label, hasLabel = p.str(v, "label"), true },
		"description":  func(v *yaml.Node) { t.Description = p.str(v, "description").Value },
		"threshold":    func(v *yaml.Node) { t.Threshold = p.num(v, "threshold") },
		"title_weight": func(v *yaml.Node) { t.TitleWeight = p.num(v, "title_weight") },
		"relevance":    func(v *yaml.Node) { t.Relevance = p.relevance(v, false) },
		"terms": func(v *yaml.Node) {
			p.list(v, "terms", func(_ int, c *yaml.Node) { t.Terms = append(t.Terms, p.term(c)) })
		},
		"patterns": func(v *yaml.Node) {
			p.list(v, "patterns", func(_ int, c *yaml.Node) { t.Patterns = append(t.Patterns, p.pattern(c)) })
		},
		"entities": func(v *yaml.Node) {
			p.list(v, "topic entities", func(_ int, c *yaml.Node) { t.Entities = append(t.Entities, p.entityCond(c)) })
		},
		"near": func(v *yaml.Node) {
			p.list(v, "near", func(_ int, c *yaml.Node) { t.Near = append(t.Near, p.near(c)) })
		},
		"unless": func(v *yaml.Node) {
			p.list(v, "unless", func(_ int, c *yaml.Node) { t.Unless = append(t.Unless, p.unless(c)) })
		},
		"requires": func(v *yaml.Node) {
			r := &Requires{Pos: p.pos(v)}
			var has bool
			if p.fields(v, "requires", map[string]func(*yaml.Node){
				"any": func(v *yaml.Node) { r.Any, has = p.strs(v, "requires.any"), true },
			}) {
				p.required(has, v, "requires", "any")
			}
			if has {
				t.Requires = r
			}
		},
	})
	if ok {
		p.required(hasLabel, n, "topic", "label")
	}
	return t
}

func (p *parser) term(n *yaml.Node) TermRule {
	t := TermRule{Pos: p.pos(n), Weight: Number{Value: 1, Pos: p.pos(n)}}
	if n.Kind == yaml.ScalarNode {
		t.Term = p.str(n, "term")
		return t
	}
	var has bool
	if p.fields(n, "term", map[string]func(*yaml.Node){
		"term":   func(v *yaml.Node) { t.Term, has = p.str(v, "term"), true },
		"weight": func(v *yaml.Node) { t.Weight = p.num(v, "weight") },
		"case":   func(v *yaml.Node) { t.Case = p.boolean(v, "case") },
	}) {
		p.required(has, n, "term", "term")
	}
	return t
}

func (p *parser) pattern(n *yaml.Node) PatternRule {
	r := PatternRule{Pos: p.pos(n), Weight: Number{Value: 1, Pos: p.pos(n)}}
	if n.Kind == yaml.ScalarNode {
		r.Regex = p.str(n, "pattern")
		return r
	}
	var has bool
	if p.fields(n, "pattern", map[string]func(*yaml.Node){
		"regex":  func(v *yaml.Node) { r.Regex, has = p.str(v, "regex"), true },
		"weight": func(v *yaml.Node) { r.Weight = p.num(v, "weight") },
	}) {
		p.required(has, n, "pattern", "regex")
	}
	return r
}

func (p *parser) entityCond(n *yaml.Node) EntityCond {
	c := EntityCond{Pos: p.pos(n), Min: Number{Value: 1, Pos: p.pos(n)}, Weight: Number{Value: 1, Pos: p.pos(n)}}
	var has bool
	if p.fields(n, "entity condition", map[string]func(*yaml.Node){
		"any":    func(v *yaml.Node) { c.Any, has = p.strs(v, "any"), true },
		"min":    func(v *yaml.Node) { c.Min = p.num(v, "min") },
		"weight": func(v *yaml.Node) { c.Weight = p.num(v, "weight") },
	}) {
		p.required(has, n, "entity condition", "any")
	}
	return c
}

func (p *parser) near(n *yaml.Node) NearRule {
	r := NearRule{Pos: p.pos(n), Within: Number{Value: 10, Pos: p.pos(n)}, Weight: Number{Value: 1, Pos: p.pos(n)}}
	var hasA, hasB bool
	if p.fields(n, "near", map[string]func(*yaml.Node){
		"a":      func(v *yaml.Node) { r.A, hasA = p.strs(v, "near.a"), true },
		"b":      func(v *yaml.Node) { r.B, hasB = p.strs(v, "near.b"), true },
		"within": func(v *yaml.Node) { r.Within = p.num(v, "within") },
		"weight": func(v *yaml.Node) { r.Weight = p.num(v, "weight") },
	}) {
		p.required(hasA, n, "near", "a")
		p.required(hasB, n, "near", "b")
	}
	return r
}

func (p *parser) unless(n *yaml.Node) UnlessRule {
	r := UnlessRule{Pos: p.pos(n), Within: Number{Value: 0, Pos: p.pos(n)}}
	var has bool
	if p.fields(n, "unless", map[string]func(*yaml.Node){
		"terms":  func(v *yaml.Node) { r.Terms, has = p.strs(v, "unless.terms"), true },
		"within": func(v *yaml.Node) { r.Within = p.num(v, "within") },
	}) {
		p.required(has, n, "unless", "terms")
	}
	return r
}

func (p *parser) discovery(d *DiscoveryRule, n *yaml.Node) {
	p.fields(n, "discovery", map[string]func(*yaml.Node){
		"titles":            func(v *yaml.Node) { d.Titles = p.strs(v, "titles") },
		"organization_cues": func(v *yaml.Node) { d.OrganizationCues = p.strs(v, "organization_cues") },
		"location_cues":     func(v *yaml.Node) { d.LocationCues = p.strs(v, "location_cues") },
		"person_cues":       func(v *yaml.Node) { d.PersonCues = p.strs(v, "person_cues") },
		"stopwords":         func(v *yaml.Node) { d.Stopwords = p.strs(v, "stopwords") },
		"ignore":            func(v *yaml.Node) { d.Ignore = p.strs(v, "ignore") },
	})
}

func (p *parser) example(n *yaml.Node) ExampleRule {
	x := ExampleRule{Pos: p.pos(n)}
	var hasName bool
	if p.fields(n, "example", map[string]func(*yaml.Node){
		"name":  func(v *yaml.Node) { x.Name, hasName = p.str(v, "name"), true },
		"title": func(v *yaml.Node) { x.Title = p.str(v, "title").Value },
		"body":  func(v *yaml.Node) { x.Body = p.str(v, "body").Value },
		"want":  func(v *yaml.Node) { x.Want = p.strs(v, "want") },
		"not":   func(v *yaml.Node) { x.Not = p.strs(v, "not") },
	}) {
		p.required(hasName, n, "example", "name")
	}
	return x
}
