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

	"github.com/tagpipe/tagpipe/kafkaio"
)

// output is what a processor makes of one input record.
type output struct {
	key          []byte   // the article id
	value        []byte   // the JSON record
	labels       []string // topic labels, for routing
	rulesVersion string
	shadow       []byte // the shadow run's rulediff.Change; nil when it found no difference
}

// processor turns one input value into an output record. An error dead-letters the record with the error's
// text as the reason, and its code (a *reasonError's, else CodeTag) as the metric label. maxValue is the
// largest value the output may have; process trims or fails beyond it.
// Implementations must be safe for concurrent use.
type processor interface {
	process(ctx context.Context, key, value []byte, maxValue int) (output, error)
}

// headerOverhead is what the record framing and tagpipe's headers may add to a record's key and value.
const headerOverhead = 1024

const (
	// dlqFraming is kept free under the DLQ topic's max.message.bytes for the record batch framing.
	dlqFraming = 4096
	// dlqBatchSize bounds a batch of dead letters, so that their framing stays within dlqFraming.
	dlqBatchSize = 100
	// closeTimeout bounds closing the writers after a persistent failure: what they still hold cannot be written.
	closeTimeout = 2 * time.Second
)

// job is one fetched record on its way through the workers and the writer.
type job struct {
	msg       kafka.Message
	tok       ackToken
	remaining atomic.Int32 // produced records not yet acknowledged
	dead      deadReason   // set when the record was dead-lettered
}

// send is the WriterData of one produced record: its job and how often producing it failed with an output
// error (errOutput), which Config.MaxAttempts bounds.
type send struct {
	j        *job
	attempts int
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
	reload  RulesSwapper // nil unless the tagger supports hot reload
	shadow  *shadowRun   // nil without a shadow run (WithShadow)

	recordFormat []byte // the tagpipe-record header: Config.Record

	acceptArticles bool
	httpReady      chan string // receives the HTTP address once listening, if non-nil

	ready     atomic.Bool  // set with setReady
	acked     atomic.Int64 // records whose output or dead letter was acknowledged
	refetched atomic.Int64 // records fetched again after a rebalance and skipped

	fatalMu   sync.Mutex
	fatalErr  error // the first persistent failure
	stopFetch context.CancelFunc
	group     groupState

	cl         *kafkaio.Cluster // set by Run
	w          *kafka.Writer    // tagged records and route copies; set by Run
	dlqW       *kafka.Writer    // dead letters; set by Run
	failCh     chan struct{}    // closed by fail
	dlqMax     int              // largest dead letter (key, value and headers) the DLQ writer takes; set by Run
	sem        chan struct{}
	retry      retryQueue
	produceLog logLimiter // rate-limits the warnings of transient produce failures
	routeMu    sync.Mutex
	routeKnown map[string]bool
}

// Run runs the pipeline until ctx is canceled (a clean shutdown: stop fetching, drain in-flight work, flush the
// producer, commit, return nil within Config.ShutdownTimeout) or a persistent failure: unreachable brokers or
// rejected credentials at start, or an output that is unusable (topic missing or not writable) after
// Config.MaxAttempts produce attempts, in which case Run stops at once, commits only what was acknowledged before
// and returns the error. Brokers that become unreachable are waited for (produces retried with backoff) until ctx
// ends. Bad input never stops it: it is dead-lettered, its value truncated if the DLQ topic cannot take it whole.
func (p *Pipeline) Run(ctx context.Context) error {
	cfg := p.cfg
	cl, err := kafkaio.NewCluster(cfg.Conn)
	if err != nil {
		return err
	}
	defer cl.Close()
	p.cl = cl
	p.fatalMu.Lock()
	p.failCh = make(chan struct{})
	p.fatalMu.Unlock()
	p.retry = newRetryQueue()
	p.produceLog.every = 5 * time.Second

	checkCtx, cancel := context.WithTimeout(ctx, cfg.DialTimeout+5*time.Second)
	err = cl.Check(checkCtx)
	cancel()
	if err != nil {
		return err
	}
	if cfg.CreateTopics {
		topics := []string{cfg.In, cfg.Out, cfg.DLQ}
		if cfg.RulesTopic != "" {
			topics = append(topics, cfg.RulesTopic)
		}
		if err := cl.CreateTopics(ctx, cfg.Partitions, cfg.ReplicationFactor, topics...); err != nil {
			return err
		}
	}
	for _, t := range []string{cfg.In, cfg.Out, cfg.DLQ} {
		if _, err := cl.Partitions(ctx, t); err != nil {
			return fmt.Errorf("%w (create it, or run with --create-topics)", err)
		}
	}
	if err := p.prepareShadow(ctx, cl); err != nil {
		return err
	}
	// A dead letter carries the original record, which may be larger than --max-message-bytes yet within what the
	// DLQ topic accepts; only beyond that is its value truncated.
	dlqLimit := cfg.MaxMessageBytes
	if n, err := cl.MaxMessageBytes(ctx, cfg.DLQ); err != nil {
		p.log.Info("cannot read the DLQ topic's max.message.bytes; dead letters are limited to --max-message-bytes", "topic", cfg.DLQ, "err", err)
	} else {
		dlqLimit = max(n, cfg.MaxMessageBytes)
	}
	p.dlqMax = dlqLimit - dlqFraming

	codec, _ := compressionCodec(cfg.Compression) // checked by Validate
	newWriter := func(batchSize, batchBytes int) *kafka.Writer {
		return &kafka.Writer{
			Addr:      kafka.TCP(cfg.Brokers...),
			Transport: cl.Transport(),
			Balancer:  &kafka.Murmur2Balancer{}, // same key -> partition mapping as the Java client
			// One attempt per batch: the pipeline retries failed records itself (completion, resend), transient
			// errors until the brokers are back and output errors MaxAttempts times, and Close never waits for
			// kafka-go's own retries.
			MaxAttempts:  1,
			BatchSize:    batchSize,
			BatchBytes:   int64(batchBytes),
			BatchTimeout: cfg.BatchTimeout,
			RequiredAcks: kafka.RequireAll,
			Compression:  codec,
			Async:        true,
			Completion:   p.completion,
			// With CreateTopics, unknown (route) topics are looked up at once rather than after the metadata TTL.
			AllowAutoTopicCreation: cfg.CreateTopics,
			Logger:                 kafkaio.Logger(p.log.With("component", "kafka-writer"), slog.LevelDebug),
			ErrorLogger:            limitedKafkaLogger(p.log.With("component", "kafka-writer"), 5*time.Second, nil),
		}
	}
	p.w = newWriter(cfg.BatchSize, cfg.MaxMessageBytes)
	// Dead letters get their own writer: their limit is the DLQ topic's, and their batches are kept small so that
	// the record framing cannot take a batch of them over it.
	p.dlqW = newWriter(min(cfg.BatchSize, dlqBatchSize), p.dlqMax)

	group, err := p.newGroup()
	if err != nil {
		return fmt.Errorf("consumer group: %w", err)
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
	p.watchFiles(bgCtx, &bg)

	jobs := make(chan *job, cfg.Workers)
	var workers sync.WaitGroup
	for range cfg.Workers {
		workers.Go(func() {
			for j := range jobs {
				p.handle(workCtx, j)
			}
		})
	}
	var resender sync.WaitGroup
	resender.Go(func() { p.resend(workCtx) })
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
				err := p.commit()
				if err != nil && workCtx.Err() == nil {
					p.log.Warn("commit failed; retrying at the next interval", "err", err)
				}
			}
		}
	}()

	p.setReady(true)
	p.log.Info("pipeline running", "in", cfg.In, "out", cfg.Out, "dlq", cfg.DLQ, "group", cfg.Group,
		"workers", cfg.Workers, "conn", cfg.Conn)
	p.consume(fetchCtx, group, jobs)
	close(jobs)
	p.setReady(false)

	// Drain: finish the fetched records, flush the writers, commit what was acknowledged. After a persistent
	// failure nothing more can be written: stop at once, without waiting for records that cannot be.
	p.log.Info("draining", "in_flight", p.tracker.pending())
	drainCtx, cancelDrain := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancelDrain()
	workersDone := make(chan struct{})
	go func() {
		workers.Wait()
		close(workersDone)
	}()
	var drainErr error
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for drained := false; !drained; {
		select {
		case <-p.failCh:
			drained = true
		case <-drainCtx.Done():
			drainErr = fmt.Errorf("shutdown timeout %s: %d records not acknowledged; they will be processed again", cfg.ShutdownTimeout, p.tracker.pending())
			drained = true
		case <-tick.C:
			select {
			case <-workersDone:
				// Every fetched record holds a p.sem slot until its output is acknowledged.
				drained = len(p.sem) == 0
			default:
			}
		}
	}
	stopWork() // ends the workers' and the resender's retries
	resender.Wait()
	closeBound := closeTimeout
	if p.err() == nil && drainErr == nil {
		closeBound = max(closeBound, time.Until(deadlineOf(drainCtx)))
	}
	if !closeWriters(closeBound, p.w, p.dlqW) {
		p.log.Warn("the producer did not close in time; abandoning its pending writes", "timeout", closeBound)
	}
	close(commitStop)
	<-commitDone
	if err := p.commit(); err != nil {
		drainErr = errors.Join(drainErr, fmt.Errorf("final commit: %w", err))
	}
	if err := group.Close(); err != nil {
		p.log.Warn("leaving the consumer group", "err", err)
	}
	stopBG()
	if err := p.err(); err != nil {
		return errors.Join(err, drainErr)
	}
	if drainErr != nil {
		return drainErr
	}
	p.log.Info("pipeline stopped cleanly", "acknowledged", p.acked.Load(), "refetched_skipped", p.refetched.Load())
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
	p.metrics.ready.Set(0)
	p.log.Error("stopping: persistent failure", "err", err)
	if p.failCh != nil {
		close(p.failCh)
	}
	if p.stopFetch != nil {
		p.stopFetch()
	}
}

// setReady records whether the pipeline is ready (GET /readyz, tagpipe_ready): running and not failed.
func (p *Pipeline) setReady(ok bool) {
	p.ready.Store(ok)
	if ok && p.err() != nil {
		ok = false
	}
	p.metrics.setReady(ok)
}

// err returns the first persistent failure, or nil.
func (p *Pipeline) err() error {
	p.fatalMu.Lock()
	defer p.fatalMu.Unlock()
	return p.fatalErr
}

// handle tags one record and hands its output (or its dead letter) to the writers.
func (p *Pipeline) handle(ctx context.Context, j *job) {
	msgs := p.build(ctx, j)
	err := p.write(ctx, p.prepare(j, msgs))
	var tooLarge kafka.MessageTooLargeError
	if errors.As(err, &tooLarge) && j.dead.code == 0 {
		// The size check in build is an estimate; the writer has the last word.
		j.dead = deadReason{code: CodeTooLarge, text: fmt.Sprintf("%s: %d bytes, max %d", ReasonTooLarge, len(msgs[0].Value), p.cfg.MaxMessageBytes)}
		err = p.write(ctx, p.prepare(j, []kafka.Message{deadLetter(p.cfg.DLQ, j.msg, j.dead.text, p.dlqMax)}))
	}
	if err != nil && ctx.Err() == nil {
		p.fail(fmt.Errorf("%w (record from %s/%d@%d)", err, j.msg.Topic, j.msg.Partition, j.msg.Offset))
	}
}

// prepare makes msgs the records of j: their Completion acknowledges it once all are written.
func (p *Pipeline) prepare(j *job, msgs []kafka.Message) []kafka.Message {
	for i := range msgs {
		msgs[i].WriterData = &send{j: j}
	}
	j.remaining.Store(int32(len(msgs)))
	return msgs
}

// build returns the records to produce for j: the tagged record and its route copies, or one dead letter.
func (p *Pipeline) build(ctx context.Context, j *job) []kafka.Message {
	src := j.msg
	dead := func(code ReasonCode, reason string) []kafka.Message {
		j.dead = deadReason{code: code, text: reason}
		p.log.Debug("dead-lettering record", "topic", src.Topic, "partition", src.Partition, "offset", src.Offset, "code", code, "reason", reason)
		return []kafka.Message{deadLetter(p.cfg.DLQ, src, reason, p.dlqMax)}
	}
	if len(src.Value) == 0 {
		return dead(CodeEmpty, ReasonEmpty)
	}
	start := time.Now()
	out, err := p.proc.process(ctx, src.Key, src.Value, p.cfg.MaxMessageBytes-headerOverhead)
	p.metrics.tagLatency.Observe(time.Since(start).Seconds())
	if err != nil {
		return dead(reasonCode(err), err.Error())
	}
	if len(out.key)+len(out.value)+headerOverhead > p.cfg.MaxMessageBytes {
		return dead(CodeTooLarge, fmt.Sprintf("%s: %d bytes, max %d", ReasonTooLarge, len(out.key)+len(out.value), p.cfg.MaxMessageBytes))
	}
	headers := []kafka.Header{
		{Key: HeaderContentType, Value: []byte("application/json")},
		{Key: HeaderRulesVersion, Value: []byte(out.rulesVersion)},
		{Key: HeaderRecord, Value: p.recordFormat},
	}
	msgs := []kafka.Message{{Topic: p.cfg.Out, Key: out.key, Value: out.value, Headers: headers}}
	if p.cfg.RoutePrefix != "" {
		for _, l := range out.labels {
			topic := p.cfg.RoutePrefix + l
			if kafkaio.ValidTopic(topic) != nil {
				continue
			}
			msgs = append(msgs, kafka.Message{Topic: topic, Key: out.key, Value: out.value, Headers: headers})
		}
	}
	return p.appendShadow(msgs, out)
}

// deadlineOf returns ctx's deadline, or now.
func deadlineOf(ctx context.Context) time.Time {
	if d, ok := ctx.Deadline(); ok {
		return d
	}
	return time.Now()
}
