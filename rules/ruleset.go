package rules

import "sync"

// RuleSet is a compiled rule pack. It never changes once built; all its methods are safe for concurrent use by any
// number of goroutines. Build it with Compile, Load or Default.
type RuleSet struct {
	version  string
	entities []*Entity
	implies  [][]int32        // entity -> implied entities
	implied  []bool           // entity -> whether some entity implies it (a country that owns bodies)
	owners   map[string]int32 // folded owner phrase ("the north", "seoul") -> entity (see pickAlt)
	maxOwner int              // the longest owner phrase, in words
	roman    romanIndex       // romanization keys of Korean-shaped persons (romanize.go)
	given    [][]string       // PERSON entity -> folded first words of its multi-word names (see surnameConflict)

	lookup  map[string]int32 // folded canonical, alias, demonym (and plural), joined person name -> entity
	exactLk map[string]int32 // case-kept folded exact alias -> entity

	trie    *trie
	targets [][]target // trie pattern index -> what it means
	cueCls  []uint16   // trie pattern index -> its w* class bits as a relevance cue word (0: none; see scan)
	nTerms  int
	nLits   int         // distinct required words of the patterns that the trie finds (see literal)
	uses    [][]termUse // term -> the topic terms that use it

	topics    []topic
	cues      cues // the pack-wide relevance cue lists
	labels    []string
	discovery Discovery
	examples  []Example

	workPerByte int // MatchContext's budget per byte of input; 0: none

	pool sync.Pool // *matchState
}

// Version returns a content hash of the compiled pack ("sha256:" and 12 hex digits). Formatting and comments do not
// change it; any change to a rule does.
func (rs *RuleSet) Version() string { return rs.version }

// Labels returns the topic labels in pack order.
func (rs *RuleSet) Labels() []string { return append([]string(nil), rs.labels...) }

// Entities returns the gazetteer in pack order. The entities are shared: do not modify them.
func (rs *RuleSet) Entities() []*Entity { return append([]*Entity(nil), rs.entities...) }

// Lookup finds the entity a name refers to: a canonical name, alias, demonym (also with a plural s) or joined
// PERSON name, compared folded; failing that, an exact alias compared with its letter case. When names are shared
// (ambiguous entries) the first listed entity is returned.
func (rs *RuleSet) Lookup(name string) (*Entity, bool) {
	var buf [64]byte
	if n, ok := foldInto(buf[:], name); ok {
		if id, ok := rs.lookup[string(buf[:n])]; ok {
			return rs.entities[id], true
		}
		if id, ok := rs.exactLk[foldCase(name)]; ok {
			return rs.entities[id], true
		}
		if rs.roman.full != nil && maybeKorean(buf[:n]) {
			if id, ok := rs.lookupRoman(string(buf[:n])); ok {
				return rs.entities[id], true
			}
		}
		return nil, false
	} else if id, ok := rs.lookup[Fold(name)]; ok {
		return rs.entities[id], true
	}
	if id, ok := rs.exactLk[foldCase(name)]; ok {
		return rs.entities[id], true
	}
	if rs.roman.full != nil {
		if id, ok := rs.lookupRoman(Fold(name)); ok {
			return rs.entities[id], true
		}
	}
	return nil, false
}

// Discovery returns the merged `discovery` lists of the pack.
func (rs *RuleSet) Discovery() Discovery { return rs.discovery }

// Examples returns the pack's examples in pack order.
func (rs *RuleSet) Examples() []Example { return append([]Example(nil), rs.examples...) }
