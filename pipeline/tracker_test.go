package pipeline

import (
	"maps"
	"sync"
	"testing"
)

func TestTrackerOrderedCommit(t *testing.T) {
	type ev struct {
		add bool // add (partition, offset) or ack it
		p   int
		off int64
	}
	add := func(p int, off int64) ev { return ev{add: true, p: p, off: off} }
	ack := func(p int, off int64) ev { return ev{p: p, off: off} }
	tests := []struct {
		name    string
		events  []ev
		want    map[int]int64 // committable after all events; nil means nothing
		pending int
	}{
		{"nothing acked", []ev{add(0, 0), add(0, 1)}, nil, 2},
		{"in order", []ev{add(0, 0), add(0, 1), ack(0, 0), ack(0, 1)}, map[int]int64{0: 1}, 0},
		{"gap holds the commit", []ev{add(0, 0), add(0, 1), add(0, 2), ack(0, 1), ack(0, 2)}, nil, 1},
		{"gap filled last", []ev{add(0, 0), add(0, 1), add(0, 2), ack(0, 2), ack(0, 1), ack(0, 0)}, map[int]int64{0: 2}, 0},
		{"prefix only", []ev{add(0, 5), add(0, 6), add(0, 7), add(0, 8), ack(0, 5), ack(0, 6), ack(0, 8)}, map[int]int64{0: 6}, 1},
		{"offsets with holes (compaction)", []ev{add(0, 3), add(0, 10), add(0, 11), ack(0, 10), ack(0, 3)}, map[int]int64{0: 10}, 1},
		{"partitions independent", []ev{add(0, 0), add(1, 0), add(1, 1), ack(1, 1), ack(1, 0)}, map[int]int64{1: 1}, 1},
		{"double ack ignored", []ev{add(0, 0), add(0, 1), ack(0, 1), ack(0, 1)}, nil, 1},
		{"ack of unknown offset ignored", []ev{add(0, 0), ack(0, 7), ack(3, 0)}, nil, 1},
		{"refetch after a rebalance is not tracked twice", []ev{add(0, 0), add(0, 1), add(0, 2), ack(0, 0), add(0, 0), add(0, 1), ack(0, 1)}, map[int]int64{0: 1}, 1},
		{"an unseen offset below the last is inserted in order", []ev{add(0, 0), add(0, 5), add(0, 3), ack(0, 0), ack(0, 3)}, map[int]int64{0: 3}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTracker()
			toks := map[[2]int64]ackToken{}
			for _, e := range tt.events {
				k := [2]int64{int64(e.p), e.off}
				if e.add {
					if tok, fresh := tr.add(0, e.p, e.off); fresh {
						toks[k] = tok
					}
					continue
				}
				tok, ok := toks[k]
				if !ok {
					tok = ackToken{partition: e.p, offset: e.off}
				}
				tr.ack(tok)
			}
			if got := tr.committable(); !maps.Equal(got, tt.want) {
				t.Errorf("committable = %v, want %v", got, tt.want)
			}
			if got := tr.pending(); got != tt.pending {
				t.Errorf("pending = %d, want %d", got, tt.pending)
			}
		})
	}
}

func TestTrackerRefetch(t *testing.T) {
	tests := []struct {
		name  string
		setup func(tr *tracker) // fetch 4..7 and acknowledge some
		part  int
		off   int64
		fresh bool
	}{
		{"written, below the acknowledged prefix", func(tr *tracker) {
			tr.ack(ackToken{partition: 0, offset: 4})
			tr.ack(ackToken{partition: 0, offset: 5})
		}, 0, 4, false},
		{"written, not yet committable", func(tr *tracker) { tr.ack(ackToken{partition: 0, offset: 6}) }, 0, 6, false},
		{"still in flight", func(*tracker) {}, 0, 5, false},
		{"beyond the last fetched", func(*tracker) {}, 0, 8, true},
		{"other partition", func(*tracker) {}, 1, 5, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTracker()
			for off := int64(4); off <= 7; off++ {
				if _, fresh := tr.add(0, 0, off); !fresh {
					t.Fatalf("first add of %d not fresh", off)
				}
			}
			tt.setup(tr)
			part := tt.part
			before := tr.pending()
			if _, fresh := tr.add(0, part, tt.off); fresh != tt.fresh {
				t.Fatalf("add(%d, %d) fresh = %v, want %v", part, tt.off, fresh, tt.fresh)
			}
			if !tt.fresh && tr.pending() != before {
				t.Errorf("a refetch changed pending from %d to %d", before, tr.pending())
			}
		})
	}
}

func TestTrackerCommittedHidesOffset(t *testing.T) {
	tr := newTracker()
	a, _ := tr.add(0, 2, 0)
	b, _ := tr.add(0, 2, 1)
	tr.ack(a)
	tr.committed(2, 0)
	if got := tr.committable(); got != nil {
		t.Fatalf("committable = %v after commit, want none", got)
	}
	tr.ack(b)
	if got, want := tr.committable(), map[int]int64{2: 1}; !maps.Equal(got, want) {
		t.Fatalf("committable = %v, want %v", got, want)
	}
}

func TestTrackerConcurrentAcks(t *testing.T) {
	tr := newTracker()
	const n = 2000
	toks := make([]ackToken, n)
	for i := range toks {
		toks[i], _ = tr.add(0, i%4, int64(i/4))
	}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := n - 1 - w; i >= 0; i -= 8 { // acknowledged backwards, out of order across goroutines
				tr.ack(toks[i])
			}
		})
	}
	wg.Wait()
	want := map[int]int64{0: n/4 - 1, 1: n/4 - 1, 2: n/4 - 1, 3: n/4 - 1}
	if got := tr.committable(); !maps.Equal(got, want) {
		t.Fatalf("committable = %v, want %v", got, want)
	}
}

func TestTrackerRevokeAndAssign(t *testing.T) {
	tr := newTracker()
	tr.assign([]int{0, 1, 2})
	e1 := tr.currentEpoch()
	t0, _ := tr.add(e1, 0, 10)
	t1, _ := tr.add(e1, 1, 20)
	t2, _ := tr.add(e1, 2, 30)
	tr.ack(t1)
	if got := tr.committable(); !maps.Equal(got, map[int]int64{1: 20}) {
		t.Fatalf("committable before revocation = %v", got)
	}
	tr.revoke()
	if got := tr.committable(); got != nil {
		t.Errorf("committable after revocation = %v, want nothing", got)
	}
	if _, ok := tr.add(e1, 0, 11); ok {
		t.Error("a fetch of the revoked epoch was tracked")
	}
	tr.ack(t2) // written while no generation owns anything: still nothing to commit
	if got := tr.committable(); got != nil {
		t.Errorf("committable between revocation and assignment = %v", got)
	}
	// The next generation gives partitions 0 and 2 back; 1 went elsewhere (its acknowledged offset is dropped).
	if n := tr.assign([]int{0, 2}); n != 0 {
		t.Errorf("assign dropped %d pending records, want 0 (partition 1 had none unacknowledged)", n)
	}
	if got := tr.committable(); !maps.Equal(got, map[int]int64{2: 30}) {
		t.Errorf("committable after assign = %v, want 2:30 (partition 1 is not ours)", got)
	}
	e2 := tr.currentEpoch()
	// Partition 0 comes back from its committed offset: the record still in flight is not processed twice, and
	// its acknowledgement from the old generation counts.
	if _, fresh := tr.add(e2, 0, 10); fresh {
		t.Error("record in flight across the rebalance fetched again as fresh")
	}
	if !tr.ack(t0) {
		t.Error("acknowledgement of a record fetched before the rebalance refused")
	}
	if got := tr.committable(); !maps.Equal(got, map[int]int64{0: 10, 2: 30}) {
		t.Errorf("committable = %v, want 0:10 2:30", got)
	}
	// A partition that went elsewhere with records in flight: they are counted as dropped.
	tr.add(e2, 2, 31)
	tr.revoke()
	if n := tr.assign([]int{0}); n != 1 {
		t.Errorf("assign dropped %d pending records, want 1", n)
	}
}
