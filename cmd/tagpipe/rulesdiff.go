package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/tagpipe/tagpipe/internal/eval"
	"github.com/tagpipe/tagpipe/internal/rulediff"
	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/tagger"
)

func newRulesDiffCmd(e *env) *cobra.Command {
	var (
		oldPath, newPath, goldPath, format string
		fromTopic                          string
		noDiscovery                        bool
	)
	cmd := &cobra.Command{
		Use:   "diff --new PATH [--old PATH] [CORPUS.jsonl] [--gold FILE] [--format text|json] | diff --from-topic TOPIC --brokers ...",
		Short: "Show which labels and entities a rule change adds or removes over a corpus",
		Long: `Diff tags every article of CORPUS.jsonl with two rule packs, --old (default: the embedded pack) and --new,
and reports each article that gains or loses labels or entities (written TYPE:Canonical), how many articles
gain and lose each label and entity, and with --gold the P/R/F1 of both packs per label. Without CORPUS the
gold file is the corpus.

--format json prints {"articles": N, "changed": N, "labels": {"LABEL": {"gained": N, "lost": N}},
"entities": {...}, "changes": [{"id", "gained": [...], "lost": [...]}], "f1": {"topics", "entities",
"labels": {"LABEL": {"old", "new", "delta"}}}}.

With --from-topic TOPIC (and --brokers) it summarizes a shadow run instead (tagpipe run --shadow-rules): it
reads the differences the run published to TOPIC, from the beginning to the end the topic has when it
starts, and prints the same report. The topic holds only records that changed, so "articles" is "changed"
(tagpipe_shadow_records_total in /metrics counts them all); a record published twice counts once.`,
		Example: `  tagpipe rules diff --new my-rules/ yesterday.jsonl
  tagpipe rules diff --old live-rules/ --new my-rules/ --gold testdata/eval/holdout.jsonl
  tagpipe rules diff --new my-rules/ corpus.jsonl --format json | jq '.labels'
  tagpipe rules diff --from-topic tagpipe.shadow --brokers kafka:9092`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError{fmt.Errorf("--format must be text or json, not %q", format)}
			}
			if fromTopic != "" {
				if oldPath != "" || newPath != "" || goldPath != "" || len(args) > 0 {
					return usageError{errors.New("--from-topic summarizes a shadow run: it takes no --old, --new, --gold or CORPUS")}
				}
				conn, err := resolveConn(cmd)
				if err != nil {
					return err
				}
				report, err := shadowReport(cmd.Context(), conn, fromTopic)
				if err != nil {
					return err
				}
				return writeDiff(e, report, format)
			}
			if newPath == "" {
				return usageError{errors.New("--new PATH (or --from-topic TOPIC) is required")}
			}
			if len(args) == 0 && goldPath == "" {
				return usageError{errors.New("give a CORPUS.jsonl file, --gold FILE or both")}
			}
			oldT, err := (&taggerFlags{rulesPath: oldPath, noDiscovery: noDiscovery}).newTagger(e)
			if err != nil {
				return err
			}
			newT, err := (&taggerFlags{rulesPath: newPath, noDiscovery: noDiscovery}).newTagger(e)
			if err != nil {
				return err
			}
			var (
				golds     []eval.Gold
				goldArts  []tagger.Article
				corpusArt []tagger.Article
			)
			if goldPath != "" {
				if golds, goldArts, err = readGold(goldPath); err != nil {
					return err
				}
				corpusArt = goldArts
			}
			if len(args) == 1 {
				if corpusArt, err = readCorpus(e, args[0]); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			report, err := rulediff.Corpus(ctx, oldT, newT, corpusArt)
			if err != nil {
				return err
			}
			if golds != nil {
				if report.F1, err = rulediff.Gold(ctx, oldT, newT, goldArts, golds); err != nil {
					return err
				}
			}
			return writeDiff(e, report, format)
		},
	}
	cmd.Flags().StringVar(&oldPath, "old", "", "the current rule pack (default: the embedded pack)")
	cmd.Flags().StringVar(&newPath, "new", "", "the candidate rule pack (required)")
	cmd.Flags().StringVar(&goldPath, "gold", "", "gold JSONL file: also compare P/R/F1 per label")
	cmd.Flags().StringVar(&format, "format", "text", "report format: text or json")
	cmd.Flags().BoolVar(&noDiscovery, "no-discovery", false, "compare gazetteer entities only, no discovered names")
	cmd.Flags().StringVar(&fromTopic, "from-topic", "", "summarize the shadow run published to this topic (with --brokers) instead of tagging a corpus")
	connFlags(cmd)
	return cmd
}

func writeDiff(e *env, r *rulediff.Report, format string) error {
	if format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	printDiff(e.stdout, r)
	return nil
}

// shadowReport reads a shadow topic from its beginning to its end and summarizes the changes.
func shadowReport(ctx context.Context, conn kafkaio.Conn, topic string) (*rulediff.Report, error) {
	var changes []rulediff.Change
	err := kafkaio.Tail(ctx, conn, topic, kafkaio.TailOptions{FromBeginning: true, ToEnd: true}, func(m kafkaio.Message) error {
		var c rulediff.Change
		if err := json.Unmarshal(m.Value, &c); err != nil || c.ID == "" {
			return fmt.Errorf("%s/%d@%d is not a shadow difference {\"id\", \"gained\", \"lost\", ...}: %v", m.Topic, m.Partition, m.Offset, err)
		}
		changes = append(changes, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read shadow topic %s: %w", topic, err)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return rulediff.FromChanges(changes), nil
}

// readCorpus reads JSONL articles; an article without an id is named by its line number.
func readCorpus(e *env, path string) ([]tagger.Article, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []tagger.Article
	bad := &badInput{e: e}
	err = tagger.ReadArticles(f, tagger.FormatJSONL, func(a tagger.Article, err error) error {
		if err != nil {
			bad.report(path, err)
			return nil
		}
		if a.ID == "" {
			a.ID = fmt.Sprintf("line-%d", len(out)+bad.count+1)
		}
		out = append(out, a)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if bad.count > 0 {
		return nil, bad.err()
	}
	return out, nil
}

func printDiff(w io.Writer, r *rulediff.Report) {
	fmt.Fprintf(w, "%s -> %s: %d of %d articles changed\n", r.OldVersion, r.NewVersion, r.Changed, r.Articles)
	if r.Changed > 0 {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "\nlabel or entity\tgained\tlost\t")
		for _, m := range []map[string]rulediff.Count{r.Labels, r.Entities} {
			for _, k := range sortedKeys(m) {
				fmt.Fprintf(tw, "%s\t%+d\t%d\t\n", k, m[k].Gained, -m[k].Lost)
			}
		}
		tw.Flush()
		fmt.Fprintln(w)
		for _, c := range r.Changes {
			var parts []string
			for _, x := range c.Gained {
				parts = append(parts, "+"+x)
			}
			for _, x := range c.Lost {
				parts = append(parts, "-"+x)
			}
			fmt.Fprintf(w, "%s: %s\n", c.ID, strings.Join(parts, " "))
		}
	}
	if r.F1 == nil {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "F1\told\tnew\tchange\t")
	row := func(name string, c rulediff.F1Change) {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%+.3f\t\n", name, c.Old, c.New, c.Delta)
	}
	for _, l := range sortedKeys(r.F1.Labels) {
		row(l, r.F1.Labels[l])
	}
	row("topics micro", r.F1.Topics)
	row("entities micro", r.F1.Entities)
	tw.Flush()
}
