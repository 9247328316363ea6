package main

import (
	"context"
	"fmt"
	"net"
	"os"

	"github.com/spf13/cobra"

	"github.com/tagpipe/tagpipe/internal/cliconfig"
	"github.com/tagpipe/tagpipe/internal/studio"
	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/tagger"
)

func newStudioCmd(e *env) *cobra.Command {
	var (
		cfg         studio.Config
		addr, topic string
		fields      []string
		shadowTopic string
		ner         string
	)
	cmd := &cobra.Command{
		Use:   "studio [--rules PATH] [--gold FILE] [--corpus FILE] [--brokers HOST:PORT --topic TOPIC [--shadow-topic TOPIC]] [--http ADDR]",
		Short: "Tune rules in the browser: highlighted evidence, live validation, eval, diffs and the live feed",
		Long: `Studio serves a web application for rule tuning (no network needed; everything is embedded):

  Article  paste, upload or pick an article (gold file or corpus): entities highlighted by type, topic
           evidence underlined, hover for the rule, the alias or term and how it counted; every label's score,
           the ones just under the threshold too.
  Rules    the pack's files, validated as you type with errors at their line and column, the current article
           re-tagged on every valid change, the examples run, save (atomic, NAME.bak kept), diff against saved.
  Eval     per-label P/R/F1 and per-rule statistics over --gold, a miss list that opens in the article view.
  Live     with --brokers: the tagged records of --topic as they arrive, filtered, counts per label; with
           --shadow-topic also what a shadow run's candidate rules change (tagpipe run --shadow-rules).

It listens on 127.0.0.1:8080 by default; any non-loopback address needs --http-token (env
TAGPIPE_HTTP_TOKEN), which the page asks for and sends as a bearer token. Without --corpus the demo's sample
articles are the corpus; without --rules the embedded pack is used (edits can be tried, not saved: run
"tagpipe rules init DIR" and start with --rules DIR).`,
		Example: `  tagpipe studio
  tagpipe rules init my-rules/ && tagpipe studio --rules my-rules/ --gold testdata/eval/holdout.jsonl
  tagpipe studio --rules my-rules/ --brokers 127.0.0.1:9092 --topic articles.tagged --shadow-topic tagpipe.shadow`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := studio.CheckAddr(addr, cfg.Token); err != nil {
				return usageError{err}
			}
			mode, err := tagger.ParseNERMode(ner)
			if err != nil {
				return usageError{fmt.Errorf("--ner: %w", err)}
			}
			if cfg.NoDiscovery && mode != tagger.NERBuiltin {
				return usageError{fmt.Errorf("--no-discovery conflicts with --ner %s", mode)}
			}
			cfg.NER = mode
			conn := kafkaio.DefaultConn()
			if err := cliconfig.ApplyConn(&conn, cmd.Flags(), os.Getenv); err != nil {
				return usageError{err}
			}
			if shadowTopic != "" && len(conn.Brokers) == 0 {
				return usageError{fmt.Errorf("--shadow-topic needs --brokers")}
			}
			if len(conn.Brokers) > 0 {
				if err := conn.ResolveSecrets(); err != nil {
					return usageError{err}
				}
				if err := conn.Validate(); err != nil {
					return usageError{err}
				}
				tail := func(topic string) studio.LiveSource {
					return func(ctx context.Context, fn func([]byte) error) error {
						return kafkaio.Tail(ctx, conn, topic, kafkaio.TailOptions{},
							func(m kafkaio.Message) error { return fn(m.Value) })
					}
				}
				cfg.Live = tail(topic)
				if shadowTopic != "" {
					cfg.Shadow = tail(shadowTopic)
				}
			}
			dec, err := tagger.NewDecoder("", "", fields)
			if err != nil {
				return usageError{fmt.Errorf("--field: %w", err)}
			}
			cfg.Decoder = dec
			cfg.Log = e.logger().With("component", "studio")
			s, err := studio.New(cfg)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return fmt.Errorf("--http %s: %w", addr, err)
			}
			fmt.Fprintf(e.stdout, "tagpipe studio on http://%s/ (Ctrl-C stops it)\n", ln.Addr())
			return s.Serve(cmd.Context(), ln)
		},
	}
	connFlags(cmd)
	f := cmd.Flags()
	f.StringVar(&cfg.RulesPath, "rules", envOr("TAGPIPE_RULES", ""), "rule pack directory or file to edit (default: the embedded pack, read-only)")
	f.StringVar(&cfg.GoldPath, "gold", "", "gold JSONL file for the eval view")
	f.StringVar(&cfg.CorpusPath, "corpus", "", "JSONL articles to pick from and diff over (default: the demo's samples)")
	f.StringVar(&topic, "topic", "articles.tagged", "with --brokers: the topic of tagged records for the live view")
	f.StringVar(&shadowTopic, "shadow-topic", "", "with --brokers: also show the differences a shadow run publishes to this topic (e.g. tagpipe.shadow)")
	f.StringVar(&addr, "http", "127.0.0.1:8080", "address to serve on")
	f.StringVar(&cfg.Token, "http-token", os.Getenv("TAGPIPE_HTTP_TOKEN"), "bearer token required by the API; required off loopback (env TAGPIPE_HTTP_TOKEN)")
	f.StringArrayVar(&fields, "field", nil, "map an article field of pasted JSON to JSON Pointers tried in order, NAME=/ptr[,/ptr...] for id, title, body, published_at (repeatable)")
	f.BoolVar(&cfg.NoDiscovery, "no-discovery", false, "report only gazetteer entities, no discovered names")
	f.StringVar(&ner, "ner", envOr("TAGPIPE_NER", "builtin"), "how names no rule lists are found: builtin, prose or hybrid (see tagpipe tag --help)")
	return cmd
}
