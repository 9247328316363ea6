package studio

import (
	"encoding/json"

	"github.com/tagpipe/tagpipe/internal/rulediff"
)

// shadowFeed keeps what a shadow run published (tagpipe run --shadow-rules): its last differences and the
// gained and lost counts per label and entity since the studio started. It is part of the live hub and
// shares its lock.
type shadowFeed struct {
	src    LiveSource
	recent []rulediff.Change
	counts map[string]rulediff.Count
	total  int
	subs   map[chan rulediff.Change]struct{}
}

func newShadowFeed(src LiveSource) *shadowFeed {
	return &shadowFeed{src: src, counts: map[string]rulediff.Count{}, subs: map[chan rulediff.Change]struct{}{}}
}

// addShadow decodes one shadow difference and hands it out; values that are not differences are skipped.
func (h *hub) addShadow(v []byte) {
	var c rulediff.Change
	if err := json.Unmarshal(v, &c); err != nil || c.ID == "" || c.Empty() {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	f := h.shadow
	f.total++
	for _, part := range []struct {
		xs  []string
		inc func(*rulediff.Count)
	}{{c.Gained, func(n *rulediff.Count) { n.Gained++ }}, {c.Lost, func(n *rulediff.Count) { n.Lost++ }}} {
		for _, x := range part.xs {
			n := f.counts[x]
			part.inc(&n)
			f.counts[x] = n
		}
	}
	f.recent = append(f.recent, c)
	if len(f.recent) > liveRecent {
		f.recent = f.recent[len(f.recent)-liveRecent:]
	}
	for ch := range f.subs {
		select {
		case ch <- c:
		default:
		}
	}
}

// matchChange applies the live view's filters to a difference: the label or entity must be gained or lost.
func matchChange(c rulediff.Change, label, entity string) bool {
	var labels, ents []string
	for _, x := range append(append([]string(nil), c.Gained...), c.Lost...) {
		if rulediff.IsEntity(x) {
			ents = append(ents, x)
		} else {
			labels = append(labels, x)
		}
	}
	return matchRecord(labels, ents, label, entity)
}
