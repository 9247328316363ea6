package rules

// File is one parsed rule file: the four top-level sections, with the position of every value. Parse fills
// defaults (threshold 1, title_weight 2, weight 1, min 1, near.within 10); Validate checks the values. A File is plain
// data: Compile reads it and never keeps it.
//
// Positions carry `json:"-"` so that the JSON encoding of a File, used for the rule set's Version, depends on the
// content only.
type File struct {
	Name      string         `json:"-"`
	Entities  []EntityRule   `json:"entities,omitempty"`
	Topics    []TopicRule    `json:"topics,omitempty"`
	Discovery DiscoveryRule  `json:"discovery"`
	Examples  []ExampleRule  `json:"examples,omitempty"`
	Relevance *RelevanceRule `json:"relevance,omitempty"` // pack-wide relevance defaults
	Pos       Position       `json:"-"`

	parseErrs ErrorList // what Parse reported; Compile refuses a file that did not parse cleanly
}

// Str is a string value with the position it was written at.
type Str struct {
	Value string   `json:"v"`
	Pos   Position `json:"-"`
}

// EntityRule is one gazetteer entry under `entities`.
type EntityRule struct {
	Canonical Str   `json:"canonical"`
	Type      Str   `json:"type"`
	ID        Str   `json:"id"`
	Aliases   []Str `json:"aliases,omitempty"`
	Exact     []Str `json:"exact,omitempty"`
	Demonyms  []Str `json:"demonyms,omitempty"`
	Implies   []Str `json:"implies,omitempty"`
	Ambiguous bool  `json:"ambiguous,omitempty"`
	// Owners are phrases that stand for this entity as the owner of a generically named body ("the North",
	// "Seoul" for North and South Korea): "Seoul's defence ministry" resolves to the candidate implying it.
	Owners []Str `json:"owners,omitempty"`
	// Romanize is the `romanize` key of a PERSON: nil (unset) romanizes a Korean-shaped name, false never does.
	Romanize *bool    `json:"romanize,omitempty"`
	Pos      Position `json:"-"`
}

// Number is a numeric value with its position.
type Number struct {
	Value float64  `json:"v"`
	Pos   Position `json:"-"`
}

// TopicRule is one label under `topics` with the evidence for it.
type TopicRule struct {
	Label       Str            `json:"label"`
	Description string         `json:"description,omitempty"`
	Threshold   Number         `json:"threshold"`
	TitleWeight Number         `json:"title_weight"`
	Terms       []TermRule     `json:"terms,omitempty"`
	Patterns    []PatternRule  `json:"patterns,omitempty"`
	Entities    []EntityCond   `json:"entities,omitempty"`
	Near        []NearRule     `json:"near,omitempty"`
	Unless      []UnlessRule   `json:"unless,omitempty"`
	Requires    *Requires      `json:"requires,omitempty"`
	Relevance   *RelevanceRule `json:"relevance,omitempty"` // overrides of the pack-wide relevance values
	Pos         Position       `json:"-"`
}

// TermRule is one entry of `terms`: a word or phrase, optionally ending in `*` (prefix), optionally case-sensitive.
type TermRule struct {
	Term   Str      `json:"term"`
	Weight Number   `json:"weight"`
	Case   bool     `json:"case,omitempty"`
	Pos    Position `json:"-"`
}

// PatternRule is one entry of `patterns`: an RE2 expression run over the original field text.
type PatternRule struct {
	Regex  Str      `json:"regex"`
	Weight Number   `json:"weight"`
	Pos    Position `json:"-"`
}

// EntityCond is one entry of a topic's `entities`: satisfied when the named entities (or terms) are mentioned at
// least Min times in title and body together, or at least once in the title.
type EntityCond struct {
	Any    []Str    `json:"any"`
	Min    Number   `json:"min"`
	Weight Number   `json:"weight"`
	Pos    Position `json:"-"`
}

// NearRule is one entry of `near`: an occurrence of A within Within words of an occurrence of B, in the same field.
type NearRule struct {
	A      []Str    `json:"a"`
	B      []Str    `json:"b"`
	Within Number   `json:"within"`
	Weight Number   `json:"weight"`
	Pos    Position `json:"-"`
}

// UnlessRule is one entry of `unless`: term, pattern and near hits within Within words of any of Terms (0: anywhere
// in the same field) are dropped.
type UnlessRule struct {
	Terms  []Str    `json:"terms"`
	Within Number   `json:"within"`
	Pos    Position `json:"-"`
}

// Requires is a topic's `requires`: the label is assigned only when one of Any is present in title or body.
type Requires struct {
	Any []Str    `json:"any"`
	Pos Position `json:"-"`
}

// DiscoveryRule holds the `discovery` lists of one file.
type DiscoveryRule struct {
	Titles           []Str `json:"titles,omitempty"`
	OrganizationCues []Str `json:"organization_cues,omitempty"`
	LocationCues     []Str `json:"location_cues,omitempty"`
	PersonCues       []Str `json:"person_cues,omitempty"`
	Stopwords        []Str `json:"stopwords,omitempty"`
	Ignore           []Str `json:"ignore,omitempty"`
}

// ExampleRule is one entry of `examples`.
type ExampleRule struct {
	Name  Str      `json:"name"`
	Title string   `json:"title,omitempty"`
	Body  string   `json:"body,omitempty"`
	Want  []Str    `json:"want,omitempty"`
	Not   []Str    `json:"not,omitempty"`
	Pos   Position `json:"-"`
}
