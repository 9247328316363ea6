package rules

// wordTable maps words to class bits, read-only once built: an open-addressing hash table that classOf reads for
// every word of the relevance cue windows, where a map lookup (hashing a string, then probing groups) cost about
// three times as much.
type wordTable struct {
	keys []string // a power of two of them, at most a quarter used, so that a miss usually stops at once
	vals []uint16
}

func newWordTable(m map[string]uint16) wordTable {
	size := 16
	for size < 4*len(m) {
		size *= 2
	}
	t := wordTable{keys: make([]string, size), vals: make([]uint16, size)}
	for k, v := range m {
		if k == "" {
			continue // no word is empty
		}
		i := t.slot(k)
		t.keys[i], t.vals[i] = k, v
	}
	return t
}

// fnv32 is FNV-1a of w's bytes.
func fnv32(w []byte) uint32 {
	h := uint32(2166136261)
	for _, b := range w {
		h = (h ^ uint32(b)) * 16777619
	}
	return h
}

// slot returns the index of w's slot, or of the free slot where it would go.
func (t *wordTable) slot(w string) uint32 {
	mask := uint32(len(t.keys) - 1)
	i := fnv32([]byte(w)) & mask
	for t.keys[i] != "" && t.keys[i] != w {
		i = (i + 1) & mask
	}
	return i
}

// get returns the bits of w, 0 if it has none.
func (t *wordTable) get(w []byte) uint16 {
	if len(t.keys) == 0 {
		return 0
	}
	mask := uint32(len(t.keys) - 1)
	for i := fnv32(w) & mask; t.keys[i] != ""; i = (i + 1) & mask {
		if t.keys[i] == string(w) {
			return t.vals[i]
		}
	}
	return 0
}
