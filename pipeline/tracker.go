package pipeline

import (
	"slices"
	"sort"
	"sync"
)

// tracker keeps, per partition, the offsets fetched but not yet committable, in offset order. Records are
// acknowledged in any order; a partition's committable offset only advances over a contiguous run of
// acknowledged records, so a commit never skips a record whose output is not yet written.
//
// When the group rebalances (after a broker outage, say) a partition comes back from its committed offset, which
// may lie below records this instance has already written or still has in flight. add recognises those: their
// output is (or will be) acknowledged by the first fetch's job, so fetching them again produces nothing.
//
// When the group takes the partitions away (revokeAll, at the end of a consumer-group generation) their state is
// dropped: nothing of theirs is committable any more, and acknowledgements of records fetched before, which
// carry the old epoch, are ignored.
//
// All methods are safe for concurrent use.
type tracker struct {
	mu    sync.Mutex
	epoch int // incremented by revokeAll
	parts map[int]*partState
}

type partState struct {
	pending []pendingOffset // ascending offsets, fetched but not yet part of the committable prefix
	ready   int64           // highest offset whose predecessors (and itself) are all acknowledged, -1 if none
	commit  int64           // highest offset reported committed, -1 if none
}

type pendingOffset struct {
	offset int64
	done   bool
}

// ackToken identifies one tracked record for tracker.ack.
type ackToken struct {
	epoch     int
	partition int
	offset    int64
}

func newTracker() *tracker { return &tracker{parts: make(map[int]*partState)} }

// currentEpoch returns the epoch that fetchers started now pass to add.
func (t *tracker) currentEpoch() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.epoch
}

// add records an offset fetched in epoch and returns the token that acknowledges it. It reports false, and
// tracks nothing, for an offset fetched before whose output is written or still in flight (a fetch again after
// a rebalance), and for a fetch of an epoch that was revoked since: its partition may belong to another
// instance now.
func (t *tracker) add(epoch, partition int, offset int64) (ackToken, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if epoch != t.epoch {
		return ackToken{epoch: epoch, partition: partition, offset: offset}, false
	}
	ps := t.parts[partition]
	if ps == nil {
		ps = &partState{ready: -1, commit: -1}
		t.parts[partition] = ps
	}
	tok := ackToken{epoch: t.epoch, partition: partition, offset: offset}
	if offset <= ps.ready {
		return tok, false // written: the committed offset lagged behind
	}
	i := sort.Search(len(ps.pending), func(i int) bool { return ps.pending[i].offset >= offset })
	if i < len(ps.pending) && ps.pending[i].offset == offset {
		return tok, false
	}
	ps.pending = slices.Insert(ps.pending, i, pendingOffset{offset: offset})
	return tok, true
}

// ack marks the record of tok acknowledged (its output is written). It reports false for an unknown token, one
// acknowledged twice or one from before a revocation.
func (t *tracker) ack(tok ackToken) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	ps := t.parts[tok.partition]
	if ps == nil || tok.epoch != t.epoch {
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

// revokeAll drops every partition's state: after a revocation the instance commits nothing of them, and the
// acknowledgements still to come for their records are ignored. It returns how many records were pending.
func (t *tracker) revokeAll() int {
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
	t.epoch++
	t.parts = make(map[int]*partState)
	return n
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
