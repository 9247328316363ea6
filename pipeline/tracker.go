package pipeline

import (
	"sort"
	"sync"
)

// tracker keeps, per partition, the offsets fetched but not yet committable, in fetch order. Records are
// acknowledged in any order; a partition's committable offset only advances over a contiguous run of
// acknowledged records, so a commit never skips a record whose output is not yet written.
//
// A fetch at or below an offset already tracked for the partition (the group rebalanced and the partition came
// back from its committed offset) starts a new epoch: acknowledgements of the old epoch are ignored.
//
// All methods are safe for concurrent use.
type tracker struct {
	mu    sync.Mutex
	parts map[int]*partState
}

type partState struct {
	epoch   uint64
	pending []pendingOffset // ascending offsets, fetched but not yet part of the committable prefix
	last    int64           // last offset added, -1 if none
	ready   int64           // highest offset whose predecessors (and itself) are all acknowledged, -1 if none
	commit  int64           // highest offset reported committed, -1 if none
}

type pendingOffset struct {
	offset int64
	done   bool
}

// ackToken identifies one tracked record for tracker.ack.
type ackToken struct {
	partition int
	offset    int64
	epoch     uint64
}

func newTracker() *tracker { return &tracker{parts: make(map[int]*partState)} }

// add records a fetched offset and returns the token that acknowledges it.
func (t *tracker) add(partition int, offset int64) ackToken {
	t.mu.Lock()
	defer t.mu.Unlock()
	ps := t.parts[partition]
	if ps == nil {
		ps = &partState{last: -1, ready: -1, commit: -1}
		t.parts[partition] = ps
	}
	if offset <= ps.last {
		// The partition restarted from an earlier offset: forget what the old epoch had pending.
		ps.epoch++
		ps.pending = nil
		ps.ready = -1
		ps.commit = -1
	}
	ps.last = offset
	ps.pending = append(ps.pending, pendingOffset{offset: offset})
	return ackToken{partition: partition, offset: offset, epoch: ps.epoch}
}

// ack marks the record of tok acknowledged (its output is written). It reports false for a token of an old
// epoch or one acknowledged twice.
func (t *tracker) ack(tok ackToken) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	ps := t.parts[tok.partition]
	if ps == nil || ps.epoch != tok.epoch {
		return false
	}
	i := sort.Search(len(ps.pending), func(i int) bool { return ps.pending[i].offset >= tok.offset })
	if i == len(ps.pending) || ps.pending[i].offset != tok.offset || ps.pending[i].done {
		return false
	}
	ps.pending[i].done = true
	n := 0
	for n < len(ps.pending) && ps.pending[n].done {
		n++
	}
	if n > 0 {
		ps.ready = ps.pending[n-1].offset
		ps.pending = ps.pending[n:]
		if len(ps.pending) == 0 {
			ps.pending = nil // let the backing array go
		}
	}
	return true
}

// committable returns, for each partition with acknowledged records not yet committed, the highest offset that
// may be committed (Kafka stores that offset + 1 as the next to read).
func (t *tracker) committable() map[int]int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out map[int]int64
	for p, ps := range t.parts {
		if ps.ready > ps.commit {
			if out == nil {
				out = make(map[int]int64)
			}
			out[p] = ps.ready
		}
	}
	return out
}

// committed records that offset was committed for partition.
func (t *tracker) committed(partition int, offset int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if ps := t.parts[partition]; ps != nil && offset > ps.commit && offset <= ps.ready {
		ps.commit = offset
	}
}

// pending returns the number of tracked records not yet acknowledged.
func (t *tracker) pending() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	for _, ps := range t.parts {
		for _, p := range ps.pending {
			if !p.done {
				n++
			}
		}
	}
	return n
}
