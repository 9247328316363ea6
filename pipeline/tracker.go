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
// Ownership follows the consumer group: revoke (at the end of a generation) makes nothing committable and
// stops fetchers of the old generation from adding records (add checks their epoch); assign (at the start of
// the next) drops the state of the partitions that went elsewhere, pending offsets included, and keeps that of
// the partitions this instance owns again, so that records it has written or has in flight are not processed a
// second time. Acknowledgements need no epoch: an offset's output is written whichever fetch produced it.
//
// All methods are safe for concurrent use.
type tracker struct {
	mu    sync.Mutex
	epoch int          // incremented by revoke
	owned map[int]bool // partitions that may be committed; nil between revoke and assign
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

// newTracker returns a tracker that owns every partition until the first revoke (tests and the first
// generation's assign narrow it).
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
// acknowledged twice.
func (t *tracker) ack(tok ackToken) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	ps := t.parts[tok.partition]
	if ps == nil {
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
		if t.epoch > 0 && !t.owned[p] {
			continue // revoked, or not assigned in this generation
		}
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

// revoke ends the current ownership: nothing is committable until assign, and records fetched in the epoch
// ending now are no longer tracked.
func (t *tracker) revoke() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.epoch++
	t.owned = nil
}

// assign makes parts the owned partitions and drops the state of every other partition. It returns how many
// unacknowledged records of the dropped partitions were pending (their next owner processes them again).
func (t *tracker) assign(parts []int) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.owned = make(map[int]bool, len(parts))
	for _, p := range parts {
		t.owned[p] = true
	}
	if t.epoch == 0 {
		t.epoch = 1 // from now on only owned partitions are committable
	}
	n := 0
	for p, ps := range t.parts {
		if t.owned[p] {
			continue
		}
		for _, po := range ps.pending {
			if !po.done {
				n++
			}
		}
		delete(t.parts, p)
	}
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
