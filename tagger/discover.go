package tagger

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/tagpipe/tagpipe/rules"
)

// Entity discovery finds names no rule lists, from capitalization and context:
//
//  1. Both fields are tokenized (tokenize.go) and every token covered by a gazetteer mention is marked.
//  2. A run is a sequence of capitalized, uncovered words on one line, joined by single spaces, initials
//     (`John F. Kennedy`) and lower-case connectors (`of`, `the`, `for`, `and`, ...). After a connector a run may
//     take in a gazetteer mention (`Association of ... by North Korea`).
//  3. Titles from the pack split a run (`Security Council Secretary Sergei Shoigu` -> `Security Council`,
//     `Sergei Shoigu`); what stood before a title is kept only if a cue types it.
//  4. Stopwords, function words, and a sentence-initial word that the article also uses in lower case are
//     trimmed from the front.
//  5. A piece whose head (the words before its first connector) holds an organization or location cue is that
//     kind of entity; otherwise it is split at its connectors. A piece is looked up in the gazetteer (a title or
//     possessive form of a known name); a name before or after a vessel word is a ship and dropped; a piece
//     followed by a lower-case location cue (`Kursk region`) is a LOCATION; two or three name-like words (a Korean
//     surname with a hyphenated given name, or `First Last`) are a PERSON.
//  6. Single words are kept only as coreferences: a surname of a person named in full elsewhere in the article
//     (`Shoigu`, `Choi`), or the whole name of another discovered entity.
//
// Precision comes first: a piece that nothing types is dropped.

// Each step is O(n) in the field's length n (tokens and bytes) plus O(c log c) for the c candidates it finds:
// a run is at most maxRun tokens and every step inside it looks at a bounded window, list lookups are map
// lookups (hashing the word once), coreference sorts its references once and binary-searches them, and the
// merge with the gazetteer's mentions is one pass over both sorted lists. The code is cut by step:
// discover_segment.go (tokens, coverage, runs and their trimming), discover_classify.go (typing a piece),
// discover_coref.go (single words), discover_merge.go (the result). The state of one field is a fieldScan.

// A candidate is a discovered or resolved mention.
type candidate struct {
	fi           int // 0 title, 1 body
	rstart, rend int
	text         string
	canonical    string
	typ          string
	id           string
	source       string
	single       bool   // a single word waiting for coreference
	key          string // folded text, for singles
	weak         bool   // a `First Last` person without context, kept only if its surname recurs alone
	place        bool   // a single word in a place context (`in Uppsala`): a LOCATION unless it is a surname
}

// scratch holds per-call buffers, pooled.
type scratch struct {
	toks     [2][]token
	cov      [2][]int32
	init     [2][]bool
	lower    lowerSet
	cands    []candidate
	supp     []bool
	keybuf   []byte
	order    []int32
	refs     []ref
	surnames map[string]string
	lists    [2][]uint16   // per field and token, its discovery lists | listsKnown once looked up (see listsOf)
	words    [2][]wordBits // per field and token, the built-in lists that hold it | wordBitsKnown (see is)
	memo
}

// trim drops what a huge article left in the scratch, so the pool keeps small buffers and no article text.
func (sc *scratch) trim() {
	const maxTokens = 1 << 15
	for fi := range sc.toks {
		if cap(sc.toks[fi]) > maxTokens {
			sc.toks[fi], sc.cov[fi], sc.init[fi], sc.lists[fi], sc.words[fi] = nil, nil, nil, nil, nil
		}
	}
	sc.lower.release(maxTokens / 2) // its words are substrings of the article; a table for over maxTokens/4 words goes
	if cap(sc.cands) > maxTokens/4 {
		sc.cands, sc.order, sc.refs, sc.supp = nil, nil, nil, nil
	} else {
		clear(sc.cands[:cap(sc.cands)]) // candidates hold substrings of the article
		sc.cands = sc.cands[:0]
		clear(sc.refs[:cap(sc.refs)])
		sc.refs = sc.refs[:0]
	}
}

var scratchPool = sync.Pool{New: func() any {
	return &scratch{surnames: make(map[string]string, 64), memo: newMemo()}
}}

// discovery runs discovery on one document for one rule set: the state shared by both fields.
type discovery struct {
	ctx   context.Context
	rs    *rules.RuleSet
	d     rules.Discovery
	texts [2]string
	ms    []rules.Mention
	sc    *scratch
	prose []proseSpan // NERHybrid: prose's entities, merged by addProse
}

// A fieldScan is the state of discovery in one field: its text, tokens, their coverage by gazetteer mentions and
// sentence starts. Segmentation and classification are its methods; what they find goes to the shared
// candidates.
type fieldScan struct {
	discovery     // a copy: its fields are read-only, the shared results are in discovery.sc
	fi        int // 0 title, 1 body
	s         string
	toks      []token
	cov       []int32 // per token, the index of the covering gazetteer mention, or -1
	init      []bool  // per token, whether it starts a sentence
	titleCase bool    // a title-case headline: capitals say nothing
}

// ctxEvery is the number of tokens between two checks of the context in discovery.
const ctxEvery = 4096

// entities returns the article's entity mentions: the gazetteer's plus, when discover is set, the discovered
// ones, sorted by field (title first), start and longest first. It returns ctx's error, wrapped, if ctx is done
// before it finishes.
func entities(ctx context.Context, rs *rules.RuleSet, doc rules.Doc, ms []rules.Mention, discover bool) ([]Entity, error) {
	if !discover {
		out := make([]Entity, 0, len(ms))
		for _, m := range ms {
			out = append(out, gazEntity(m))
		}
		return out, nil
	}
	sc := scratchPool.Get().(*scratch)
	defer func() { sc.trim(); scratchPool.Put(sc) }()
	x := &discovery{ctx: ctx, rs: rs, d: rs.Discovery(), texts: [2]string{doc.Title, doc.Body}, ms: ms, sc: sc}
	return x.run()
}

func (x *discovery) run() ([]Entity, error) {
	sc := x.sc
	sc.cands = sc.cands[:0]
	sc.supp = slices.Grow(sc.supp[:0], len(x.ms))[:len(x.ms)]
	clear(sc.supp)
	for fi, s := range x.texts {
		sc.toks[fi] = tokenize(s, sc.toks[fi][:0])
	}
	sc.lower.reset(len(sc.toks[0]) + len(sc.toks[1]))
	for fi := range sc.lists {
		n := len(sc.toks[fi])
		sc.lists[fi] = slices.Grow(sc.lists[fi][:0], n)[:n]
		clear(sc.lists[fi])
		sc.words[fi] = slices.Grow(sc.words[fi][:0], n)[:n]
		clear(sc.words[fi])
	}
	for fi, s := range x.texts {
		sc.lower.addWords(s, sc.toks[fi])
	}
	if err := x.ctx.Err(); err != nil {
		return nil, fmt.Errorf("tagger: discovery: %w", err)
	}
	for fi, s := range x.texts {
		f := fieldScan{discovery: *x, fi: fi, s: s, toks: sc.toks[fi]}
		f.cov = f.coverage(sc.cov[fi][:0])
		sc.cov[fi] = f.cov
		f.init = sentenceStarts(s, f.toks, sc.init[fi][:0])
		sc.init[fi] = f.init
		if fi == 0 {
			switch headlineCase(f.toks) {
			case caseUpper:
				continue // an all-caps headline says nothing about names
			case caseTitle:
				f.titleCase = true
			}
		}
		if err := f.runs(); err != nil {
			return nil, err
		}
	}
	x.addProse() // hybrid mode only: x.prose is empty otherwise
	x.corefer()
	return x.merge(), nil
}
