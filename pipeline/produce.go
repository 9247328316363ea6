package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/tagpipe/tagpipe/kafkaio"
)

// This file is the produce side: handing records to the asynchronous writers, their completion callback
// (acknowledging jobs to the tracker), and the resend loop of failed produces.

// write hands msgs to the asynchronous writers (dead letters to the DLQ writer); their Completion acknowledges
// the jobs. What fails before the records are queued (metadata lookups) is retried here with backoff: transient
// errors until ctx ends, output errors MaxAttempts times. The error names the topics.
func (p *Pipeline) write(ctx context.Context, msgs []kafka.Message) error {
	if err := p.ensureRouteTopics(ctx, msgs); err != nil {
		return err
	}
	var out, dead []kafka.Message
	for _, m := range msgs {
		if m.Topic == p.cfg.DLQ {
			dead = append(dead, m)
		} else {
			out = append(out, m)
		}
	}
	if err := p.writeTo(ctx, p.w, out); err != nil {
		return err
	}
	return p.writeTo(ctx, p.dlqW, dead)
}

func (p *Pipeline) writeTo(ctx context.Context, w *kafka.Writer, msgs []kafka.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	outputFailures := 0
	for round := 1; ; round++ {
		err := w.WriteMessages(ctx, msgs...)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		p.metrics.errors.WithLabelValues("produce").Inc()
		err = fmt.Errorf("produce to %s: %w", topicsOf(msgs), refusal(msgs, err))
		backoff := retryBackoff.delay(round)
		switch classify(err) {
		case errTooLarge:
			return err
		case errOutput:
			outputFailures++
			if outputFailures >= p.cfg.MaxAttempts {
				return fmt.Errorf("%w (%d attempts)", err, outputFailures)
			}
			p.log.Warn("produce failed; retrying", "err", err, "attempt", outputFailures, "max_attempts", p.cfg.MaxAttempts, "backoff", backoff)
		default:
			p.warnTransient(err, round, backoff)
		}
		if !sleep(ctx, backoff) {
			return ctx.Err()
		}
	}
}

// warnTransient logs a transient produce failure at warn, at most once per p.produceLog interval.
func (p *Pipeline) warnTransient(err error, round int, backoff time.Duration) {
	if ok, suppressed := p.produceLog.allow(time.Now()); ok {
		p.log.Warn("produce failed (brokers unreachable or busy); retrying until they are back", "err", err,
			"attempt", round, "backoff", backoff, "suppressed", suppressed)
		return
	}
	p.log.Debug("produce failed; retrying", "err", err, "attempt", round, "backoff", backoff)
}

// topicsOf names the topics of msgs, in order of appearance.
func topicsOf(msgs []kafka.Message) string {
	var ts []string
	for _, m := range msgs {
		if !slices.Contains(ts, m.Topic) {
			ts = append(ts, m.Topic)
		}
	}
	return strings.Join(ts, ",")
}

// refusal returns err of a produce of msgs as a *kafkaio.AccessError naming the topic (of the first message that
// failed) and the missing Write when the broker refused it, else err unchanged.
func refusal(msgs []kafka.Message, err error) error {
	topic, first := msgs[0].Topic, err
	var we kafka.WriteErrors
	if errors.As(err, &we) {
		for i, e := range we {
			if e != nil && i < len(msgs) {
				topic, first = msgs[i].Topic, e
				break
			}
		}
	}
	if aerr := kafkaio.Access(kafkaio.OpWrite, topic, "", first); kafkaio.IsAccess(aerr) {
		return aerr
	}
	return err
}

// resend sends again the records whose produce failed, after a backoff, until ctx ends.
func (p *Pipeline) resend(ctx context.Context) {
	for {
		select {
		case <-p.retry.wake:
		case <-ctx.Done():
			return
		}
		msgs, backoff := p.retry.take()
		if len(msgs) == 0 {
			continue
		}
		if !sleep(ctx, backoff) {
			return
		}
		if err := p.write(ctx, msgs); err != nil && ctx.Err() == nil {
			p.fail(err)
			return
		}
	}
}

// ensureRouteTopics creates the per-label route topics on first use when CreateTopics is set.
func (p *Pipeline) ensureRouteTopics(ctx context.Context, msgs []kafka.Message) error {
	if !p.cfg.CreateTopics || p.cfg.RoutePrefix == "" || len(msgs) < 2 {
		return nil
	}
	p.routeMu.Lock()
	defer p.routeMu.Unlock()
	var missing []string
	for _, m := range msgs[1:] {
		if !p.routeKnown[m.Topic] {
			missing = append(missing, m.Topic)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if err := p.cl.CreateTopics(ctx, p.cfg.Partitions, p.cfg.ReplicationFactor, missing...); err != nil {
		return err
	}
	// The writer shares p.cl's transport, whose metadata cache refreshes itself for the topics this call created;
	// for topics another instance created, the writer's AllowAutoTopicCreation makes it ask the broker.
	for _, t := range missing {
		p.routeKnown[t] = true
	}
	return nil
}

// completion is the writers' callback: it acknowledges a job once all its records are written, and queues the
// records of a failed write for resend, or stops the instance when the output is unusable.
func (p *Pipeline) completion(msgs []kafka.Message, err error) {
	if err != nil {
		p.failedWrite(msgs, err)
		return
	}
	p.retry.succeeded()
	for _, m := range msgs {
		s, ok := m.WriterData.(*send)
		if !ok {
			continue
		}
		j := s.j
		if j.remaining.Add(-1) != 0 {
			continue
		}
		p.tracker.ack(j.tok)
		p.acked.Add(1)
		if j.dead.code != 0 {
			p.metrics.deadLettered.WithLabelValues(j.dead.code.String()).Inc()
		} else {
			p.metrics.tagged.Inc()
		}
		p.metrics.inFlight.Dec()
		<-p.sem
	}
}

// failedWrite handles msgs whose produce failed with err: transient errors are retried until the brokers are
// back, output errors MaxAttempts times; a dead letter the broker finds too large is sent again smaller.
func (p *Pipeline) failedWrite(msgs []kafka.Message, err error) {
	p.metrics.errors.WithLabelValues("produce").Inc()
	if p.err() != nil {
		return // stopping: nothing more is written
	}
	class := classify(err)
	again := make([]kafka.Message, 0, len(msgs))
	for _, m := range msgs {
		s, ok := m.WriterData.(*send)
		if !ok {
			continue
		}
		j := s.j
		ferr := fmt.Errorf("produce to %s (record from %s/%d@%d): %w", m.Topic, j.msg.Topic, j.msg.Partition, j.msg.Offset,
			refusal([]kafka.Message{m}, err))
		switch class {
		case errTooLarge:
			if m.Topic != p.cfg.DLQ {
				p.fail(fmt.Errorf("%w: the topic's max.message.bytes is below --max-message-bytes %d", ferr, p.cfg.MaxMessageBytes))
				return
			}
			// The DLQ topic's limit is below what Run read at start: halve the dead letter until it fits.
			m = deadLetter(p.cfg.DLQ, j.msg, j.dead.text, messageSize(m)/2)
			m.WriterData = s
		case errOutput:
			s.attempts++
			if s.attempts >= p.cfg.MaxAttempts {
				p.fail(fmt.Errorf("%w (%d attempts)", ferr, s.attempts))
				return
			}
			p.log.Warn("produce failed; retrying", "err", ferr, "attempt", s.attempts, "max_attempts", p.cfg.MaxAttempts)
		default:
			if ok, suppressed := p.produceLog.allow(time.Now()); ok {
				p.log.Warn("produce failed (brokers unreachable or busy); retrying until they are back", "err", ferr,
					"records", len(msgs), "suppressed", suppressed)
			}
			again = append(again, msgs...)
			p.retry.push(again...)
			return
		}
		again = append(again, m)
	}
	p.retry.push(again...)
}

// closeWriters closes ws, waiting at most d; it reports whether they closed in time.
func closeWriters(d time.Duration, ws ...*kafka.Writer) bool {
	done := make(chan struct{})
	go func() {
		defer close(done)
		var wg sync.WaitGroup
		for _, w := range ws {
			wg.Go(func() { _ = w.Close() }) // an async Writer's Close returns nil; failures went to Completion
		}
		wg.Wait()
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
