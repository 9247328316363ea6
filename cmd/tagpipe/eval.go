package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagpipe/tagpipe/internal/eval"
	"github.com/tagpipe/tagpipe/internal/explain"
	"github.com/tagpipe/tagpipe/internal/rulediff"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

func newEvalCmd(e *env) *cobra.Command {
	var (
		tf                   taggerFlags
		goldPath, format     string
		minTopicF1, minEntF1 float64
		quiet                bool
		topRules             int
	)
	cmd := &cobra.Command{
		Use:   "eval --gold FILE [flags]",
		Short: "Score the tagger against gold-labelled articles",
		Long: `Eval tags every article of a gold file and compares the result with its labels, as the taxonomy
defines it: per article, the set of topic labels and the set of (type, canonical) entity pairs, names compared
ignoring case, spaces, hyphens, dots and apostrophes; a gold entity's "alt" spellings match too. Precision,
recall and F1 are micro-averaged over articles.

The gold file is JSONL: each line an article ("id", "title", "body", ...) with a "gold" member:
  {"id": "a1", "title": "...", "body": "...",
   "gold": {"topics": ["north-korea", "military"],
            "entities": [{"type": "LOCATION", "canonical": "North Korea"},
                         {"type": "ORGANIZATION", "canonical": "UN Security Council", "alt": ["United Nations Security Council"]}]}}

It prints P/R/F1 per topic label and per entity type, the micro averages, and each article's misses (- missed,
+ predicted but not gold), then per-rule statistics: for every topic rule and gazetteer alias, how often it
fired, in how many articles, how often it was evidence of a true label (TP) or of a false one (FP) and how often
the label depended on it alone (dTP, dFP), most harmful first; then the rules that never fired and those that
only ever fired together with another rule of the same label (redundant). --format json has them under "rules". With --min-topic-f1 or --min-entity-f1 it exits 1 when a score falls below.`,
		Example: `  tagpipe eval --gold testdata/eval/holdout.jsonl
  tagpipe eval --gold testdata/eval/holdout.jsonl --ner hybrid -q   # entity modes: builtin, prose, hybrid
  tagpipe eval --gold ../shared/devset/seed-articles.jsonl --min-topic-f1 0.95 --min-entity-f1 0.90
  tagpipe eval --gold gold.jsonl --rules my-rules/ --format json | jq .topics`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if goldPath == "" {
				return usageError{fmt.Errorf("--gold FILE is required")}
			}
			if format != "text" && format != "json" {
				return usageError{fmt.Errorf("--format must be text or json, not %q", format)}
			}
			start := time.Now()
			pack, err := explain.Load(tf.rulesPath)
			if err != nil {
				var el rules.ErrorList
				if errors.As(err, &el) {
					printRuleErrors(e.stderr, el, false)
					return usageError{fmt.Errorf("rule pack %s: %d error(s)", tf.rulesPath, len(el))}
				}
				return err
			}
			t, err := tf.taggerFor(e, pack.Rules)
			if err != nil {
				return err
			}
			loaded := time.Since(start)

			golds, articles, err := readGold(goldPath)
			if err != nil {
				return err
			}
			start = time.Now()
			preds := make(map[string]eval.Prediction, len(articles))
			hits := make(map[string][]eval.RuleHit, len(articles))
			for _, a := range articles {
				rec, err := t.Tag(cmd.Context(), a)
				if err != nil {
					return fmt.Errorf("article %s: %w", a.ID, err)
				}
				preds[a.ID] = rulediff.Prediction(rec)
				hits[a.ID] = pack.RuleHits(rec, pack.Explain(rules.Doc{Title: a.Title, Body: a.Body}, rec))
			}
			tagged := time.Since(start)
			report := eval.Run(golds, func(id string) (eval.Prediction, bool) { p, ok := preds[id]; return p, ok })
			report.Rules = eval.RuleStats(golds, func(id string) []eval.RuleHit { return hits[id] }, pack.RuleIDs())

			if format == "json" {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(report); err != nil {
					return err
				}
			} else {
				printReport(e.stdout, report, quiet)
				printRuleStats(e.stdout, report.Rules, topRules)
				fmt.Fprintf(e.stdout, "\n%d articles; rules loaded in %v, tagged in %v (%s, --ner %s)\n", len(articles),
					loaded.Round(time.Millisecond), tagged.Round(time.Microsecond), t.Rules().Version(), t.NER())
			}
			failed := false
			if f := report.Topics.F1(); f < minTopicF1 {
				fmt.Fprintf(e.stderr, "tagpipe: topic micro-F1 %.3f is below --min-topic-f1 %.3f\n", f, minTopicF1)
				failed = true
			}
			if f := report.Entities.F1(); f < minEntF1 {
				fmt.Fprintf(e.stderr, "tagpipe: entity micro-F1 %.3f is below --min-entity-f1 %.3f\n", f, minEntF1)
				failed = true
			}
			if failed {
				return exitError{exitFailure}
			}
			return nil
		},
	}
	tf.register(cmd)
	cmd.Flags().StringVar(&goldPath, "gold", "", "gold JSONL file (required)")
	cmd.Flags().Float64Var(&minTopicF1, "min-topic-f1", 0, "exit 1 when topic micro-F1 is below this")
	cmd.Flags().Float64Var(&minEntF1, "min-entity-f1", 0, "exit 1 when entity micro-F1 is below this")
	cmd.Flags().StringVar(&format, "format", "text", "report format: text or json")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "text format: leave out the per-article misses")
	cmd.Flags().IntVar(&topRules, "top-rules", 25, "text format: per-rule statistics of this many rules, most harmful first (-1: all, 0: none)")
	return cmd
}

// readGold reads a gold JSONL file: the labels and the article of each line.
func readGold(path string) ([]eval.Gold, []tagger.Article, error) {
	golds, lines, err := eval.ReadGold(path)
	if err != nil {
		return nil, nil, err
	}
	articles := make([]tagger.Article, len(lines))
	for i, line := range lines {
		if articles[i], err = tagger.DecodeArticle(line); err != nil {
			return nil, nil, fmt.Errorf("%s: article %s: %w", path, golds[i].ID, err)
		}
	}
	return golds, articles, nil
}

func printReport(w io.Writer, r eval.Report, quiet bool) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	row := func(name string, c eval.Counts) {
		fmt.Fprintf(tw, "%s\t%.3f\t%.3f\t%.3f\t%d\t%d\t%d\t\n", name, c.Precision(), c.Recall(), c.F1(), c.TP, c.FP, c.FN)
	}
	fmt.Fprintln(tw, "topic\tP\tR\tF1\tTP\tFP\tFN\t")
	for _, l := range sortedKeys(r.PerLabel) {
		row(l, r.PerLabel[l])
	}
	row("micro", r.Topics)
	fmt.Fprintln(tw, "\t\t\t\t\t\t\t")
	fmt.Fprintln(tw, "entity type\tP\tR\tF1\tTP\tFP\tFN\t")
	for _, typ := range sortedKeys(r.PerType) {
		row(typ, r.PerType[typ])
	}
	row("micro", r.Entities)
	tw.Flush()

	if !quiet {
		fmt.Fprintln(w)
		for _, a := range r.Articles {
			if len(a.MissedTopics)+len(a.ExtraTopics)+len(a.MissedEntities)+len(a.ExtraEntities) == 0 {
				continue
			}
			fmt.Fprintf(w, "%s:", a.ID)
			for _, s := range a.MissedTopics {
				fmt.Fprintf(w, " -%s", s)
			}
			for _, s := range a.ExtraTopics {
				fmt.Fprintf(w, " +%s", s)
			}
			for _, s := range a.MissedEntities {
				fmt.Fprintf(w, " -%q", s)
			}
			for _, s := range a.ExtraEntities {
				fmt.Fprintf(w, " +%q", s)
			}
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintf(w, "\ntopics   micro P %.3f R %.3f F1 %.3f\nentities micro P %.3f R %.3f F1 %.3f\n",
		r.Topics.Precision(), r.Topics.Recall(), r.Topics.F1(),
		r.Entities.Precision(), r.Entities.Recall(), r.Entities.F1())
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
