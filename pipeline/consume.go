package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/tagpipe/tagpipe/kafkaio"
)

// groupState is the consumer-group generation whose partitions this instance owns, for the committer. kafka-go's
// Reader with a GroupID gives no revocation hook (it commits for whatever generation is current), so the
// pipeline consumes through kafka.ConsumerGroup: one Generation at a time, one partition reader per assigned
// partition started with Generation.Start, commits through Generation.CommitOffsets.
type groupState struct {
	mu  sync.Mutex        // held across a commit, so that a revocation waits for it and none follows
	gen *kafka.Generation // nil between a revocation and the next assignment

	observe func(groupEvent) // tests: called under mu for every assignment, commit and revocation
}

// groupEvent is one assignment, commit or revocation, for tests.
type groupEvent struct {
	kind       string // "assign", "commit" or "revoke"
	generation int32
	partitions []int // assigned or committed partitions
	pending    int   // assign: pending offsets dropped with the partitions that went elsewhere
}

func (g *groupState) event(ev groupEvent) {
	if g.observe != nil {
		g.observe(ev)
	}
}

// newGroup joins Config.Group for Config.In.
func (p *Pipeline) newGroup() (*kafka.ConsumerGroup, error) {
	log := p.log.With("component", "kafka-group")
	return kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID:                p.cfg.Group,
		Brokers:           p.cfg.Brokers,
		Dialer:            p.cl.Dialer(),
		Topics:            []string{p.cfg.In},
		HeartbeatInterval: time.Second,
		SessionTimeout:    10 * time.Second,
		RebalanceTimeout:  10 * time.Second,
		JoinGroupBackoff:  time.Second,
		StartOffset:       kafka.FirstOffset,
		Logger:            kafkaio.Logger(log, slog.LevelDebug),
		// A fetch on an idle topic ends in an i/o timeout now and then: routine, so logged at debug.
		ErrorLogger: limitedKafkaLogger(log, 5*time.Second, func(msg string) bool {
			return strings.Contains(msg, "i/o timeout")
		}),
	})
}

// consume follows the group's generations until ctx ends: for each, it starts one fetcher per assigned
// partition and a watcher that revokes the partitions when the generation ends (a rebalance). It leaves the
// last generation running, so that the final commit still belongs to it; the caller closes the group. When it
// returns no fetcher sends on jobs any more.
func (p *Pipeline) consume(ctx context.Context, group *kafka.ConsumerGroup, jobs chan<- *job) {
	var fetchers sync.WaitGroup
	defer fetchers.Wait()
	failures := 0
	for {
		gen, err := group.Next(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, kafka.ErrGroupClosed) {
				return
			}
			err = kafkaio.Access(kafkaio.OpRead, p.cfg.In, p.cfg.Group, err)
			if errors.Is(err, kafka.GroupAuthorizationFailed) {
				p.fail(fmt.Errorf("consumer group: %w", err))
				return
			}
			failures++
			d := retryBackoff.delay(failures)
			p.metrics.errors.WithLabelValues("fetch").Inc()
			p.log.Warn("joining the consumer group failed; retrying", "err", err, "backoff", d)
			if !sleep(ctx, d) {
				return
			}
			continue
		}
		failures = 0
		assigned := gen.Assignments[p.cfg.In]
		parts := make([]int, len(assigned))
		for i, a := range assigned {
			parts[i] = a.ID
		}
		p.group.mu.Lock()
		dropped := p.tracker.assign(parts) // the previous generation's revocation is done: Next waits for it
		epoch := p.tracker.currentEpoch()
		p.group.gen = gen
		p.group.event(groupEvent{kind: "assign", generation: gen.ID, partitions: parts, pending: dropped})
		p.group.mu.Unlock()
		p.log.Info("partitions assigned", "generation", gen.ID, "partitions", parts, "pending_dropped", dropped)
		gen.Start(func(genCtx context.Context) {
			<-genCtx.Done()
			p.revoke(gen)
		})
		for _, a := range assigned {
			fetchers.Add(1)
			gen.Start(func(genCtx context.Context) {
				fetchCtx, cancel := context.WithCancel(genCtx)
				defer cancel()
				stop := context.AfterFunc(ctx, cancel)
				defer stop()
				p.fetchPartition(fetchCtx, epoch, a.ID, a.Offset, jobs)
				fetchers.Done()
				// Returning ends the generation: on shutdown, keep it until the group closes, after the final
				// commit.
				<-genCtx.Done()
			})
		}
	}
}

// revoke ends gen's ownership: once any commit in progress is done, nothing more is committed for its
// partitions until the next assignment, which drops the pending offsets of those that went elsewhere (their
// records in flight are still written; the new owner processes them again from the committed offset).
func (p *Pipeline) revoke(gen *kafka.Generation) {
	p.group.mu.Lock()
	defer p.group.mu.Unlock()
	if p.group.gen == gen {
		p.group.gen = nil
	}
	p.tracker.revoke()
	p.group.event(groupEvent{kind: "revoke", generation: gen.ID})
	p.log.Info("partitions revoked", "generation", gen.ID)
}

// fetchPartition reads one partition from offset until ctx ends, tracking each record in epoch and handing it
// to the workers. It waits while MaxInFlight records are unacknowledged. A record fetched after the revocation
// of its epoch is dropped.
func (p *Pipeline) fetchPartition(ctx context.Context, epoch, partition int, offset int64, jobs chan<- *job) {
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:        p.cfg.Brokers,
		Topic:          p.cfg.In,
		Partition:      partition,
		Dialer:         p.cl.Dialer(),
		MinBytes:       1,
		MaxBytes:       10 << 20,
		MaxWait:        250 * time.Millisecond,
		QueueCapacity:  min(p.cfg.MaxInFlight, 1000),
		ReadBackoffMin: 50 * time.Millisecond,
		ReadBackoffMax: time.Second,
		MaxAttempts:    p.cfg.MaxAttempts,
		Logger:         kafkaio.Logger(p.log.With("component", "kafka-reader"), slog.LevelDebug),
		ErrorLogger: limitedKafkaLogger(p.log.With("component", "kafka-reader"), 5*time.Second, func(msg string) bool {
			return strings.Contains(msg, "i/o timeout")
		}),
	})
	defer r.Close()
	if err := r.SetOffset(offset); err != nil {
		p.log.Warn("set offset", "partition", partition, "offset", offset, "err", err)
		return
	}
	failures := 0
	for {
		select {
		case p.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		msg, err := r.FetchMessage(ctx)
		if err != nil {
			<-p.sem
			if ctx.Err() != nil {
				return
			}
			p.metrics.errors.WithLabelValues("fetch").Inc()
			err = kafkaio.Access(kafkaio.OpRead, p.cfg.In, p.cfg.Group, err)
			failures++
			backoff := retryBackoff.delay(failures)
			p.log.Warn("fetch failed; retrying", "partition", partition, "err", err, "backoff", backoff)
			if !sleep(ctx, backoff) {
				return
			}
			continue
		}
		failures = 0
		if msg.HighWaterMark > 0 {
			p.metrics.setLag(msg.Partition, max(0, msg.HighWaterMark-msg.Offset-1))
		}
		tok, fresh := p.tracker.add(epoch, msg.Partition, msg.Offset)
		if !fresh {
			// Fetched again from an older committed offset (its output is written or on its way), or fetched
			// after the revocation (the partition's next owner processes it).
			<-p.sem
			p.refetched.Add(1)
			p.log.Debug("skipping a record fetched again; its output is written or in flight", "topic", msg.Topic, "partition", msg.Partition, "offset", msg.Offset)
			continue
		}
		p.metrics.consumed.Inc()
		p.metrics.inFlight.Inc()
		jobs <- &job{msg: msg, tok: tok} // never blocks for long: workers always drain jobs
	}
}

// commit commits every owned partition's acknowledged prefix through the current generation. Between a
// revocation and the next assignment it commits nothing.
func (p *Pipeline) commit() error {
	p.group.mu.Lock()
	defer p.group.mu.Unlock()
	gen := p.group.gen
	if gen == nil {
		return nil
	}
	ready := p.tracker.committable()
	if len(ready) == 0 {
		return nil
	}
	offsets := make(map[int]int64, len(ready))
	for part, off := range ready {
		offsets[part] = off + 1 // Kafka stores the next offset to read
	}
	if err := gen.CommitOffsets(map[string]map[int]int64{p.cfg.In: offsets}); err != nil {
		p.metrics.errors.WithLabelValues("commit").Inc()
		return fmt.Errorf("commit generation %d: %w", gen.ID, err)
	}
	p.metrics.commits.Inc()
	parts := make([]int, 0, len(ready))
	for part, off := range ready {
		parts = append(parts, part)
		p.tracker.committed(part, off)
		p.log.Debug("committed", "topic", p.cfg.In, "partition", part, "offset", off, "generation", gen.ID)
	}
	p.group.event(groupEvent{kind: "commit", generation: gen.ID, partitions: parts})
	return nil
}
