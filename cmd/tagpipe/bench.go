package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagpipe/tagpipe/internal/cliconfig"
	"github.com/tagpipe/tagpipe/internal/corpus"
	"github.com/tagpipe/tagpipe/internal/cputime"
	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/pipeline"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

// benchSentMember is the member the end-to-end benchmark adds to each article: when it was handed to the
// producer, in Unix nanoseconds. The pipeline passes it through to the tagged record.
const benchSentMember = "bench_sent_ns"

// benchOptions are the settings of one `tagpipe bench` run.
type benchOptions struct {
	articles, size int
	seed           uint64
	corpusPath     string
	writeCorpus    string
	jsonPath       string
	duration       time.Duration
	repeat         int
	gazetteer      int
	embedded       bool
	e2eDuration    time.Duration
	e2eArticles    int
	warmup         int
	keepTopics     bool
	compression    string
	rate           float64
	brokerPID      int
	partitions     int
	workers        int
	cpuProfile     string
	tf             taggerFlags
}

func newBenchCmd(e *env) *cobra.Command {
	o := benchOptions{}
	cmd := &cobra.Command{
		Use:   "bench [--articles N] [--size BYTES] [--brokers HOST:PORT] [flags]",
		Short: "Measure tagging throughput, and end to end through Kafka with --brokers",
		Long: `Bench generates a synthetic corpus (original templates and vocabulary, seeded: the same flags give the same
articles) and measures:

  tagger, 1 core      one goroutine with GOMAXPROCS=1: articles/s and MB/s of title and body
  tagger, all cores   one goroutine per core
  gazetteer           compiling the pack plus --gazetteer generated entities, and the 1-core rate with it
  pipeline            with --brokers (or --embedded): the real run loop through Kafka. "max" preloads
                      --warmup plus --e2e-articles articles, lets the pipeline drain the warm-up part untimed (a
                      broker's JVM compiles its hot paths in its first minutes and then uses about half the CPU),
                      times the rest in --repeat equal segments and reports the median segment; the paced phases
                      produce at that rate (or --rate) and at half of it and measure end-to-end latency (from the
                      produce call to the tagged record read back from the output topic), p50 and p99, and the part
                      of it up to the start of tagging; --broker-pid adds a local broker's CPU time per article
  peak RSS            VmHWM of the process (Linux)

"per CPU-s" is articles per second of the process's CPU time (all threads, GC included): on a machine shared
with other work, what one core would do if the process had it to itself. Each tagger measurement runs --repeat
times for at least --duration; the table shows the median. It prints a table and writes every number to --json.
The end-to-end part creates its own topics (tagpipe-bench-<time>-in/out/dlq) and consumer group and deletes the
topics at the end (--keep-topics keeps them: a default run writes about 600 MB); the load generator and the reader
run in this process, next to the pipeline.

--write-corpus FILE only writes the corpus as JSONL and exits; --corpus FILE benchmarks a JSONL file instead of
generating one, so that other taggers (bench/run.sh) can be timed on the very same articles.`,
		Example: `  tagpipe bench
  tagpipe bench --articles 5000 --size 600
  tagpipe bench --brokers 127.0.0.1:9092 --json bench.json
  tagpipe bench --write-corpus corpus.jsonl --articles 2000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.articles < 1 || o.size < 1 || o.repeat < 1 || o.duration <= 0 || o.gazetteer < 0 || o.warmup < 0 {
				return usageError{errors.New("--articles, --size, --repeat and --duration must be positive, --gazetteer and --warmup not negative")}
			}
			if !slices.Contains(pipeline.Compressions(), o.compression) {
				return usageError{fmt.Errorf("--compression %q: want one of %s", o.compression, strings.Join(pipeline.Compressions(), ", "))}
			}
			if o.writeCorpus != "" {
				return writeCorpusFile(o)
			}
			var conn *kafkaio.Conn
			if cmd.Flags().Changed("brokers") || os.Getenv(cliconfig.EnvName("brokers")) != "" {
				c, err := resolveConn(cmd)
				if err != nil {
					return err
				}
				conn = &c
			}
			if conn != nil && o.embedded {
				return usageError{errors.New("--brokers and --embedded exclude each other")}
			}
			return runBench(cmd.Context(), e, o, conn)
		},
	}
	o.tf.register(cmd)
	f := cmd.Flags()
	f.IntVar(&o.articles, "articles", 2000, "articles in the corpus")
	f.IntVar(&o.size, "size", corpus.DefaultSize, "bytes of title and body per article")
	f.Uint64Var(&o.seed, "seed", 1, "corpus seed")
	f.StringVar(&o.corpusPath, "corpus", "", "benchmark this JSONL file instead of a generated corpus")
	f.StringVar(&o.writeCorpus, "write-corpus", "", "write the generated corpus to this JSONL file and exit")
	f.StringVar(&o.jsonPath, "json", "tagpipe-bench.json", "write the results to this JSON file (- for stdout, empty for none)")
	f.DurationVar(&o.duration, "duration", 3*time.Second, "minimum time of each tagger measurement")
	f.IntVar(&o.repeat, "repeat", 3, "repetitions of each tagger measurement (the median is reported)")
	f.IntVar(&o.gazetteer, "gazetteer", 10000, "generated gazetteer entries for the compile and slowdown measurement (0: skip)")
	f.BoolVar(&o.embedded, "embedded", false, "run the end-to-end part on the embedded in-memory broker")
	f.DurationVar(&o.e2eDuration, "e2e-duration", 10*time.Second, "duration of each paced end-to-end phase")
	f.IntVar(&o.brokerPID, "broker-pid", 0, "pid of a local broker: report its CPU time per article in the max phase (Linux)")
	f.Float64Var(&o.rate, "rate", 0, "full rate of the paced end-to-end phases, articles/s (0: the measured max)")
	f.IntVar(&o.e2eArticles, "e2e-articles", 20000, "articles preloaded for the max end-to-end rate (the corpus cycled; 0: the corpus once)")
	f.IntVar(&o.warmup, "warmup", 10000, "articles drained through the pipeline before the max rate is timed")
	f.StringVar(&o.compression, "compression", "none", "the pipeline's producer codec: "+strings.Join(pipeline.Compressions(), ", "))
	f.BoolVar(&o.keepTopics, "keep-topics", false, "keep the end-to-end part's topics instead of deleting them")
	f.IntVar(&o.partitions, "partitions", 2, "partitions of the benchmark topics")
	f.IntVar(&o.workers, "workers", 0, "pipeline tagging goroutines (0: the pipeline's default)")
	f.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	connFlags(cmd)
	return cmd
}

func writeCorpusFile(o benchOptions) error {
	out, err := os.Create(o.writeCorpus)
	if err != nil {
		return err
	}
	if err := corpus.WriteJSONL(out, corpus.New(o.seed).Articles(o.articles, o.size)); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// benchReport is the JSON written by `tagpipe bench`.
type benchReport struct {
	Time         time.Time  `json:"time"`
	Version      string     `json:"version"`
	Go           string     `json:"go"`
	CPU          string     `json:"cpu"`
	NumCPU       int        `json:"num_cpu"`
	Corpus       corpusInfo `json:"corpus"`
	RulesVersion string     `json:"rules_version"`
	Discovery    bool       `json:"discovery"`
	OneCore      rateResult `json:"tagger_one_core"`
	AllCores     rateResult `json:"tagger_all_cores"`
	Gazetteer    *gazResult `json:"gazetteer,omitempty"`
	Pipeline     *e2eReport `json:"pipeline,omitempty"`
	PeakRSS      int64      `json:"peak_rss_bytes"`
	// LoadAvg is /proc/loadavg at the start and at the end of the run: how busy the machine was.
	LoadAvg [2]string     `json:"loadavg,omitempty"`
	Elapsed time.Duration `json:"elapsed_ns"`
}

type corpusInfo struct {
	Source    string  `json:"source"` // "generated" or the file
	Articles  int     `json:"articles"`
	Seed      uint64  `json:"seed,omitempty"`
	Size      int     `json:"size,omitempty"`
	MeanBytes float64 `json:"mean_bytes"`
}

// rateResult is a throughput measurement: the median of the runs, and every run.
type rateResult struct {
	Goroutines     int     `json:"goroutines"`
	GOMAXPROCS     int     `json:"gomaxprocs"`
	ArticlesPerSec float64 `json:"articles_per_sec"`
	MBPerSec       float64 `json:"mb_per_sec"`
	// ArticlesPerCPUSec is articles per second of process CPU time (all threads): on a shared machine, what one
	// core would do if the process had it to itself.
	ArticlesPerCPUSec float64   `json:"articles_per_cpu_sec"`
	CPURuns           []float64 `json:"runs_articles_per_cpu_sec"`
	AllocsPerArt      float64   `json:"allocs_per_article"`
	BytesPerArt       float64   `json:"alloc_bytes_per_article"`
	Runs              []float64 `json:"runs_articles_per_sec"`
}

type gazResult struct {
	Entries        int     `json:"entries"`
	CompileSeconds float64 `json:"compile_seconds"`
	ArticlesPerSec float64 `json:"one_core_articles_per_sec"`
	ArticlesPerCPU float64 `json:"one_core_articles_per_cpu_sec"`
	// Slowdown is the default pack's 1-core rate over this one, per CPU second where measured.
	Slowdown float64 `json:"slowdown"`
}

type e2eReport struct {
	Brokers    []string  `json:"brokers"`
	Embedded   bool      `json:"embedded"`
	Partitions int       `json:"partitions"`
	Max        e2eResult `json:"max"`
	Full       e2eResult `json:"full_rate"`
	Half       e2eResult `json:"half_rate"`
	// RatioToTagger is the max pipeline rate over the all-cores tagger rate.
	RatioToTagger float64 `json:"ratio_to_tagger"`
	// BrokerCPUPerArticle is the CPU time the local broker (--broker-pid) used per article in the max phase.
	BrokerCPUPerArticle time.Duration `json:"broker_cpu_per_article_ns,omitempty"`
	// Warmup is the number of articles drained before the max phase was timed.
	Warmup int `json:"warmup"`
	// Segments are the rates of the max phase's timed segments, in order; Max has their median.
	Segments []float64 `json:"segments_articles_per_sec"`
}

type e2eResult struct {
	TargetRate     float64 `json:"target_articles_per_sec,omitempty"`
	Articles       int     `json:"articles"`
	ArticlesPerSec float64 `json:"articles_per_sec"`
	MBPerSec       float64 `json:"mb_per_sec"`
	// ArticlesPerCPUSec is articles per second of this process's CPU time (pipeline, and in the paced phases the
	// load generator; not the broker).
	ArticlesPerCPUSec float64 `json:"articles_per_cpu_sec,omitempty"`
	P50ms             float64 `json:"p50_ms,omitempty"`
	P99ms             float64 `json:"p99_ms,omitempty"`
	MaxMs             float64 `json:"max_ms,omitempty"`
	// IngressP50ms and IngressP99ms are the part of the latency from the produce call to the start of tagging
	// (producer batching, broker, the pipeline's fetch and queue); the rest is tagging, producing the record and
	// reading it back.
	IngressP50ms float64 `json:"ingress_p50_ms,omitempty"`
	IngressP99ms float64 `json:"ingress_p99_ms,omitempty"`
}

func runBench(ctx context.Context, e *env, o benchOptions, conn *kafkaio.Conn) error {
	began := time.Now()
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	log := e.logger()
	articles, info, err := benchCorpus(o)
	if err != nil {
		return err
	}
	t, err := o.tf.newTagger(e)
	if err != nil {
		return err
	}
	rep := benchReport{
		Time: began.UTC(), Version: version, Go: runtime.Version(), CPU: cpuModel(), NumCPU: runtime.NumCPU(),
		Corpus: info, RulesVersion: t.Rules().Version(), Discovery: !o.tf.noDiscovery,
		LoadAvg: [2]string{loadAvg(), ""},
	}
	bytesPer := info.MeanBytes
	fmt.Fprintf(e.stderr, "tagger, 1 core (%d x %v) ...\n", o.repeat, o.duration)
	if rep.OneCore, err = measureTagger(ctx, t, articles, 1, o, bytesPer); err != nil {
		return err
	}
	n := runtime.NumCPU()
	fmt.Fprintf(e.stderr, "tagger, %d cores ...\n", n)
	if rep.AllCores, err = measureTagger(ctx, t, articles, n, o, bytesPer); err != nil {
		return err
	}
	if o.gazetteer > 0 {
		fmt.Fprintf(e.stderr, "gazetteer of %d generated entries ...\n", o.gazetteer)
		g, err := measureGazetteer(ctx, articles, o, bytesPer, rep.OneCore)
		if err != nil {
			return err
		}
		rep.Gazetteer = g
	}
	if conn != nil || o.embedded {
		var c kafkaio.Conn
		if conn != nil {
			c = *conn
		} else {
			eb, err := kafkaio.StartEmbedded(0, o.partitions)
			if err != nil {
				return err
			}
			defer eb.Close()
			c = kafkaio.DefaultConn()
			c.Brokers = eb.Brokers()
		}
		r, err := benchPipeline(ctx, e, log, c, t, articles, o, bytesPer)
		if err != nil {
			return err
		}
		r.Embedded = conn == nil
		if rep.AllCores.ArticlesPerSec > 0 {
			r.RatioToTagger = r.Max.ArticlesPerSec / rep.AllCores.ArticlesPerSec
		}
		rep.Pipeline = r
	}
	rep.PeakRSS = peakRSS()
	rep.LoadAvg[1] = loadAvg()
	rep.Elapsed = time.Since(began)
	printBench(e.stdout, &rep)
	return writeBenchJSON(e, o.jsonPath, &rep)
}

// benchCorpus generates the corpus or reads it from --corpus.
func benchCorpus(o benchOptions) ([]tagger.Article, corpusInfo, error) {
	var (
		as   []tagger.Article
		info corpusInfo
	)
	if o.corpusPath == "" {
		as = corpus.New(o.seed).Articles(o.articles, o.size)
		info = corpusInfo{Source: "generated", Articles: len(as), Seed: o.seed, Size: o.size}
	} else {
		f, err := os.Open(o.corpusPath)
		if err != nil {
			return nil, info, usageError{err}
		}
		defer f.Close()
		err = tagger.ReadArticles(f, tagger.FormatJSONL, func(a tagger.Article, err error) error {
			if err != nil {
				return fmt.Errorf("%s: %w", o.corpusPath, err)
			}
			as = append(as, a)
			return nil
		})
		if err != nil {
			return nil, info, err
		}
		if len(as) == 0 {
			return nil, info, usageError{fmt.Errorf("%s: no articles", o.corpusPath)}
		}
		info = corpusInfo{Source: o.corpusPath, Articles: len(as)}
	}
	var total int
	for _, a := range as {
		total += len(a.Title) + len(a.Body)
	}
	info.MeanBytes = float64(total) / float64(len(as))
	return as, info, nil
}

// measureTagger tags the corpus with goroutines goroutines (and GOMAXPROCS set to the same), o.repeat times for
// at least o.duration each, and returns the median rate.
func measureTagger(ctx context.Context, t *tagger.Tagger, as []tagger.Article, goroutines int, o benchOptions,
	bytesPer float64) (rateResult, error) {
	prev := runtime.GOMAXPROCS(goroutines)
	defer runtime.GOMAXPROCS(prev)
	res := rateResult{Goroutines: goroutines, GOMAXPROCS: goroutines}
	// Warm up: one pass over a few articles (lazy initialization, caches).
	for _, a := range as[:min(len(as), 50)] {
		if _, err := t.Tag(ctx, a); err != nil {
			return res, err
		}
	}
	var allocs, allocBytes, tagged float64
	for range o.repeat {
		var ms0, ms1 runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		var (
			next  atomic.Int64
			count atomic.Int64
			wg    sync.WaitGroup
			errc  = make(chan error, goroutines)
		)
		start, cpu0 := time.Now(), cputime.Process()
		deadline := start.Add(o.duration)
		for range goroutines {
			wg.Go(func() {
				for {
					// Claim articles in chunks so the goroutines do not contend on the counter.
					first := next.Add(16) - 16
					for i := first; i < first+16; i++ {
						if _, err := t.Tag(ctx, as[int(i)%len(as)]); err != nil {
							errc <- err
							return
						}
					}
					count.Add(16)
					if time.Now().After(deadline) {
						return
					}
				}
			})
		}
		wg.Wait()
		elapsed, cpu := time.Since(start), cputime.Process()-cpu0
		runtime.ReadMemStats(&ms1)
		select {
		case err := <-errc:
			return res, err
		default:
		}
		n := float64(count.Load())
		res.Runs = append(res.Runs, n/elapsed.Seconds())
		if cpu > 0 {
			res.CPURuns = append(res.CPURuns, n/cpu.Seconds())
		}
		allocs += float64(ms1.Mallocs - ms0.Mallocs)
		allocBytes += float64(ms1.TotalAlloc - ms0.TotalAlloc)
		tagged += n
	}
	res.ArticlesPerSec = median(res.Runs)
	res.ArticlesPerCPUSec = median(res.CPURuns)
	res.MBPerSec = res.ArticlesPerSec * bytesPer / 1e6
	res.AllocsPerArt = allocs / tagged
	res.BytesPerArt = allocBytes / tagged
	return res, nil
}

// measureGazetteer compiles the pack with o.gazetteer generated entities and measures the 1-core rate with it.
func measureGazetteer(ctx context.Context, as []tagger.Article, o benchOptions, bytesPer float64, base rateResult) (*gazResult, error) {
	files, errs := rules.ParseFS(rules.DefaultFS(), ".")
	if len(errs) > 0 {
		return nil, errs
	}
	src, err := corpus.Gazetteer(o.gazetteer)
	if err != nil {
		return nil, usageError{err}
	}
	f, errs := rules.Parse("gazetteer-generated.yaml", src)
	if len(errs) > 0 {
		return nil, errs
	}
	start := time.Now()
	rs, err := rules.Compile(append(files, f))
	if err != nil {
		return nil, err
	}
	compile := time.Since(start)
	t, err := tagger.New(rs, tagger.WithDiscovery(!o.tf.noDiscovery), tagger.WithVersion(version))
	if err != nil {
		return nil, err
	}
	r, err := measureTagger(ctx, t, as, 1, o, bytesPer)
	if err != nil {
		return nil, err
	}
	g := &gazResult{Entries: o.gazetteer, CompileSeconds: compile.Seconds(), ArticlesPerSec: r.ArticlesPerSec,
		ArticlesPerCPU: r.ArticlesPerCPUSec}
	switch {
	case r.ArticlesPerCPUSec > 0 && base.ArticlesPerCPUSec > 0:
		g.Slowdown = base.ArticlesPerCPUSec / r.ArticlesPerCPUSec
	case r.ArticlesPerSec > 0:
		g.Slowdown = base.ArticlesPerSec / r.ArticlesPerSec
	}
	return g, nil
}

// benchPipeline runs the pipeline on its own topics and measures it: draining a preloaded topic (max), then
// producing at the max rate and at half of it while reading the tagged records back (latency).
func benchPipeline(ctx context.Context, e *env, log *slog.Logger, conn kafkaio.Conn, t *tagger.Tagger,
	as []tagger.Article, o benchOptions, bytesPer float64) (*e2eReport, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	prefix := fmt.Sprintf("tagpipe-bench-%d", time.Now().UnixNano())
	cfg := pipeline.DefaultConfig()
	cfg.Conn = conn
	cfg.In, cfg.Out, cfg.DLQ, cfg.Group = prefix+"-in", prefix+"-out", prefix+"-dlq", prefix
	cfg.RulesTopic, cfg.HTTP, cfg.CreateTopics = "", "", false
	if o.workers > 0 {
		cfg.Workers = o.workers
	}
	cfg.Partitions = o.partitions
	cfg.Compression = o.compression
	fmt.Fprintf(e.stderr, "pipeline on %s, topics %s-* ...\n", strings.Join(conn.Brokers, ","), prefix)
	if err := kafkaio.CreateTopics(ctx, conn, o.partitions, 1, cfg.In, cfg.Out, cfg.DLQ); err != nil {
		return nil, err
	}
	if !o.keepTopics {
		defer func() {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if err := kafkaio.DeleteTopics(dctx, conn, cfg.In, cfg.Out, cfg.DLQ); err != nil {
				fmt.Fprintf(e.stderr, "deleting the benchmark topics: %v\n", err)
			}
		}()
	}
	prod, err := kafkaio.NewProducer(ctx, conn, cfg.In, log)
	if err != nil {
		return nil, err
	}
	defer prod.Close()

	// Preload --e2e-articles (the corpus, cycled), then start the pipeline and time it draining the topic.
	rep := &e2eReport{Brokers: conn.Brokers, Partitions: o.partitions}
	timed := o.e2eArticles
	if timed <= 0 {
		timed = len(as)
	}
	segs := min(o.repeat, timed)
	seg := timed / segs
	timed = seg * segs
	rep.Warmup = o.warmup
	preload := o.warmup + timed
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
		marks[k] = int64(o.warmup + k*seg)
	}
	ct := newTimedTagger(t, o.brokerPID, marks)
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
		return counterValue(p.Metrics(), "tagpipe_records_tagged_total")
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
	if bc := last.broker - first.broker; o.brokerPID > 0 && bc > 0 {
		rep.BrokerCPUPerArticle = bc / time.Duration(timed)
	}
	rate := median(rep.Segments)
	rep.Max = e2eResult{Articles: timed, ArticlesPerSec: rate, MBPerSec: rate * bytesPer / 1e6}
	if cpu := last.cpu - first.cpu; cpu > 0 {
		rep.Max.ArticlesPerCPUSec = float64(timed) / cpu.Seconds()
	}
	if o.rate > 0 {
		rate = o.rate
	}
	fmt.Fprintf(e.stderr, "pipeline max %.0f articles/s; paced phases of %v at %.0f and %.0f articles/s ...\n",
		rep.Max.ArticlesPerSec, o.e2eDuration, rate, rate/2)

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
		out  *e2eResult
	}{{"full", 1, &rep.Full}, {"half", 0.5, &rep.Half}} {
		ct.takeIngress()
		r, err := pacedPhase(ctx, prod, lat, as, ph.name, rate*ph.frac, o.e2eDuration)
		if err != nil {
			return nil, err
		}
		ing := ct.takeIngress()
		r.IngressP50ms, r.IngressP99ms = quantile(ing, 0.5), quantile(ing, 0.99)
		r.MBPerSec = r.ArticlesPerSec * bytesPer / 1e6
		*ph.out = r
		fmt.Fprintf(e.stderr, "pipeline at %.0f articles/s: p50 %.1f ms, p99 %.1f ms (produce to tagging: p50 %.1f, p99 %.1f)\n",
			r.TargetRate, r.P50ms, r.P99ms, r.IngressP50ms, r.IngressP99ms)
	}
	return rep, nil
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
		p.SetField(benchSentMember, json.RawMessage(strconv.FormatInt(time.Now().UnixNano(), 10)))
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
	if raw, ok := a.Field(benchSentMember); ok {
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
	rate float64, d time.Duration) (e2eResult, error) {
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
				a.SetField(benchSentMember, stamp)
				batch = append(batch, a)
			}
			sent = due
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return e2eResult{}, ctx.Err()
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
		return e2eResult{}, fmt.Errorf("producing: %w", err)
	default:
	}
	sendTime := time.Since(start)
	if err := lat.wait(ctx, 2*time.Minute); err != nil {
		return e2eResult{}, err
	}
	r := lat.result()
	r.TargetRate = rate
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		r.ArticlesPerCPUSec = float64(total) / cpu.Seconds()
	}
	r.ArticlesPerSec = float64(total) / max(sendTime, lat.lastAt().Sub(start)).Seconds()
	return r, nil
}

// latencies collects the end-to-end latencies of one phase from the tagged records read back.
type latencies struct {
	mu     sync.Mutex
	phase  []byte // "-<phase>-" as it appears in the ids of the phase
	want   int
	ms     []float64
	last   time.Time
	done   chan struct{}
	closed bool
}

func newLatencies() *latencies { return &latencies{} }

func (l *latencies) start(phase string, want int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.phase, l.want, l.ms, l.done, l.closed = []byte("-"+phase+"-"), want, make([]float64, 0, want), make(chan struct{}), false
}

// record notes the latency of one tagged record, if it belongs to the current phase.
func (l *latencies) record(value []byte, now time.Time) {
	sent, ok := sentStamp(value)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed || !bytes.Contains(recordID(value), l.phase) {
		return
	}
	l.ms = append(l.ms, float64(now.UnixNano()-sent)/1e6)
	l.last = now
	if len(l.ms) >= l.want {
		l.closed = true
		close(l.done)
	}
}

func (l *latencies) wait(ctx context.Context, timeout time.Duration) error {
	l.mu.Lock()
	done := l.done
	l.mu.Unlock()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(timeout):
		l.mu.Lock()
		defer l.mu.Unlock()
		return fmt.Errorf("only %d of %d tagged records came back within %v", len(l.ms), l.want, timeout)
	}
}

func (l *latencies) lastAt() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

func (l *latencies) result() e2eResult {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := slices.Clone(l.ms)
	slices.Sort(s)
	return e2eResult{Articles: len(s), P50ms: quantile(s, 0.50), P99ms: quantile(s, 0.99), MaxMs: quantile(s, 1)}
}

// sentStamp finds the send time in a tagged record without decoding the whole record.
func sentStamp(value []byte) (int64, bool) {
	key := []byte(`"` + benchSentMember + `":`)
	i := bytes.Index(value, key)
	if i < 0 {
		return 0, false
	}
	rest := value[i+len(key):]
	j := bytes.IndexAny(rest, ",}")
	if j < 0 {
		return 0, false
	}
	n, err := strconv.ParseInt(string(bytes.TrimSpace(rest[:j])), 10, 64)
	return n, err == nil
}

// recordID returns the raw id member of a tagged record ("" when it has none), which comes first.
func recordID(value []byte) []byte {
	key := []byte(`"id":"`)
	i := bytes.Index(value, key)
	if i < 0 {
		return nil
	}
	rest := value[i+len(key):]
	if j := bytes.IndexByte(rest, '"'); j >= 0 {
		return rest[:j]
	}
	return nil
}

// counterValue reads a counter from the pipeline's registry (0 when absent).
func counterValue(m *pipeline.Metrics, name string) float64 {
	mfs, err := m.Registry.Gather()
	if err != nil {
		return 0
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		var sum float64
		for _, mt := range mf.GetMetric() {
			sum += mt.GetCounter().GetValue()
		}
		return sum
	}
	return 0
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// quantile returns the q-quantile of sorted s (nearest rank).
func quantile(s []float64, q float64) float64 {
	if len(s) == 0 {
		return 0
	}
	i := int(q*float64(len(s))+0.5) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// peakRSS returns the process's peak resident set size (VmHWM) in bytes, or 0 where /proc is not available.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) == 2 && f[1] == "kB" {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return kb << 10
				}
			}
		}
	}
	return 0
}

// procCPU returns the CPU time (user plus system) of process pid from /proc, or 0.
func procCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; the fields after its closing parenthesis start at field 3.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(data[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0
	}
	const clockTicks = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// loadAvg returns the 1, 5 and 15 minute load averages from /proc/loadavg, or "".
func loadAvg() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// cpuModel returns the CPU's model name from /proc/cpuinfo, or GOARCH.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func printBench(w io.Writer, r *benchReport) {
	src := r.Corpus.Source
	if src == "generated" {
		src = fmt.Sprintf("generated, seed %d", r.Corpus.Seed)
	}
	disc := "on"
	if !r.Discovery {
		disc = "off"
	}
	fmt.Fprintf(w, "tagpipe bench: %d articles of %.0f bytes (%s); rules %s; discovery %s\n", r.Corpus.Articles,
		r.Corpus.MeanBytes, src, r.RulesVersion, disc)
	fmt.Fprintf(w, "%s, %d CPUs, %s\n\n", r.CPU, r.NumCPU, r.Go)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measurement\tarticles/s\tper CPU-s\tMB/s\tp50 ms\tp99 ms\tnote\t")
	fmt.Fprintf(tw, "tagger, 1 core\t%.0f\t%.0f\t%.2f\t\t\t%.0f allocs, %.1f KB per article\t\n",
		r.OneCore.ArticlesPerSec, r.OneCore.ArticlesPerCPUSec, r.OneCore.MBPerSec, r.OneCore.AllocsPerArt,
		r.OneCore.BytesPerArt/1024)
	fmt.Fprintf(tw, "tagger, %d cores\t%.0f\t%.0f\t%.2f\t\t\t%.2fx 1 core\t\n", r.AllCores.Goroutines,
		r.AllCores.ArticlesPerSec, r.AllCores.ArticlesPerCPUSec, r.AllCores.MBPerSec,
		r.AllCores.ArticlesPerSec/max(r.OneCore.ArticlesPerSec, 1e-9))
	if g := r.Gazetteer; g != nil {
		fmt.Fprintf(tw, "tagger, 1 core, +%d gazetteer entries\t%.0f\t%.0f\t\t\t\t%.2fx the time per article; compiled in %.2f s\t\n",
			g.Entries, g.ArticlesPerSec, g.ArticlesPerCPU, g.Slowdown, g.CompileSeconds)
	}
	if p := r.Pipeline; p != nil {
		where := "Kafka"
		if p.Embedded {
			where = "embedded broker"
		}
		note := fmt.Sprintf("%.0f%% of tagger on %d cores", 100*p.RatioToTagger, r.AllCores.Goroutines)
		if p.BrokerCPUPerArticle > 0 {
			note += fmt.Sprintf("; broker CPU %d µs per article", p.BrokerCPUPerArticle.Microseconds())
		}
		fmt.Fprintf(tw, "pipeline (%s), max\t%.0f\t%.0f\t%.2f\t\t\t%s\t\n", where,
			p.Max.ArticlesPerSec, p.Max.ArticlesPerCPUSec, p.Max.MBPerSec, note)
		for _, ph := range []struct {
			name string
			res  e2eResult
		}{{"pipeline, paced at full rate", p.Full}, {"pipeline, paced at half rate", p.Half}} {
			fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.2f\t%.1f\t%.1f\t%d articles, max %.0f ms; to tagging p50 %.1f, p99 %.1f ms\t\n",
				ph.name, ph.res.ArticlesPerSec, ph.res.ArticlesPerCPUSec, ph.res.MBPerSec, ph.res.P50ms, ph.res.P99ms,
				ph.res.Articles, ph.res.MaxMs, ph.res.IngressP50ms, ph.res.IngressP99ms)
		}
	}
	tw.Flush()
	fmt.Fprintf(w, "\npeak RSS %.0f MB", float64(r.PeakRSS)/(1<<20))
	if r.LoadAvg[0] != "" {
		fmt.Fprintf(w, "; load average %s at the start, %s at the end", r.LoadAvg[0], r.LoadAvg[1])
	}
	fmt.Fprintln(w)
}

func writeBenchJSON(e *env, path string, r *benchReport) error {
	if path == "" {
		return nil
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if path == "-" {
		_, err = e.stdout.Write(data)
		return err
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "results written to %s\n", path)
	return nil
}
