package rules

import (
	"maps"
	"slices"
	"strings"
)

// trie is the one automaton Match runs: every folded alias, exact alias, demonym and term of the pack (and the
// relevance cue words), as a byte trie. Patterns only ever start at a word start, so the scan walks the trie from each word start of the folded
// text; that is an Aho-Corasick automaton anchored at word starts, which needs no failure links, builds in linear
// time and reports every pattern that starts at a word (overlapping ones included) in a single pass.
//
// Layout: nodes are stored so that the children of a node are the contiguous edges[first:first+n], sorted by byte.
// The root's children are also in a dense table. A node with more than denseMin children (the shallow nodes
// every walk passes through: a binary search over 20-30 edges there was a tenth of Tag's time) also has a dense
// row of children indexed by byte class: the bytes that occur on some edge get classes 1..C, every other byte
// class 0, whose entry is always -1.
type trie struct {
	root  [256]int32 // child of the root per byte, -1 if none
	class [256]uint8 // byte -> class (0: on no edge)
	nodes []trieNode
	edges []trieEdge
	dense []int32 // rows of stride classes; a node's row starts at its row field
}

// denseMin is the number of children above which a node gets a dense row (below it a linear scan is as fast).
const denseMin = 4

// A node's first child (the one for its smallest edge byte b0) is always the next node (build is depth first), so
// the walk follows it without reading the edges: along the letters of one alias that is the only child.
type trieNode struct {
	first int32  // first edge
	out   int32  // pattern index ending here, -1 if none
	row   int32  // start of the node's dense row in trie.dense, -1 if none
	n     uint16 // number of edges (at most 256)
	b0    byte   // the byte of edge first, whose child is this node's index + 1
}

type trieEdge struct {
	b     byte
	child int32
}

// buildTrie builds the trie of patterns (non-empty, no duplicates). Node outputs are indexes into patterns.
func buildTrie(patterns []string) *trie {
	t := &trie{}
	order := make([]int32, len(patterns))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		switch {
		case patterns[a] < patterns[b]:
			return -1
		case patterns[a] > patterns[b]:
			return 1
		}
		return 0
	})
	t.nodes = make([]trieNode, 0, len(patterns)*4)
	t.edges = make([]trieEdge, 0, len(patterns)*4)
	t.build(patterns, order, 0)
	for i := range t.root {
		t.root[i] = -1
	}
	r := t.nodes[0]
	for _, e := range t.edges[r.first : r.first+int32(r.n)] {
		t.root[e.b] = e.child
	}
	t.buildDense()
	return t
}

// buildDense assigns byte classes and gives the nodes with more than denseMin children their dense rows.
func (t *trie) buildDense() {
	stride := int32(1)
	for _, e := range t.edges {
		if t.class[e.b] == 0 {
			t.class[e.b] = uint8(stride)
			stride++
		}
	}
	for i := range t.nodes {
		nd := &t.nodes[i]
		nd.row = -1
		if nd.n <= denseMin {
			continue
		}
		nd.row = int32(len(t.dense))
		for range stride {
			t.dense = append(t.dense, -1)
		}
		for _, e := range t.edges[nd.first : nd.first+int32(nd.n)] {
			t.dense[nd.row+int32(t.class[e.b])] = e.child
		}
	}
}

// build adds the node for the sorted patterns ord, which share their first depth bytes, and returns its index.
func (t *trie) build(patterns []string, ord []int32, depth int) int32 {
	id := int32(len(t.nodes))
	t.nodes = append(t.nodes, trieNode{out: -1})
	if len(ord) > 0 && len(patterns[ord[0]]) == depth {
		t.nodes[id].out = ord[0]
		ord = ord[1:]
	}
	// Count the distinct next bytes, reserve the node's edges, then build the children.
	n := 0
	for i := 0; i < len(ord); i++ {
		if i == 0 || patterns[ord[i]][depth] != patterns[ord[i-1]][depth] {
			n++
		}
	}
	first := int32(len(t.edges))
	t.nodes[id].first, t.nodes[id].n = first, uint16(n)
	if n > 0 {
		t.nodes[id].b0 = patterns[ord[0]][depth]
	}
	for k := 0; k < n; k++ {
		t.edges = append(t.edges, trieEdge{})
	}
	k := first
	for i := 0; i < len(ord); {
		b := patterns[ord[i]][depth]
		j := i + 1
		for j < len(ord) && patterns[ord[j]][depth] == b {
			j++
		}
		child := t.build(patterns, ord[i:j], depth+1)
		t.edges[k] = trieEdge{b: b, child: child}
		k++
		i = j
	}
	return id
}

// step returns the child of node (whose trieNode is nd) for byte b, or -1.
func (t *trie) step(node int32, nd *trieNode, b byte) int32 {
	switch {
	case nd.row >= 0:
		return t.dense[nd.row+int32(t.class[b])]
	case nd.n == 0:
		return -1
	case b == nd.b0:
		return node + 1
	}
	for _, e := range t.edges[nd.first+1 : nd.first+int32(nd.n)] {
		if e.b == b {
			return e.child
		}
	}
	return -1
}

// The compiler's side of the trie: the patterns and what each means.

// literal returns the literal for the required word w. A word with a space has its part after the first space
// added to the trie (that part starts at a word start wherever w occurs), so that the scan finds its occurrences.
func (c *compiler) literal(w string) literal {
	l := newLiteral(w)
	sp := strings.IndexByte(w, ' ')
	if sp <= 0 || sp+1 >= len(w) || w[sp+1] == ' ' {
		return l // found by literal.index
	}
	id, ok := c.litIdx[w]
	if !ok {
		id = int32(len(c.litIdx))
		c.litIdx[w] = id
		c.addTarget(w[sp+1:], target{kind: tLiteral, id: id, exact: w[:sp+1]})
	}
	l.id, l.pre = id, sp+1
	c.rs.nLits = len(c.litIdx)
	return l
}

// pattern returns the index of the folded trie pattern key (not empty), adding it if it is new.
func (c *compiler) pattern(key string) int {
	i, ok := c.patIndex[key]
	if !ok {
		i = len(c.patterns)
		c.patIndex[key] = i
		c.patterns = append(c.patterns, key)
		c.rs.targets = append(c.rs.targets, nil)
		c.rs.cueCls = append(c.rs.cueCls, 0)
	}
	return i
}

// addTarget records that the folded pattern means t.
func (c *compiler) addTarget(key string, t target) {
	if key == "" {
		return
	}
	i := c.pattern(key)
	ts := c.rs.targets[i]
	for j := range ts {
		o := &ts[j]
		if o.kind != t.kind || o.suffix != t.suffix || o.exact != t.exact || o.demonym != t.demonym || o.stem != t.stem ||
			o.surname != t.surname {
			continue
		}
		if t.kind != tEntity && o.id == t.id {
			return
		}
		if t.kind == tEntity {
			if o.id == t.id || containsID(o.alts, t.id) {
				return
			}
			if c.amb[o.id] && c.amb[t.id] { // both ambiguous: one target, several candidates
				if len(o.alts) == 0 {
					o.alts = []int32{o.id}
				}
				o.alts = append(o.alts, t.id)
			}
			return // not ambiguous (a generated variant): the first listed entity keeps it
		}
	}
	c.rs.targets[i] = append(ts, t)
}

func containsID(l []int32, id int32) bool {
	for _, x := range l {
		if x == id {
			return true
		}
	}
	return false
}

// cueWords makes the relevance cue words (rs.cues.class) trie patterns, so that the scan finds their classes.
func (c *compiler) cueWords() {
	for _, w := range slices.Sorted(maps.Keys(c.rs.cues.class)) {
		if w != "" && !strings.Contains(w, " ") { // a cue of several words is no word of the text
			c.rs.cueCls[c.pattern(w)] = c.rs.cues.class[w]
		}
	}
}
