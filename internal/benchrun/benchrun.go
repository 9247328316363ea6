// Package benchrun is the engine of `tagpipe bench`: it measures the tagger's throughput on a generated or given
// corpus (one core, all cores, with a large generated gazetteer) and, given a broker, the pipeline end to end
// through Kafka (the maximum rate draining a preloaded topic, then end-to-end latency at paced rates).
//
// The two types to learn first are Options (what to measure) and Report (every number, with the JSON shape
// `tagpipe bench --json` writes). Run does the work; Report.WriteText prints the table.
//
// Cost: the measurements run for the durations the options give; the end-to-end latency reader decodes each
// tagged record read back with tagger.DecodeArticle (O(record size)).
package benchrun

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"time"

	"github.com/tagpipe/tagpipe/internal/corpus"
	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/pipeline"
	"github.com/tagpipe/tagpipe/tagger"
)

// Options are the settings of one run. The zero value of a field means its documented default only where one
// is given; Run checks the others.
type Options struct {
	// Tagger tags the corpus (required). NoDiscovery says it was built without discovery: the gazetteer
	// measurement builds its own tagger the same way.
	Tagger      *tagger.Tagger
	NoDiscovery bool
	// Version is the tagpipe version written to the report and to the gazetteer measurement's tagger.
	Version string

	// Articles and Size (bytes of title and body) shape the generated corpus, from Seed. CorpusPath, if set,
	// names a JSONL file to use instead.
	Articles, Size int
	Seed           uint64
	CorpusPath     string

	// Duration is the minimum time of each tagger measurement, Repeat the number of them (the median is
	// reported). Gazetteer is the number of generated gazetteer entries for the compile and slowdown
	// measurement (0: skip it).
	Duration  time.Duration
	Repeat    int
	Gazetteer int

	// Conn, if set, runs the end-to-end part against that broker; Embedded runs it on the embedded in-memory
	// broker instead. Neither: no end-to-end part.
	Conn     *kafkaio.Conn
	Embedded bool
	// E2EDuration is the duration of each paced phase; E2EArticles the articles preloaded for the maximum rate
	// (the corpus cycled; 0: the corpus once) after Warmup articles drained untimed. Rate is the full rate of
	// the paced phases (0: the measured maximum).
	E2EDuration time.Duration
	E2EArticles int
	Warmup      int
	Rate        float64
	// KeepTopics keeps the end-to-end topics instead of deleting them. Compression is the pipeline producer's
	// codec, Partitions the topics' partitions, Workers the pipeline's tagging goroutines (0: its default).
	KeepTopics  bool
	Compression string
	Partitions  int
	Workers     int
	// BrokerPID, if positive, is a local broker's pid: the report gives its CPU time per article (Linux).
	// BrokerLogDirs are that broker's log directories, for the output topic's bytes per article (nil: read
	// log.dirs from the properties file on the broker's command line).
	BrokerPID     int
	BrokerLogDirs []string
	// Record is the format of the records the pipeline produces ("": full).
	Record tagger.RecordFormat

	// Progress receives one line per phase (nil: discarded); Log is the pipeline's logger (nil: discarded).
	Progress io.Writer
	Log      *slog.Logger
}

// ErrUsage is wrapped by the errors Run returns for options it cannot use (out of range, a missing corpus file).
var ErrUsage = errors.New("benchrun: bad option")

func (o Options) check() error {
	switch {
	case o.Tagger == nil:
		return fmt.Errorf("%w: no tagger", ErrUsage)
	case o.CorpusPath == "" && (o.Articles < 1 || o.Size < 1):
		return fmt.Errorf("%w: the corpus needs a positive number of articles and size", ErrUsage)
	case o.Repeat < 1 || o.Duration <= 0 || o.Gazetteer < 0 || o.Warmup < 0:
		return fmt.Errorf("%w: repeat and duration must be positive, gazetteer and warmup not negative", ErrUsage)
	case o.Conn != nil && o.Embedded:
		return fmt.Errorf("%w: a broker and the embedded broker exclude each other", ErrUsage)
	case o.Record != "" && o.Record != tagger.RecordFull && o.Record != tagger.RecordCompact:
		return fmt.Errorf("%w: record format %q", ErrUsage, o.Record)
	case (o.Conn != nil || o.Embedded) && (o.Partitions < 1 || o.E2EDuration <= 0):
		return fmt.Errorf("%w: the end-to-end part needs partitions and a duration", ErrUsage)
	}
	return nil
}

// WriteCorpus writes the corpus o describes (Articles, Size, Seed) to w as JSONL.
func WriteCorpus(w io.Writer, o Options) error {
	return corpus.WriteJSONL(w, corpus.New(o.Seed).Articles(o.Articles, o.Size))
}

// SentMember is the member the end-to-end benchmark adds to each article: when it was handed to the
// producer, in Unix nanoseconds. The pipeline passes it through to the tagged record.
const SentMember = "bench_sent_ns"

// Report is what a run measured, in the JSON shape `tagpipe bench --json` writes.
type Report struct {
	Time         time.Time        `json:"time"`
	Version      string           `json:"version"`
	Go           string           `json:"go"`
	CPU          string           `json:"cpu"`
	NumCPU       int              `json:"num_cpu"`
	Corpus       CorpusInfo       `json:"corpus"`
	RulesVersion string           `json:"rules_version"`
	Discovery    bool             `json:"discovery"`
	Record       string           `json:"record"`
	OneCore      Rate             `json:"tagger_one_core"`
	AllCores     Rate             `json:"tagger_all_cores"`
	Gazetteer    *GazetteerResult `json:"gazetteer,omitempty"`
	Pipeline     *PipelineReport  `json:"pipeline,omitempty"`
	PeakRSS      int64            `json:"peak_rss_bytes"`
	// LoadAvg is /proc/loadavg at the start and at the end of the run: how busy the machine was.
	LoadAvg [2]string     `json:"loadavg,omitempty"`
	Elapsed time.Duration `json:"elapsed_ns"`
}

// CorpusInfo describes the corpus measured.
type CorpusInfo struct {
	Source    string  `json:"source"` // "generated" or the file
	Articles  int     `json:"articles"`
	Seed      uint64  `json:"seed,omitempty"`
	Size      int     `json:"size,omitempty"`
	MeanBytes float64 `json:"mean_bytes"`
}

// Rate is a throughput measurement: the median of the runs, and every run.
type Rate struct {
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

// GazetteerResult is the gazetteer measurement: compiling the pack with generated entries and tagging with it.
type GazetteerResult struct {
	Entries        int     `json:"entries"`
	CompileSeconds float64 `json:"compile_seconds"`
	ArticlesPerSec float64 `json:"one_core_articles_per_sec"`
	ArticlesPerCPU float64 `json:"one_core_articles_per_cpu_sec"`
	// Slowdown is the default pack's 1-core rate over this one, per CPU second where measured.
	Slowdown float64 `json:"slowdown"`
}

// PipelineReport is the end-to-end measurement through Kafka.
type PipelineReport struct {
	Brokers    []string    `json:"brokers"`
	Embedded   bool        `json:"embedded"`
	Partitions int         `json:"partitions"`
	Max        PhaseResult `json:"max"`
	Full       PhaseResult `json:"full_rate"`
	Half       PhaseResult `json:"half_rate"`
	// RatioToTagger is the max pipeline rate over the all-cores tagger rate.
	RatioToTagger float64 `json:"ratio_to_tagger"`
	// BrokerCPUPerArticle is the CPU time the local broker (--broker-pid) used per article in the max phase.
	BrokerCPUPerArticle time.Duration `json:"broker_cpu_per_article_ns,omitempty"`
	// Warmup is the number of articles drained before the max phase was timed.
	Warmup int `json:"warmup"`
	// Segments are the rates of the max phase's timed segments, in order; Max has their median.
	Segments []float64 `json:"segments_articles_per_sec"`
	// Cost is what one article costs in the max phase: CPU of the tagger alone, the pipeline process and the
	// broker, and the output topic's log bytes.
	Cost Cost `json:"cost_per_article"`

	pipelineCPU, brokerCPU time.Duration // over the max phase's timed articles
	logBytes               float64
	logSource              string
}

// PhaseResult is one phase of the end-to-end measurement: its rate and, for the paced phases, latency.
type PhaseResult struct {
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

// Run measures what o asks for and returns the report. It writes progress lines to o.Progress (and nothing
// else: printing the report is the caller's, see Report.WriteText). Errors in the options wrap ErrUsage.
func Run(ctx context.Context, o Options) (Report, error) {
	began := time.Now()
	if err := o.check(); err != nil {
		return Report{}, err
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	articles, info, err := loadCorpus(o)
	if err != nil {
		return Report{}, err
	}
	t := o.Tagger
	if o.Record == "" {
		o.Record = tagger.RecordFull
	}
	rep := Report{
		Time: began.UTC(), Version: o.Version, Go: runtime.Version(), CPU: cpuModel(), NumCPU: runtime.NumCPU(),
		Corpus: info, RulesVersion: t.Rules().Version(), Discovery: !o.NoDiscovery, Record: string(o.Record),
		LoadAvg: [2]string{loadAvg(), ""},
	}
	bytesPer := info.MeanBytes
	fmt.Fprintf(o.Progress, "tagger, 1 core (%d x %v) ...\n", o.Repeat, o.Duration)
	if rep.OneCore, err = measureTagger(ctx, t, articles, 1, o, bytesPer); err != nil {
		return Report{}, err
	}
	n := runtime.NumCPU()
	fmt.Fprintf(o.Progress, "tagger, %d cores ...\n", n)
	if rep.AllCores, err = measureTagger(ctx, t, articles, n, o, bytesPer); err != nil {
		return Report{}, err
	}
	if o.Gazetteer > 0 {
		fmt.Fprintf(o.Progress, "gazetteer of %d generated entries ...\n", o.Gazetteer)
		g, err := measureGazetteer(ctx, articles, o, bytesPer, rep.OneCore)
		if err != nil {
			return Report{}, err
		}
		rep.Gazetteer = g
	}
	if o.Conn != nil || o.Embedded {
		var c kafkaio.Conn
		if o.Conn != nil {
			c = *o.Conn
		} else {
			eb, err := kafkaio.StartEmbedded(0, o.Partitions)
			if err != nil {
				return Report{}, err
			}
			defer eb.Close()
			c = pipeline.DefaultConfig().Conn
			c.Brokers = eb.Brokers()
		}
		r, err := benchPipeline(ctx, o, c, articles, bytesPer)
		if err != nil {
			return Report{}, err
		}
		r.Embedded = o.Conn == nil
		r.Cost = costOf(rep.OneCore.ArticlesPerCPUSec, r.pipelineCPU, r.brokerCPU, r.Max.Articles)
		r.Cost.OutputLogBytes, r.Cost.LogBytesSource = r.logBytes, r.logSource
		if rep.AllCores.ArticlesPerSec > 0 {
			r.RatioToTagger = r.Max.ArticlesPerSec / rep.AllCores.ArticlesPerSec
		}
		rep.Pipeline = r
	}
	rep.PeakRSS = peakRSS()
	rep.LoadAvg[1] = loadAvg()
	rep.Elapsed = time.Since(began)
	return rep, nil
}

// loadCorpus generates the corpus or reads it from o.CorpusPath.
func loadCorpus(o Options) ([]tagger.Article, CorpusInfo, error) {
	var (
		as   []tagger.Article
		info CorpusInfo
	)
	if o.CorpusPath == "" {
		as = corpus.New(o.Seed).Articles(o.Articles, o.Size)
		info = CorpusInfo{Source: "generated", Articles: len(as), Seed: o.Seed, Size: o.Size}
	} else {
		f, err := os.Open(o.CorpusPath)
		if err != nil {
			return nil, info, fmt.Errorf("%w: %w", ErrUsage, err)
		}
		defer f.Close()
		err = tagger.ReadArticles(f, tagger.FormatJSONL, func(a tagger.Article, err error) error {
			if err != nil {
				return fmt.Errorf("%s: %w", o.CorpusPath, err)
			}
			as = append(as, a)
			return nil
		})
		if err != nil {
			return nil, info, err
		}
		if len(as) == 0 {
			return nil, info, fmt.Errorf("%w: %s: no articles", ErrUsage, o.CorpusPath)
		}
		info = CorpusInfo{Source: o.CorpusPath, Articles: len(as)}
	}
	var total int
	for _, a := range as {
		total += len(a.Title) + len(a.Body)
	}
	info.MeanBytes = float64(total) / float64(len(as))
	return as, info, nil
}
