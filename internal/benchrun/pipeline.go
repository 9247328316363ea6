package benchrun

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tagpipe/tagpipe/internal/cputime"
	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/pipeline"
	"github.com/tagpipe/tagpipe/tagger"
)

// benchPipeline runs the pipeline on its own topics and measures it: draining a preloaded topic (max), then
// producing at the max rate and at half of it while reading the tagged records back (latency).
func benchPipeline(ctx context.Context, o Options, conn kafkaio.Conn, as []tagger.Article,
	bytesPer float64) (*PipelineReport, error) {
	t, log := o.Tagger, o.Log
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	prefix := fmt.Sprintf("tagpipe-bench-%d", time.Now().UnixNano())
	cfg := pipeline.DefaultConfig()
	cfg.Conn = conn
	cfg.In, cfg.Out, cfg.DLQ, cfg.Group = prefix+"-in", prefix+"-out", prefix+"-dlq", prefix
	cfg.RulesTopic, cfg.HTTP, cfg.CreateTopics = "", "", false
	if o.Workers > 0 {
		cfg.Workers = o.Workers
	}
	cfg.Partitions = o.Partitions
	cfg.Compression = o.Compression
	cfg.Record = o.Record
	fmt.Fprintf(o.Progress, "pipeline on %s, topics %s-* ...\n", strings.Join(conn.Brokers, ","), prefix)
	if err := kafkaio.CreateTopics(ctx, conn, o.Partitions, 1, cfg.In, cfg.Out, cfg.DLQ); err != nil {
		return nil, err
	}
	if !o.KeepTopics {
		defer func() {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if err := kafkaio.DeleteTopics(dctx, conn, cfg.In, cfg.Out, cfg.DLQ); err != nil {
				fmt.Fprintf(o.Progress, "deleting the benchmark topics: %v\n", err)
			}
		}()
	}
	prod, err := kafkaio.NewProducer(ctx, conn, cfg.In, log)
	if err != nil {
		return nil, err
	}
	defer prod.Close()

	// Preload --e2e-articles (the corpus, cycled), then start the pipeline and time it draining the topic.
	rep := &PipelineReport{Brokers: conn.Brokers, Partitions: o.Partitions}
	timed := o.E2EArticles
	if timed <= 0 {
		timed = len(as)
	}
	segs := min(o.Repeat, timed)
	seg := timed / segs
	timed = seg * segs
	rep.Warmup = o.Warmup
	preload := o.Warmup + timed
	batch := make([]tagger.Article, 0, 500)
	for i := range preload {
		a := as[i%len(as)]
		a.ID = fmt.Sprintf("%s-max-%d", a.ID, i)
		batch = append(batch, a)
		if len(batch) == cap(batch) || i == preload-1 {
			if _, err := prod.Send(ctx, batch...); err != nil {
				return nil, fmt.Errorf("preloading: %w", err)
			}
			batch = batch[:0]
		}
	}
	marks := make([]int64, segs+1)
	for k := range marks {
		marks[k] = int64(o.Warmup + k*seg)
	}
	ct := newTimedTagger(t, o.BrokerPID, marks)
	p, err := pipeline.New(cfg, ct, pipeline.WithLogger(log))
	if err != nil {
		return nil, err
	}
	runErr := make(chan error, 1)
	go func() { runErr <- p.Run(ctx) }()
	defer func() {
		cancel()
		<-runErr
	}()
	// Wait for the tagger's count (cheap) before the metric (Gather stops the world for the Go collector).
	tagged := func() float64 {
		if n := ct.done.Load(); n < int64(preload) {
			return float64(n)
		}
		return p.Metrics().Tagged()
	}
	for deadline := time.Now().Add(5 * time.Minute); tagged() < float64(preload); {
		select {
		case err := <-runErr:
			runErr <- err
			return nil, fmt.Errorf("pipeline stopped: %w", err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("pipeline tagged %v of %d preloaded articles in 5 minutes", tagged(), preload)
		}
	}
	ms := ct.markSnapshots()
	if len(ms) != len(marks) {
		return nil, fmt.Errorf("timed %d of %d segment marks", len(ms), len(marks))
	}
	for k := 1; k < len(ms); k++ {
		rep.Segments = append(rep.Segments, float64(seg)/max(ms[k].at.Sub(ms[k-1].at), time.Millisecond).Seconds())
	}
	first, last := ms[0], ms[len(ms)-1]
	if bc := last.broker - first.broker; o.BrokerPID > 0 && bc > 0 {
		rep.BrokerCPUPerArticle = bc / time.Duration(timed)
		rep.brokerCPU = bc
	}
	rep.pipelineCPU = last.cpu - first.cpu
	rep.logBytes, rep.logSource = outputLogBytes(o, cfg.Out, preload)
	rate := median(rep.Segments)
	rep.Max = PhaseResult{Articles: timed, ArticlesPerSec: rate, MBPerSec: rate * bytesPer / 1e6}
	if cpu := last.cpu - first.cpu; cpu > 0 {
		rep.Max.ArticlesPerCPUSec = float64(timed) / cpu.Seconds()
	}
	if o.Rate > 0 {
		rate = o.Rate
	}
	fmt.Fprintf(o.Progress, "pipeline max %.0f articles/s; paced phases of %v at %.0f and %.0f articles/s ...\n",
		rep.Max.ArticlesPerSec, o.E2EDuration, rate, rate/2)

	// Read the tagged records back from the end of the output topic (the preloaded ones would only cost time).
	lat := newLatencies()
	tailCtx, stopTail := context.WithCancel(ctx)
	tailDone := make(chan error, 1)
	go func() {
		tailDone <- kafkaio.Tail(tailCtx, conn, cfg.Out, kafkaio.TailOptions{}, func(m kafkaio.Message) error {
			lat.record(m.Value, time.Now())
			return nil
		})
	}()
	defer func() {
		stopTail()
		<-tailDone
	}()
	if err := awaitReader(ctx, prod, lat, as[0]); err != nil {
		return nil, err
	}
	for _, ph := range []struct {
		name string
		frac float64
		out  *PhaseResult
	}{{"full", 1, &rep.Full}, {"half", 0.5, &rep.Half}} {
		ct.takeIngress()
		r, err := pacedPhase(ctx, prod, lat, as, ph.name, rate*ph.frac, o.E2EDuration)
		if err != nil {
			return nil, err
		}
		ing := ct.takeIngress()
		r.IngressP50ms, r.IngressP99ms = quantile(ing, 0.5), quantile(ing, 0.99)
		r.MBPerSec = r.ArticlesPerSec * bytesPer / 1e6
		*ph.out = r
		fmt.Fprintf(o.Progress, "pipeline at %.0f articles/s: p50 %.1f ms, p99 %.1f ms (produce to tagging: p50 %.1f, p99 %.1f)\n",
			r.TargetRate, r.P50ms, r.P99ms, r.IngressP50ms, r.IngressP99ms)
	}
	return rep, nil
}

// outputLogBytes returns the output topic's log size per article, n articles in it, from the broker's log
// directories (o.BrokerLogDirs, else those of the broker o.BrokerPID), and where it was read; 0 and "" when
// they are unknown (the embedded broker) or hold no such topic. kafka-go has no DescribeLogDirs request, so the
// files are read.
func outputLogBytes(o Options, topic string, n int) (float64, string) {
	dirs := o.BrokerLogDirs
	if len(dirs) == 0 && o.BrokerPID > 0 && o.Conn != nil {
		dirs = brokerLogDirs(o.BrokerPID)
	}
	size, ok := topicLogBytes(dirs, topic)
	if !ok || n <= 0 {
		return 0, ""
	}
	return float64(size) / float64(n), "broker log dir " + strings.Join(dirs, ",")
}

// awaitReader sends probe articles until one comes back through the pipeline to the output topic's reader,
// which finds the end of the topic only on its first fetch: from then on it misses nothing.
func awaitReader(ctx context.Context, prod *kafkaio.Producer, lat *latencies, a tagger.Article) error {
	const probes = 60
	lat.start("probe", 1)
	for i := range probes {
		p := a
		p.ID = fmt.Sprintf("%s-probe-%d", a.ID, i)
		p.Fields = nil
		p.SetField(SentMember, json.RawMessage(strconv.FormatInt(time.Now().UnixNano(), 10)))
		if _, err := prod.Send(ctx, p); err != nil {
			return fmt.Errorf("probe: %w", err)
		}
		if err := lat.wait(ctx, time.Second); err == nil {
			return nil
		} else if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return fmt.Errorf("none of %d probe articles came back from the output topic", probes)
}

// timedTagger counts the articles it has tagged and notes the time, the process CPU time and the broker's CPU
// time when the count reaches each of its marks (a mark of 0: when the first article's tagging begins). It also
// keeps the ingress latency of stamped articles.
type timedTagger struct {
	t         pipeline.Tagger
	brokerPID int
	marks     []int64 // ascending article counts
	done      atomic.Int64
	next      atomic.Int64 // the next mark, or math.MaxInt64 after the last
	mu        sync.Mutex
	snaps     []snapshot // one per mark reached, in order
	ingress   []float64  // ms from the send stamp to the start of tagging, for stamped articles
}

// snapshot is the state noted at a mark.
type snapshot struct {
	at          time.Time
	cpu, broker time.Duration
}

func newTimedTagger(t pipeline.Tagger, brokerPID int, marks []int64) *timedTagger {
	tt := &timedTagger{t: t, brokerPID: brokerPID, marks: marks}
	tt.next.Store(math.MaxInt64)
	if len(marks) > 0 {
		tt.next.Store(marks[0])
	}
	return tt
}

func (tt *timedTagger) Tag(ctx context.Context, a tagger.Article) (*tagger.Record, error) {
	if tt.next.Load() == 0 {
		tt.mark(0)
	}
	start := time.Now()
	rec, err := tt.t.Tag(ctx, a)
	var ms float64 = -1
	if raw, ok := a.Field(SentMember); ok {
		if sent, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			ms = float64(start.UnixNano()-sent) / 1e6
		}
	}
	if ms >= 0 {
		tt.mu.Lock()
		tt.ingress = append(tt.ingress, ms)
		tt.mu.Unlock()
	}
	tt.mark(tt.done.Add(1))
	return rec, err
}

// mark notes a snapshot for every mark up to n not noted yet. (Counts reach mark in any order: a goroutine
// holding count n+1 may get here before the one holding n.)
func (tt *timedTagger) mark(n int64) {
	if n < tt.next.Load() {
		return
	}
	tt.mu.Lock()
	defer tt.mu.Unlock()
	for k := len(tt.snaps); k < len(tt.marks) && tt.marks[k] <= n; k++ {
		sn := snapshot{at: time.Now(), cpu: cputime.Process()}
		if tt.brokerPID > 0 {
			sn.broker = procCPU(tt.brokerPID)
		}
		tt.snaps = append(tt.snaps, sn)
	}
	if k := len(tt.snaps); k < len(tt.marks) {
		tt.next.Store(tt.marks[k])
	} else {
		tt.next.Store(math.MaxInt64)
	}
}

// markSnapshots returns the snapshots noted so far.
func (tt *timedTagger) markSnapshots() []snapshot {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	return slices.Clone(tt.snaps)
}

// takeIngress returns the ingress latencies noted since the last call, sorted, and forgets them.
func (tt *timedTagger) takeIngress() []float64 {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	s := tt.ingress
	tt.ingress = nil
	slices.Sort(s)
	return s
}

// pacedPhase produces articles at rate for d, each stamped with its send time, and waits for all of them to come
// back tagged.
func pacedPhase(ctx context.Context, prod *kafkaio.Producer, lat *latencies, as []tagger.Article, phase string,
	rate float64, d time.Duration) (PhaseResult, error) {
	total := min(max(1, int(rate*d.Seconds())), 1_000_000)
	lat.start(phase, total)
	cpu0 := cputime.Process()
	const tick = 2 * time.Millisecond
	sem := make(chan struct{}, 256) // produce calls in flight
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	start := time.Now()
	sent := 0
	for sent < total {
		due := min(total, int(rate*time.Since(start).Seconds())+1)
		if due > sent {
			now := time.Now()
			stamp := json.RawMessage(strconv.FormatInt(now.UnixNano(), 10))
			batch := make([]tagger.Article, 0, due-sent)
			for i := sent; i < due; i++ {
				a := as[i%len(as)]
				a.ID = fmt.Sprintf("%s-%s-%d", a.ID, phase, i)
				a.Fields = nil
				a.SetField(SentMember, stamp)
				batch = append(batch, a)
			}
			sent = due
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return PhaseResult{}, ctx.Err()
			}
			wg.Go(func() {
				defer func() { <-sem }()
				if _, err := prod.Send(ctx, batch...); err != nil {
					select {
					case errc <- err:
					default:
					}
				}
			})
		}
		time.Sleep(tick)
	}
	wg.Wait()
	select {
	case err := <-errc:
		return PhaseResult{}, fmt.Errorf("producing: %w", err)
	default:
	}
	sendTime := time.Since(start)
	if err := lat.wait(ctx, 2*time.Minute); err != nil {
		return PhaseResult{}, err
	}
	r := lat.result()
	r.TargetRate = rate
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		r.ArticlesPerCPUSec = float64(total) / cpu.Seconds()
	}
	r.ArticlesPerSec = float64(total) / max(sendTime, lat.lastAt().Sub(start)).Seconds()
	return r, nil
}
