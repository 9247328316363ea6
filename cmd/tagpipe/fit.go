package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/tagpipe/tagpipe/internal/fit"
	"github.com/tagpipe/tagpipe/rules"
)

func newRulesFitCmd(e *env) *cobra.Command {
	var gold, rulesPath, out string
	var holdout float64
	cmd := &cobra.Command{
		Use:   "fit --gold FILE [--rules PATH] --out DIR",
		Short: "Fit the pack's per-topic thresholds to a gold file and write the fitted pack",
		Long: `Fit scores every article of the gold file (eval JSONL: id, title, body, gold.topics) with the pack and
chooses, label by label, the threshold (0.6 to 2 times the current one) with the best F1 on the fitted part,
keeping the current one on ties and never one that breaks an example of the pack. A stable part of the articles
(--holdout-fraction, chosen by a hash of the id) is held out: the F1 before and after printed per label is
measured there, so the report says whether the fit generalizes. The pack is written to DIR with only the changed
threshold values rewritten (comments and layout kept); check it with "tagpipe rules check DIR" and "tagpipe rules
test DIR".`,
		Example: `  tagpipe rules fit --gold testdata/eval/dev2.jsonl --out fitted/
  tagpipe rules fit --gold mine.jsonl --rules my-rules/ --out my-rules-fitted/ --holdout-fraction 0.5`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if gold == "" || out == "" {
				return usageError{fmt.Errorf("--gold and --out are required")}
			}
			if !(holdout >= 0 && holdout < 1) {
				return usageError{fmt.Errorf("--holdout-fraction must be in [0, 1), not %v", holdout)}
			}
			fsys, dir := rules.DefaultFS(), "."
			if rulesPath != "" {
				if st, err := os.Stat(rulesPath); err == nil && !st.IsDir() {
					fsys, dir = os.DirFS(filepath.Dir(rulesPath)), filepath.Base(rulesPath)
				} else {
					fsys = os.DirFS(rulesPath)
				}
			}
			files, errs := rules.ParseFS(fsys, dir)
			if len(errs) > 0 {
				return errs
			}
			rs, err := rules.Compile(files)
			if err != nil {
				return err
			}
			f, err := os.Open(gold)
			if err != nil {
				return err
			}
			arts, err := fit.ReadGold(f)
			f.Close()
			if err != nil {
				return err
			}
			rep, changed := fit.Fit(rs, arts, holdout)
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			for _, pf := range files {
				src, err := fs.ReadFile(fsys, pf.Name)
				if err != nil {
					return err
				}
				if src, err = fit.Rewrite(src, pf, changed); err != nil {
					return err
				}
				if err := os.WriteFile(filepath.Join(out, filepath.Base(pf.Name)), src, 0o644); err != nil {
					return err
				}
			}
			w := e.stdout
			fmt.Fprintf(w, "%d articles fitted, %d held out\n", rep.NFit, rep.NHeld)
			fmt.Fprintf(w, "%14s %9s %9s %15s %15s\n", "label", "threshold", "fitted", "F1 fit b/a", "F1 held b/a")
			for _, l := range rep.Labels {
				fmt.Fprintf(w, "%14s %9.3g %9.3g %7.3f %7.3f %7.3f %7.3f\n", l.Label, l.Before, l.After,
					l.FitBefore, l.FitAfter, l.HeldBefore, l.HeldAfter)
			}
			fmt.Fprintf(w, "held-out micro F1 %.3f -> %.3f; pack written to %s\n", rep.Before, rep.After, out)
			return nil
		},
	}
	cmd.Flags().StringVar(&gold, "gold", "", "gold JSONL file (required)")
	cmd.Flags().StringVar(&rulesPath, "rules", "", "rule pack directory or file (default: the embedded pack)")
	cmd.Flags().StringVar(&out, "out", "", "directory to write the fitted pack to (required)")
	cmd.Flags().Float64Var(&holdout, "holdout-fraction", 0.3, "share of the gold held out to report on")
	return cmd
}
