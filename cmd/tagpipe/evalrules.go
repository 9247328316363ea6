package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/tagpipe/tagpipe/internal/eval"
)

// printRuleStats prints the per-rule statistics of eval: the top fired rules by harm, then the rules that never
// fired and the redundant ones.
func printRuleStats(w io.Writer, stats []eval.RuleStat, top int) {
	if top == 0 || len(stats) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "rule\tfired\tarticles\tTP\tFP\tdTP\tdFP\tunder\t")
	shown := 0
	var redundant []eval.RuleStat
	for _, s := range stats {
		if s.Fired == 0 {
			continue
		}
		if len(s.RedundantWith) > 0 {
			redundant = append(redundant, s)
		}
		if top > 0 && shown >= top {
			continue
		}
		shown++
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t\n", s.ID, s.Fired, s.Articles, s.TruePositive, s.FalsePositive,
			s.DecisiveTrue, s.DecisiveFalse, s.UnderThreshold)
	}
	tw.Flush()
	never := eval.NeverFired(stats)
	var topicRules, aliases []string
	for _, id := range never {
		if strings.HasPrefix(id, "gazetteer/") {
			aliases = append(aliases, id)
		} else {
			topicRules = append(topicRules, id)
		}
	}
	fmt.Fprintf(w, "\nnever fired: %d topic rules, %d gazetteer aliases (--format json lists every rule)\n", len(topicRules), len(aliases))
	for i, id := range topicRules {
		if top > 0 && i >= top {
			fmt.Fprintf(w, "  ... and %d more\n", len(topicRules)-top)
			break
		}
		fmt.Fprintf(w, "  %s\n", id)
	}
	slices.SortStableFunc(redundant, func(a, b eval.RuleStat) int { return b.Articles - a.Articles })
	if len(redundant) > 0 {
		fmt.Fprintf(w, "\nonly ever fired together with another rule of the same label or entity: %d\n", len(redundant))
		for _, s := range redundant {
			if strings.HasPrefix(s.ID, "gazetteer/") {
				continue
			}
			fmt.Fprintf(w, "  %s (%d articles) with %s\n", s.ID, s.Articles, strings.Join(s.RedundantWith, ", "))
		}
	}
}
