package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagpipe/tagpipe/internal/benchrun"
	"github.com/tagpipe/tagpipe/internal/cliconfig"
	"github.com/tagpipe/tagpipe/internal/corpus"
	"github.com/tagpipe/tagpipe/pipeline"
	"github.com/tagpipe/tagpipe/tagger"
)

// benchFlags are the flags of `tagpipe bench` that are not benchrun.Options fields.
type benchFlags struct {
	writeCorpus, jsonPath, cpuProfile, record string
	tf                                        taggerFlags
}

func newBenchCmd(e *env) *cobra.Command {
	var (
		o  benchrun.Options
		bf benchFlags
	)
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
  cost per article    in the max phase: CPU µs of the tagger alone (1 core), of this process and of the broker
                      (--broker-pid), the ratio (pipeline + broker) / tagger, and the output topic's log bytes
                      per article (from the broker's log dirs); --record full|compact picks the records produced
  peak RSS            VmHWM of the process (Linux)

"per CPU-s" is articles per second of the process's CPU time (all threads, GC included): on a machine shared
with other work, what one core would do if the process had it to itself. Each tagger measurement runs --repeat
times for at least --duration; the table shows the median. It prints a table, and with --json writes every number to a file (- for stdout).
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
			if o.Articles < 1 || o.Size < 1 || o.Repeat < 1 || o.Duration <= 0 || o.Gazetteer < 0 || o.Warmup < 0 {
				return usageError{errors.New("--articles, --size, --repeat and --duration must be positive, --gazetteer and --warmup not negative")}
			}
			if !slices.Contains(pipeline.Compressions(), o.Compression) {
				return usageError{fmt.Errorf("--compression %q: want one of %s", o.Compression, strings.Join(pipeline.Compressions(), ", "))}
			}
			rf, err := tagger.ParseRecordFormat(bf.record)
			if err != nil {
				return usageError{fmt.Errorf("--record: %w", err)}
			}
			o.Record = rf
			if bf.writeCorpus != "" {
				return writeCorpusFile(bf.writeCorpus, o)
			}
			if cmd.Flags().Changed("brokers") || os.Getenv(cliconfig.EnvName("brokers")) != "" {
				c, err := resolveConn(cmd)
				if err != nil {
					return err
				}
				o.Conn = &c
			}
			if o.Conn != nil && o.Embedded {
				return usageError{errors.New("--brokers and --embedded exclude each other")}
			}
			return runBench(e, cmd, o, bf)
		},
	}
	bf.tf.register(cmd)
	f := cmd.Flags()
	f.IntVar(&o.Articles, "articles", 2000, "articles in the corpus")
	f.IntVar(&o.Size, "size", corpus.DefaultSize, "bytes of title and body per article")
	f.Uint64Var(&o.Seed, "seed", 1, "corpus seed")
	f.StringVar(&o.CorpusPath, "corpus", "", "benchmark this JSONL file instead of a generated corpus")
	f.StringVar(&bf.writeCorpus, "write-corpus", "", "write the generated corpus to this JSONL file and exit")
	f.StringVar(&bf.jsonPath, "json", "", "write the results to this JSON file (- for stdout; default: none)")
	f.DurationVar(&o.Duration, "duration", 3*time.Second, "minimum time of each tagger measurement")
	f.IntVar(&o.Repeat, "repeat", 3, "repetitions of each tagger measurement (the median is reported)")
	f.IntVar(&o.Gazetteer, "gazetteer", 10000, "generated gazetteer entries for the compile and slowdown measurement (0: skip)")
	f.BoolVar(&o.Embedded, "embedded", false, "run the end-to-end part on the embedded in-memory broker")
	f.DurationVar(&o.E2EDuration, "e2e-duration", 10*time.Second, "duration of each paced end-to-end phase")
	f.IntVar(&o.BrokerPID, "broker-pid", 0, "pid of a local broker: report its CPU time per article in the max phase (Linux)")
	f.StringSliceVar(&o.BrokerLogDirs, "broker-log-dir", nil, "log directories of the local broker, for the output topic's bytes per article (default: log.dirs of the --broker-pid's properties file)")
	f.StringVar(&bf.record, "record", "full", "record format the pipeline produces: full or compact")
	f.Float64Var(&o.Rate, "rate", 0, "full rate of the paced end-to-end phases, articles/s (0: the measured max)")
	f.IntVar(&o.E2EArticles, "e2e-articles", 20000, "articles preloaded for the max end-to-end rate (the corpus cycled; 0: the corpus once)")
	f.IntVar(&o.Warmup, "warmup", 10000, "articles drained through the pipeline before the max rate is timed")
	f.StringVar(&o.Compression, "compression", "none", "the pipeline's producer codec: "+strings.Join(pipeline.Compressions(), ", "))
	f.BoolVar(&o.KeepTopics, "keep-topics", false, "keep the end-to-end part's topics instead of deleting them")
	f.IntVar(&o.Partitions, "partitions", 2, "partitions of the benchmark topics")
	f.IntVar(&o.Workers, "workers", 0, "pipeline tagging goroutines (0: the pipeline's default)")
	f.StringVar(&bf.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run to this file (go tool pprof)")
	connFlags(cmd)
	return cmd
}

func writeCorpusFile(path string, o benchrun.Options) error {
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := benchrun.WriteCorpus(out, o); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// runBench builds the tagger, runs the benchmark and prints (and with --json writes) the report.
func runBench(e *env, cmd *cobra.Command, o benchrun.Options, bf benchFlags) error {
	if bf.cpuProfile != "" {
		f, err := os.Create(bf.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	t, err := bf.tf.newTagger(e)
	if err != nil {
		return err
	}
	o.Tagger, o.NoDiscovery, o.Version = t, bf.tf.noDiscovery, version
	o.Progress, o.Log = e.stderr, e.logger()
	rep, err := benchrun.Run(cmd.Context(), o)
	if errors.Is(err, benchrun.ErrUsage) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	rep.WriteText(e.stdout)
	return writeBenchJSON(e, bf.jsonPath, &rep)
}

func writeBenchJSON(e *env, path string, r *benchrun.Report) error {
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
