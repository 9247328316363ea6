package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"
)

// output is what a processor makes of one input record.
type output struct {
	key          []byte   // the article id
	value        []byte   // the JSON record
	labels       []string // topic labels, for routing
	rulesVersion string
}

// processor turns one input value into an output record. An error dead-letters the record with the error's
// text as the reason. maxValue is the largest value the output may have; process trims or fails beyond it.
// Implementations must be safe for concurrent use.
type processor interface {
	process(ctx context.Context, value []byte, maxValue int) (output, error)
}

// headerOverhead is what the record framing and tagpipe's headers may add to a record's key and value.
const headerOverhead = 1024

// job is one fetched record on its way through the workers and the writer.
type job struct {
	msg       kafka.Message
	tok       ackToken
	remaining atomic.Int32 // produced records not yet acknowledged
	dlqReason string       // set when the record was dead-lettered
}

// Pipeline consumes raw articles from a consumer group, tags them with a worker pool and produces tagged records
// (and dead letters), committing each partition's offsets only up to the last record whose output was
// acknowledged, in order.
//
// Create it with New and start it with Run; a Pipeline runs once.
type Pipeline struct {
	cfg     Config
	log     *slog.Logger
	proc    processor
	metrics *Metrics
	tracker *tracker
	reload  reloader // nil unless the tagger supports hot reload

	acceptArticles bool
	httpReady      chan string // receives the HTTP address once listening, if non-nil

	ready atomic.Bool
	acked atomic.Int64 // records whose output or dead letter was acknowledged

	fatalMu   sync.Mutex
	fatalErr  error // the first persistent failure
	stopFetch context.CancelFunc

	cl         *cluster // set by Run
	sem        chan struct{}
	routeMu    sync.Mutex
	routeKnown map[string]bool
}

// Run runs the pipeline until ctx is canceled (a clean shutdown: stop fetching, drain in-flight work, flush the
// producer, commit, return nil within Config.ShutdownTimeout) or a persistent failure: unreachable brokers or
// rejected credentials at start, or a produce that still fails after Config.MaxAttempts, in which case Run commits
// only what was acknowledged before and returns the error. Bad input never stops it: it is dead-lettered.
func (p *Pipeline) Run(ctx context.Context) error {
	cfg := p.cfg
	cl, err := newCluster(cfg.Conn)
	if err != nil {
		return err
	}
	defer cl.close()
	p.cl = cl

	checkCtx, cancel := context.WithTimeout(ctx, cfg.DialTimeout+5*time.Second)
	err = cl.check(checkCtx)
	cancel()
	if err != nil {
		return err
	}
	if cfg.CreateTopics {
		topics := []string{cfg.In, cfg.Out, cfg.DLQ}
		if cfg.RulesTopic != "" {
			topics = append(topics, cfg.RulesTopic)
		}
		if err := cl.createTopics(ctx, cfg.Partitions, cfg.ReplicationFactor, topics...); err != nil {
			return err
		}
	}
	for _, t := range []string{cfg.In, cfg.Out, cfg.DLQ} {
		if _, err := cl.partitions(ctx, t); err != nil {
			return fmt.Errorf("%w (create it, or run with --create-topics)", err)
		}
	}

	rc := kafka.ReaderConfig{
		Brokers:           cfg.Brokers,
		GroupID:           cfg.Group,
		Topic:             cfg.In,
		Dialer:            cl.dialer,
		MinBytes:          1,
		MaxBytes:          10 << 20,
		MaxWait:           250 * time.Millisecond,
		QueueCapacity:     min(cfg.MaxInFlight, 1000),
		StartOffset:       kafka.FirstOffset,
		HeartbeatInterval: time.Second,
		SessionTimeout:    10 * time.Second,
		RebalanceTimeout:  10 * time.Second,
		JoinGroupBackoff:  time.Second,
		ReadBackoffMin:    50 * time.Millisecond,
		ReadBackoffMax:    time.Second,
		MaxAttempts:       cfg.MaxAttempts,
		// CommitInterval 0: CommitMessages is synchronous; the committer below decides when.
		Logger:      kafkaLogger(p.log.With("component", "kafka-reader"), slog.LevelDebug),
		ErrorLogger: kafkaLogger(p.log.With("component", "kafka-reader"), slog.LevelWarn),
	}
	if err := rc.Validate(); err != nil { // kafka.NewReader panics on an invalid config
		return fmt.Errorf("reader config: %w", err)
	}
	reader := kafka.NewReader(rc)
	writer := &kafka.Writer{
		Addr:            kafka.TCP(cfg.Brokers...),
		Transport:       cl.transport,
		Balancer:        &kafka.Murmur2Balancer{}, // same key -> partition mapping as the Java client
		MaxAttempts:     cfg.MaxAttempts,
		WriteBackoffMin: 100 * time.Millisecond,
		WriteBackoffMax: 2 * time.Second,
		BatchSize:       cfg.BatchSize,
		BatchBytes:      int64(cfg.MaxMessageBytes),
		BatchTimeout:    cfg.BatchTimeout,
		RequiredAcks:    kafka.RequireAll,
		Async:           true,
		Completion:      p.completion,
		// With CreateTopics, unknown (route) topics are looked up at once rather than after the metadata TTL.
		AllowAutoTopicCreation: cfg.CreateTopics,
		Logger:                 kafkaLogger(p.log.With("component", "kafka-writer"), slog.LevelDebug),
		ErrorLogger:            kafkaLogger(p.log.With("component", "kafka-writer"), slog.LevelWarn),
	}

	fetchCtx, stopFetch := context.WithCancel(ctx)
	defer stopFetch()
	p.fatalMu.Lock()
	p.stopFetch = stopFetch
	p.fatalMu.Unlock()
	workCtx, stopWork := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWork()

	var bg sync.WaitGroup
	defer bg.Wait()
	bgCtx, stopBG := context.WithCancel(ctx)
	defer stopBG()
	if cfg.HTTP != "" {
		srv, err := p.newHTTPServer(cl)
		if err != nil {
			return err
		}
		bg.Go(func() { srv.run(bgCtx) })
	}
	if p.reload != nil && cfg.RulesTopic != "" {
		bg.Go(func() { p.watchRules(bgCtx, cl) })
	}

	jobs := make(chan *job, cfg.Workers)
	var workers sync.WaitGroup
	for range cfg.Workers {
		workers.Go(func() {
			for j := range jobs {
				p.handle(workCtx, writer, j)
			}
		})
	}
	commitStop := make(chan struct{})
	commitDone := make(chan struct{})
	go func() {
		defer close(commitDone)
		t := time.NewTicker(cfg.CommitInterval)
		defer t.Stop()
		for {
			select {
			case <-commitStop:
				return
			case <-t.C:
				if err := p.commit(workCtx, reader); err != nil && workCtx.Err() == nil {
					p.log.Warn("commit failed; retrying at the next interval", "err", err)
				}
			}
		}
	}()

	p.ready.Store(true)
	p.log.Info("pipeline running", "in", cfg.In, "out", cfg.Out, "dlq", cfg.DLQ, "group", cfg.Group,
		"workers", cfg.Workers, "conn", cfg.Conn)
	p.fetch(fetchCtx, reader, jobs)
	close(jobs)
	p.ready.Store(false)

	// Drain: finish the fetched records, flush the writer, commit what was acknowledged.
	p.log.Info("draining", "in_flight", p.tracker.pending())
	drainCtx, cancelDrain := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancelDrain()
	flushed := make(chan error, 1)
	go func() {
		workers.Wait()
		flushed <- writer.Close() // waits for every pending write and its Completion
	}()
	var drainErr error
	select {
	case err := <-flushed:
		if err != nil {
			p.fail(fmt.Errorf("flush producer: %w", err))
		}
	case <-drainCtx.Done():
		stopWork()
		drainErr = fmt.Errorf("shutdown timeout %s: %d records not acknowledged; they will be processed again", cfg.ShutdownTimeout, p.tracker.pending())
	}
	close(commitStop)
	<-commitDone
	if err := p.commit(drainCtx, reader); err != nil {
		drainErr = errors.Join(drainErr, fmt.Errorf("final commit: %w", err))
	}
	if err := reader.Close(); err != nil {
		p.log.Warn("closing reader", "err", err)
	}
	stopBG()
	if err := p.err(); err != nil {
		return errors.Join(err, drainErr)
	}
	if drainErr != nil {
		return drainErr
	}
	p.log.Info("pipeline stopped cleanly")
	return nil
}

// fail records the first persistent failure and stops fetching.
func (p *Pipeline) fail(err error) {
	p.fatalMu.Lock()
	defer p.fatalMu.Unlock()
	if p.fatalErr != nil {
		return
	}
	p.fatalErr = err
	p.log.Error("stopping: persistent failure", "err", err)
	if p.stopFetch != nil {
		p.stopFetch()
	}
}

// err returns the first persistent failure, or nil.
func (p *Pipeline) err() error {
	p.fatalMu.Lock()
	defer p.fatalMu.Unlock()
	return p.fatalErr
}

// fetch reads records until ctx ends, tracking each and handing it to the workers. It waits while MaxInFlight
// records are unacknowledged.
func (p *Pipeline) fetch(ctx context.Context, reader *kafka.Reader, jobs chan<- *job) {
	backoff := 100 * time.Millisecond
	for {
		select {
		case p.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		msg, err := reader.FetchMessage(ctx)
		if err != nil {
			<-p.sem
			if ctx.Err() != nil {
				return
			}
			p.metrics.errors.WithLabelValues("fetch").Inc()
			p.log.Warn("fetch failed; retrying", "err", err, "backoff", backoff)
			select {
			case <-time.After(backoff):
			case <-ctx.Done():
				return
			}
			backoff = min(2*backoff, 5*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		p.metrics.consumed.Inc()
		p.metrics.inFlight.Inc()
		if msg.HighWaterMark > 0 {
			p.metrics.setLag(msg.Partition, max(0, msg.HighWaterMark-msg.Offset-1))
		}
		j := &job{msg: msg, tok: p.tracker.add(msg.Partition, msg.Offset)}
		jobs <- j // never blocks for long: workers always drain jobs
	}
}

// handle tags one record and hands its output (or its dead letter) to the writer.
func (p *Pipeline) handle(ctx context.Context, w *kafka.Writer, j *job) {
	msgs := p.build(ctx, j)
	err := p.write(ctx, w, j, msgs)
	var tooLarge kafka.MessageTooLargeError
	if errors.As(err, &tooLarge) && j.dlqReason == "" {
		// The size check in build is an estimate; the writer has the last word.
		j.dlqReason = fmt.Sprintf("%s: %d bytes, max %d", ReasonTooLarge, len(msgs[0].Value), p.cfg.MaxMessageBytes)
		err = p.write(ctx, w, j, []kafka.Message{deadLetter(p.cfg.DLQ, j.msg, j.dlqReason)})
	}
	if err != nil {
		p.metrics.errors.WithLabelValues("produce").Inc()
		p.fail(fmt.Errorf("produce record from %s/%d@%d: %w", j.msg.Topic, j.msg.Partition, j.msg.Offset, err))
	}
}

// build returns the records to produce for j: the tagged record and its route copies, or one dead letter.
func (p *Pipeline) build(ctx context.Context, j *job) []kafka.Message {
	src := j.msg
	dead := func(reason string) []kafka.Message {
		j.dlqReason = reason
		p.log.Debug("dead-lettering record", "topic", src.Topic, "partition", src.Partition, "offset", src.Offset, "reason", reason)
		return []kafka.Message{deadLetter(p.cfg.DLQ, src, reason)}
	}
	if len(src.Value) == 0 {
		return dead(ReasonEmpty)
	}
	start := time.Now()
	out, err := p.proc.process(ctx, src.Value, p.cfg.MaxMessageBytes-headerOverhead)
	p.metrics.tagLatency.Observe(time.Since(start).Seconds())
	if err != nil {
		return dead(err.Error())
	}
	if len(out.key)+len(out.value)+headerOverhead > p.cfg.MaxMessageBytes {
		return dead(fmt.Sprintf("%s: %d bytes, max %d", ReasonTooLarge, len(out.key)+len(out.value), p.cfg.MaxMessageBytes))
	}
	headers := []kafka.Header{
		{Key: HeaderContentType, Value: []byte("application/json")},
		{Key: HeaderRulesVersion, Value: []byte(out.rulesVersion)},
	}
	msgs := []kafka.Message{{Topic: p.cfg.Out, Key: out.key, Value: out.value, Headers: headers}}
	if p.cfg.RoutePrefix != "" {
		for _, l := range out.labels {
			topic := p.cfg.RoutePrefix + l
			if validTopic(topic) != nil {
				continue
			}
			msgs = append(msgs, kafka.Message{Topic: topic, Key: out.key, Value: out.value, Headers: headers})
		}
	}
	return msgs
}

// write hands msgs to the asynchronous writer; their Completion acknowledges j. It retries what fails before the
// records are queued (metadata lookups) with backoff, MaxAttempts times.
func (p *Pipeline) write(ctx context.Context, w *kafka.Writer, j *job, msgs []kafka.Message) error {
	if err := p.ensureRouteTopics(ctx, msgs); err != nil {
		return err
	}
	for i := range msgs {
		msgs[i].WriterData = j
	}
	j.remaining.Store(int32(len(msgs)))
	backoff := 100 * time.Millisecond
	var err error
	for attempt := 1; attempt <= p.cfg.MaxAttempts; attempt++ {
		if err = w.WriteMessages(ctx, msgs...); err == nil {
			return nil
		}
		var tooLarge kafka.MessageTooLargeError
		if errors.As(err, &tooLarge) || ctx.Err() != nil {
			return err
		}
		p.log.Warn("produce failed; retrying", "err", err, "attempt", attempt, "backoff", backoff)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return ctx.Err()
		}
		backoff = min(2*backoff, 5*time.Second)
	}
	return err
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
	if err := p.cl.createTopics(ctx, p.cfg.Partitions, p.cfg.ReplicationFactor, missing...); err != nil {
		return err
	}
	// The writer shares p.cl's transport, whose metadata cache refreshes itself for the topics this call created;
	// for topics another instance created, the writer's AllowAutoTopicCreation makes it ask the broker.
	for _, t := range missing {
		p.routeKnown[t] = true
	}
	return nil
}

// completion is the writer's callback: it acknowledges a job once all its records are written.
func (p *Pipeline) completion(msgs []kafka.Message, err error) {
	for _, m := range msgs {
		j, ok := m.WriterData.(*job)
		if !ok {
			continue
		}
		if err != nil {
			p.metrics.errors.WithLabelValues("produce").Inc()
			p.fail(fmt.Errorf("produce to %s (record from %s/%d@%d): %w", m.Topic, j.msg.Topic, j.msg.Partition, j.msg.Offset, err))
			continue
		}
		if j.remaining.Add(-1) != 0 {
			continue
		}
		p.tracker.ack(j.tok)
		p.acked.Add(1)
		if j.dlqReason != "" {
			p.metrics.deadLettered.WithLabelValues(reasonClass(j.dlqReason)).Inc()
		} else {
			p.metrics.tagged.Inc()
		}
		p.metrics.inFlight.Dec()
		<-p.sem
	}
}

// commit commits every partition's acknowledged prefix.
func (p *Pipeline) commit(ctx context.Context, reader *kafka.Reader) error {
	ready := p.tracker.committable()
	if len(ready) == 0 {
		return nil
	}
	msgs := make([]kafka.Message, 0, len(ready))
	for part, off := range ready {
		msgs = append(msgs, kafka.Message{Topic: p.cfg.In, Partition: part, Offset: off})
	}
	if err := reader.CommitMessages(ctx, msgs...); err != nil {
		p.metrics.errors.WithLabelValues("commit").Inc()
		return err
	}
	p.metrics.commits.Inc()
	for part, off := range ready {
		p.tracker.committed(part, off)
		p.log.Debug("committed", "topic", p.cfg.In, "partition", part, "offset", off)
	}
	return nil
}
