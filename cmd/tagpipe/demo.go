package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagpipe/tagpipe/internal/samples"
	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/pipeline"
	"github.com/tagpipe/tagpipe/tagger"
)

// demoTimeout bounds the whole demo; it normally takes a second or two.
const demoTimeout = 60 * time.Second

func newDemoCmd(e *env) *cobra.Command {
	var rulesPath string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Tag the bundled sample articles through an embedded Kafka broker: no setup, no network",
		Long: `Demo starts an in-process Kafka-protocol broker (memory only), runs the same pipeline as 'tagpipe run' on it,
produces the bundled sample articles (short original stories about North Korea, Russia, leaflets and the military,
plus a few that only look related), reads the tagged records back and prints each article's topics and entities,
then a summary. Nothing is written to disk and nothing leaves the machine.`,
		Example: `  tagpipe demo
  tagpipe demo --rules my-rules/`,
		Args: noPositionalArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), demoTimeout)
			defer cancel()
			return runDemo(ctx, e, rulesPath)
		},
	}
	cmd.Flags().StringVar(&rulesPath, "rules", "", "rule pack to use instead of the embedded one")
	return cmd
}

func runDemo(ctx context.Context, e *env, rulesPath string) error {
	began := time.Now()
	// The pipeline's own progress logs would drown the demo's output: show warnings only, unless asked for debug.
	log := e.logger()
	if e.logLevel.Level() > slog.LevelDebug {
		log = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	var arts []tagger.Article
	if err := tagger.ReadArticles(bytes.NewReader(samples.JSONL()), tagger.FormatJSONL, func(a tagger.Article, err error) error {
		if err != nil {
			return fmt.Errorf("bundled samples: %w", err) // cannot happen: the samples are tested
		}
		arts = append(arts, a)
		return nil
	}); err != nil {
		return err
	}

	rs, err := loadRules(e, rulesPath)
	if err != nil {
		return err
	}
	t, err := tagger.New(rs, tagger.WithVersion(version), tagger.WithLogger(log))
	if err != nil {
		return err
	}
	broker, err := kafkaio.StartEmbedded(0, 3)
	if err != nil {
		return err
	}
	defer broker.Close()

	cfg := pipeline.DefaultConfig()
	cfg.Brokers = broker.Brokers()
	cfg.CreateTopics = true
	cfg.RulesTopic = ""
	cfg.Workers = 4
	cfg.CommitInterval = 200 * time.Millisecond
	cfg.ShutdownTimeout = 10 * time.Second
	if err := kafkaio.CreateTopics(ctx, cfg.Conn, cfg.Partitions, 1, cfg.In, cfg.Out, cfg.DLQ); err != nil {
		return err
	}
	p, err := pipeline.New(cfg, t, pipeline.WithLogger(log))
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()

	prod, err := kafkaio.NewProducer(ctx, cfg.Conn, cfg.In, log)
	if err != nil {
		return err
	}
	ids, err := prod.Send(ctx, arts...)
	prod.Close()
	if err != nil {
		return err
	}

	recs := make(map[string]*tagger.Record, len(ids))
	err = kafkaio.Tail(ctx, cfg.Conn, cfg.Out, kafkaio.TailOptions{FromBeginning: true}, func(m kafkaio.Message) error {
		rec := new(tagger.Record)
		if err := json.Unmarshal(m.Value, rec); err != nil {
			return fmt.Errorf("tagged record at %d/%d: %w", m.Partition, m.Offset, err)
		}
		recs[string(m.Key)] = rec
		if len(recs) == len(ids) {
			return kafkaio.ErrStop
		}
		return nil
	})
	stop()
	runErr := <-done
	if err != nil {
		return err
	}
	if len(recs) < len(ids) {
		return fmt.Errorf("demo: only %d of %d articles came back tagged within %s", len(recs), len(ids), demoTimeout)
	}
	if runErr != nil {
		return fmt.Errorf("demo pipeline: %w", runErr)
	}

	out := bufio.NewWriter(e.stdout)
	defer out.Flush()
	fmt.Fprintf(out, "tagpipe demo: %d sample articles -> embedded Kafka broker %s (in memory) -> tagpipe pipeline -> %s\n\n",
		len(ids), cfg.Brokers[0], cfg.Out)
	ordered := make([]*tagger.Record, len(ids))
	for i, id := range ids {
		ordered[i] = recs[id]
	}
	printDemo(out, ordered)
	fmt.Fprintf(out, "\ndone in %s. Next: tagpipe run --brokers HOST:9092 (or tagpipe run --http 127.0.0.1:9464 for an embedded broker you can curl).\n",
		time.Since(began).Round(10*time.Millisecond))
	return nil
}

// printDemo prints each record's title, topics and entities, then a summary of labels.
func printDemo(w io.Writer, recs []*tagger.Record) {
	counts := map[string]int{}
	untagged := 0
	for _, rec := range recs {
		fmt.Fprintf(w, "%s\n", rec.Article.Title)
		var topics []string
		for _, t := range rec.Topics {
			topics = append(topics, fmt.Sprintf("%s (%.2f)", t.Label, t.Score))
			counts[t.Label]++
		}
		if len(topics) == 0 {
			untagged++
		}
		var ents []string
		for _, k := range rec.Canonicals() {
			ents = append(ents, fmt.Sprintf("%s [%s]", k.Canonical, k.Type))
		}
		fmt.Fprintf(w, "  topics:   %s\n", orDash(strings.Join(topics, ", ")))
		fmt.Fprintf(w, "  entities: %s\n", orDash(strings.Join(ents, ", ")))
	}
	labels := make([]string, 0, len(counts))
	for l := range counts {
		labels = append(labels, l)
	}
	slices.SortFunc(labels, func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(a, b)
	})
	var parts []string
	for _, l := range labels {
		parts = append(parts, fmt.Sprintf("%s %d", l, counts[l]))
	}
	fmt.Fprintf(w, "\nsummary: %d articles, %d with topics, %d with none; labels: %s\n",
		len(recs), len(recs)-untagged, untagged, orDash(strings.Join(parts, ", ")))
}
