package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/tagpipe/tagpipe/internal/cliconfig"
	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/pipeline"
	"github.com/tagpipe/tagpipe/tagger"
)

func newRunCmd(e *env) *cobra.Command {
	flagCfg := pipeline.DefaultConfig() // bound to the flags, for their defaults and help only
	var configFile string
	cmd := &cobra.Command{
		Use:   "run [flags]",
		Short: "Run the Kafka service: consume raw articles, tag them, produce tagged records",
		Long: `Run joins a Kafka consumer group on --in, tags every record with a pool of --workers and produces the
tagged record to --out, keyed by article id, with the headers content-type: application/json,
tagpipe-rules-version and tagpipe-record (the record format). With --route-prefix P it also copies each record
to one topic per label (P + label).

Input (--input-format, --field, --html): a record value is a JSON object with id, title and body (json, the
default), UTF-8 text whose first non-empty line is the title and the rest the body, its id the record key (text;
the record gets "input_format":"text"), or either (auto: objects as json, the rest as text). --field maps the
article's fields to RFC 6901 JSON Pointers into another JSON shape (--field title=/headline --field
body=/content,/text: tried in order; a missing one is empty; one of the wrong type is a dead letter naming the
pointer). A body holding HTML tags is tagged as its text (--html auto; strip: every body; off: none), carried in
body_text, to which the body spans point. Records without an id get a content hash of title and body.
Output (--record): full (one entity entry per mention, one evidence entry per hit; the default) or compact (one
entry per entity with its mentions as spans, per rule its first span and count; docs/record.compact.schema.json).

Delivery is at least once: a partition's offset is committed only up to the last record whose output (or dead
letter) the brokers acknowledged, in order; partitions revoked by a rebalance are not committed any more. A
record that cannot be decoded or tagged, an empty or null value, a tagged record too large even after trimming
its evidence and a record whose tagging takes longer than --max-tag-time (reason timeout) go to --dlq with the
original key and value and the headers tagpipe-error, tagpipe-source-topic, tagpipe-source-partition and
tagpipe-source-offset (a value too large for the DLQ topic is truncated, marked by tagpipe-value-truncated and
tagpipe-original-size). Input never stops the service. A broker outage does not either: produces are retried
with jittered backoff until the brokers are back. An unusable output (topic missing or not writable) stops it
after --max-attempts, without committing past it.

On SIGINT or SIGTERM it stops fetching, drains in-flight records, flushes, commits and exits 0 within
--shutdown-timeout.

Configuration: flags > environment > --config file > defaults. Every flag has an environment variable, shown
after its help (TAGPIPE_BROKERS, TAGPIPE_IN, ...). The --config YAML file uses the flag names as keys
(brokers: [a:9092], in: articles.raw, workers: 8, shutdown-timeout: 30s); unknown keys are errors with their
line and column, and every error names the flag, variable or file position of the bad value.
The SASL password comes from TAGPIPE_SASL_PASSWORD or --sasl-password-file and is never logged.

With no --brokers, run starts an embedded in-memory broker (data is lost on exit); with --http it then also
accepts POST /articles (one JSON article or JSONL), so the service can be tried with curl.

--http serves /metrics (Prometheus), /healthz and /readyz; binding off loopback requires a bearer token, from
TAGPIPE_HTTP_TOKEN or --http-token-file (--http-token works too but shows in process listings).
Rules are hot-reloaded, between records, from two sources: packs published to --rules-topic (tagpipe rules
publish), and the files of --rules, watched: an edit, a file renamed over another or the symlink swap of a
Kubernetes ConfigMap volume takes effect within 2 s. A pack that fails to load is logged with its
file:line:col errors and counted (tagpipe_rules_reload_failures_total, tagpipe_rules_last_reload_success 0),
and the current rules stay; a change of comments only swaps nothing. If both sources change, the last change
wins. Every record names its rules in tagger.rules_version and the tagpipe-rules-version header.

A shadow run (--shadow-rules PATH) tags every record with a candidate pack as well and publishes, for the
records whose labels or entities differ, only the difference to --shadow-topic (default tagpipe.shadow):
{"id", "gained": [...], "lost": [...], "old_rules_version", "new_rules_version"}, labels and TYPE:Canonical
entities. What goes to --out never changes. It costs one more tagging per record, its files are watched like
--rules, /metrics counts it (tagpipe_shadow_records_total, tagpipe_shadow_differences_total{label,change}),
and "tagpipe rules diff --from-topic tagpipe.shadow" summarizes it like a corpus diff.`,
		Example: `  tagpipe run --brokers kafka1:9092,kafka2:9092 --in articles.raw --out articles.tagged --dlq articles.dlq --group tagpipe
  TAGPIPE_BROKERS=kafka:9092 TAGPIPE_SASL_PASSWORD=... tagpipe run --sasl-mechanism SCRAM-SHA-512 --sasl-username tagpipe --tls
  tagpipe run --config tagpipe.yaml --http 127.0.0.1:9464
  tagpipe run --brokers kafka:9092 --input-format text                  # kcat -P of plain text, keyed by id
  tagpipe run --brokers kafka:9092 --field id=/meta/guid --field title=/headline --field body=/content
  tagpipe run --brokers kafka:9092 --record compact
  tagpipe run --rules /etc/tagpipe/rules --shadow-rules my-rules/   # live rules watched; my-rules/ in shadow
  tagpipe run --http 127.0.0.1:9464     # embedded broker; then:
  curl -d '{"title":"N. Korea fires missiles","body":"..."}' 127.0.0.1:9464/articles`,
		Args: noPositionalArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := e.logger()
			cfg := pipeline.DefaultConfig()
			if configFile == "" {
				configFile = os.Getenv("TAGPIPE_CONFIG")
			}
			if configFile != "" {
				if err := cliconfig.LoadFile(&cfg, configFile); err != nil {
					return usageError{err}
				}
			}
			if err := cliconfig.ApplyConfig(&cfg, cmd.Flags(), os.Getenv); err != nil {
				return usageError{err}
			}
			if err := cfg.ResolveSecrets(); err != nil {
				return usageError{err}
			}
			embedded := len(cfg.Brokers) == 0
			if embedded {
				eb, err := kafkaio.StartEmbedded(0, cfg.Partitions)
				if err != nil {
					return err
				}
				defer eb.Close()
				cfg.Brokers = eb.Brokers()
				cfg.CreateTopics = true
				log.Warn("no --brokers given: running an embedded in-memory Kafka broker; data is in memory only and lost on exit",
					"bootstrap", cfg.Brokers[0])
				if cfg.HTTP == "" {
					log.Info("add --http 127.0.0.1:9464 to post articles with curl to /articles")
				}
			}
			if err := cfg.Validate(); err != nil {
				return usageError{fmt.Errorf("invalid configuration:\n%w", err)}
			}
			rs, err := loadRules(e, cfg.Rules)
			if err != nil {
				return err
			}
			ner, err := tagger.ParseNERMode(cfg.NER) // checked by Validate
			if err != nil {
				return usageError{err}
			}
			t, err := tagger.New(rs, tagger.WithVersion(version), tagger.WithLogger(log.With("component", "tagger")),
				tagger.WithNER(ner))
			if err != nil {
				return err
			}
			opts := []pipeline.Option{pipeline.WithLogger(log)}
			if cfg.ShadowRules != "" {
				srs, err := loadRules(e, cfg.ShadowRules)
				if err != nil {
					return err
				}
				st, err := tagger.New(srs, tagger.WithVersion(version), tagger.WithLogger(log.With("component", "shadow-tagger")),
					tagger.WithNER(ner))
				if err != nil {
					return err
				}
				opts = append(opts, pipeline.WithShadow(st))
			}
			if embedded {
				opts = append(opts, pipeline.WithArticleEndpoint())
			}
			p, err := pipeline.New(cfg, t, opts...)
			if err != nil {
				return usageError{err}
			}
			err = p.Run(cmd.Context())
			if errors.Is(err, kafkaio.ErrAuth) {
				return fmt.Errorf("%w (the password comes from %s or --sasl-password-file)", err, kafkaio.EnvSASLPassword)
			}
			return err
		},
	}
	cliconfig.BindConfig(cmd.Flags(), &flagCfg)
	cmd.Flags().StringVar(&configFile, "config", "", "YAML configuration file; keys are the flag names (env TAGPIPE_CONFIG)")
	return cmd
}

// noPositionalArgs rejects positional arguments as a usage error (exit 2).
func noPositionalArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("%s takes no arguments, got %q", cmd.CommandPath(), args)}
	}
	return nil
}
