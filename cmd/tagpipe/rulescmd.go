package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/pipeline"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

func newRulesCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "Start, check and test rule packs",
		Long: `A rule pack is a directory of YAML files with a gazetteer (entities and their aliases), topic rules,
discovery hints and examples. The default pack is embedded in tagpipe; "rules init" writes it out so you can tune
it, "rules check" validates a pack, "rules test" runs the examples written beside the rules and "rules publish"
hands a pack to running instances, which reload it without a restart.

The language is documented in docs/rule-language.md.`,
		Example: `  tagpipe rules init my-rules/
  $EDITOR my-rules/topics.yaml
  tagpipe rules check my-rules/ && tagpipe rules test my-rules/
  tagpipe tag --rules my-rules/ articles.jsonl`,
	}
	cmd.AddCommand(newRulesInitCmd(e), newRulesCheckCmd(e), newRulesTestCmd(e), newRulesPublishCmd(e),
		newRulesDiffCmd(e), newRulesFitCmd(e))
	return cmd
}

func newRulesInitCmd(e *env) *cobra.Command {
	var force bool
	return withForce(&cobra.Command{
		Use:   "init DIR",
		Short: "Write the default rule pack to DIR as editable files",
		Long: `Init writes the embedded default rule pack into DIR (created if missing) so you can tune it. It refuses
to overwrite existing files unless --force is given.`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			dir := args[0]
			src := rules.DefaultFS()
			names, err := fs.Glob(src, "*.y*ml")
			if err != nil {
				return err
			}
			if !force {
				for _, name := range names {
					if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
						return usageError{fmt.Errorf("%s already exists (use --force to overwrite)", filepath.Join(dir, name))}
					}
				}
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			for _, name := range names {
				b, err := fs.ReadFile(src, name)
				if err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
					return err
				}
			}
			fmt.Fprintf(e.stdout, "wrote %d rule files to %s\nnext: tagpipe rules check %s && tagpipe rules test %s\n",
				len(names), dir, dir, dir)
			return nil
		},
	}, &force)
}

func withForce(cmd *cobra.Command, force *bool) *cobra.Command {
	cmd.Flags().BoolVarP(force, "force", "f", false, "overwrite existing files")
	return cmd
}

func newRulesCheckCmd(e *env) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "check PATH",
		Short: "Validate a rule pack and report every error with file:line:col",
		Long: `Check parses, validates and compiles the rule pack at PATH (a directory or one file) and reports every
error it finds, one per line as file:line:col: code: message with the offending line and a caret below it.
--format json prints the errors as a JSON array for editors and CI. Exit code 0 when the pack is valid, 1 when
it is not.`,
		Example: `  tagpipe rules check my-rules/
  tagpipe rules check --format json my-rules/topics.yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError{fmt.Errorf("--format must be text or json, not %q", format)}
			}
			pack, err := rules.LoadPath(args[0])
			var errs rules.ErrorList
			if err != nil {
				errs = ruleErrors(args[0], err)
			}
			if format == "json" {
				if errs == nil {
					errs = rules.ErrorList{}
				}
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(errs); err != nil {
					return err
				}
			} else if len(errs) > 0 {
				printRuleErrors(e.stdout, errs, true)
			}
			if len(errs) > 0 {
				fmt.Fprintf(e.stderr, "%s: %d error(s)\n", args[0], len(errs))
				return exitError{exitFailure}
			}
			if format == "text" {
				var ents, topics, examples int
				for _, f := range pack.Files {
					ents += len(f.Entities)
					topics += len(f.Topics)
					examples += len(f.Examples)
				}
				fmt.Fprintf(e.stdout, "%s: OK: %d file(s), %d entities, %d topics, %d examples, version %s\n",
					args[0], len(pack.Files), ents, topics, examples, pack.Rules.Version())
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

// printRuleErrors prints one error per line; with snippet, the offending source line and a caret follow.
func printRuleErrors(w io.Writer, errs rules.ErrorList, snippet bool) {
	sources := map[string][]string{}
	for _, err := range errs {
		fmt.Fprintf(w, "%s: %s: %s\n", err.Pos, err.Code, err.Msg)
		if !snippet || !err.Pos.IsValid() || err.Pos.File == "" {
			continue
		}
		lines, ok := sources[err.Pos.File]
		if !ok {
			if b, rerr := os.ReadFile(err.Pos.File); rerr == nil {
				lines = strings.Split(string(b), "\n")
			}
			sources[err.Pos.File] = lines
		}
		if err.Pos.Line > len(lines) {
			continue
		}
		line := strings.TrimRight(lines[err.Pos.Line-1], "\r")
		fmt.Fprintf(w, "    %s\n", line)
		if err.Pos.Col > 0 {
			// Keep tabs so the caret lines up under the column in the terminal.
			var pad strings.Builder
			for i, r := range []rune(line) {
				if i >= err.Pos.Col-1 {
					break
				}
				if r == '\t' {
					pad.WriteRune('\t')
				} else {
					pad.WriteRune(' ')
				}
			}
			fmt.Fprintf(w, "    %s^\n", pad.String())
		}
	}
}

func newRulesTestCmd(e *env) *cobra.Command {
	var (
		format      string
		noDiscovery bool
	)
	cmd := &cobra.Command{
		Use:   "test [PATH]",
		Short: "Run the examples written beside the rules through the full tagger",
		Long: `Test compiles the rule pack at PATH (default: the embedded pack) and runs every entry of its
"examples" sections through the full tagger, entity discovery included. An example lists labels (and entities
written TYPE:Canonical) that must appear under "want" and must not appear under "not". Each failure is reported
with the file and line of its example; the exit code is 1 when any example fails.`,
		Example: `  tagpipe rules test my-rules/
  tagpipe rules test --format json my-rules/ | jq '.[].example.name'`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError{fmt.Errorf("--format must be text or json, not %q", format)}
			}
			path := ""
			if len(args) == 1 {
				path = args[0]
			}
			tf := taggerFlags{rulesPath: path, noDiscovery: noDiscovery}
			t, err := tf.newTagger(e)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			failures := rules.RunExamples(t.Rules(), func(d rules.Doc) (labels, entities []string) {
				rec, err := t.Tag(ctx, tagger.Article{Title: d.Title, Body: d.Body})
				if err != nil {
					return nil, nil
				}
				labels = rec.Labels()
				for _, ent := range rec.Entities {
					entities = append(entities, ent.Type+":"+ent.Canonical)
				}
				return labels, entities
			})
			total := len(t.Rules().Examples())
			if format == "json" {
				if failures == nil {
					failures = []rules.ExampleFailure{}
				}
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(failures); err != nil {
					return err
				}
			} else {
				for _, f := range failures {
					fmt.Fprintln(e.stdout, f.Error())
				}
				fmt.Fprintf(e.stdout, "%d/%d examples passed\n", total-len(failures), total)
			}
			if len(failures) > 0 {
				return exitError{exitFailure}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().BoolVar(&noDiscovery, "no-discovery", false, "run the examples without entity discovery")
	return cmd
}

func newRulesPublishCmd(e *env) *cobra.Command {
	var (
		topic  string
		create bool
	)
	cmd := &cobra.Command{
		Use:   "publish --brokers HOST:PORT [flags] PATH",
		Short: "Publish a rule pack to the rules topic, where running instances hot-reload it",
		Long: `Publish validates and compiles the rule pack at PATH (a directory of YAML files or one file) and, only
if it compiles, produces it as one record to --topic. Every "tagpipe run" reading that topic swaps to the new rules
without a restart; an instance that cannot load a pack logs why and keeps its current rules. It prints the
published rules version, which running instances report in the tagpipe-rules-version header and in
tagpipe_rules_info.`,
		Example: `  tagpipe rules check my-rules/ && tagpipe rules test my-rules/ && \
  tagpipe rules publish --brokers 127.0.0.1:9092 my-rules/`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pack, err := rules.LoadPath(args[0])
			if err != nil {
				errs := ruleErrors(args[0], err)
				printRuleErrors(e.stderr, errs, true)
				return usageError{fmt.Errorf("rule pack %s: %d error(s); nothing published", args[0], len(errs))}
			}
			conn, err := resolveConn(cmd)
			if err != nil {
				return err
			}
			cfg := pipeline.DefaultConfig()
			cfg.Conn = conn
			cfg.RulesTopic = topic
			cfg.CreateTopics = create
			v, err := pipeline.PublishPack(cmd.Context(), cfg, pack)
			if err != nil {
				var el rules.ErrorList
				if errors.As(err, &el) {
					printRuleErrors(e.stderr, el, false)
					return usageError{fmt.Errorf("rule pack %s: %d error(s); nothing published", args[0], len(el))}
				}
				if aerr := kafkaio.Access(kafkaio.OpWrite, topic, "", err); kafkaio.IsAccess(aerr) {
					return fmt.Errorf("publish rules to %s: %w", topic, aerr)
				}
				return err
			}
			fmt.Fprintf(e.stdout, "published %s (%d files) to %s\n", v, len(pack.Sources), topic)
			return nil
		},
	}
	connFlags(cmd)
	cmd.Flags().StringVar(&topic, "topic", pipeline.DefaultConfig().RulesTopic, "rules topic that running instances read")
	cmd.Flags().BoolVar(&create, "create-topics", false, "create the rules topic (one partition) if missing")
	return cmd
}
