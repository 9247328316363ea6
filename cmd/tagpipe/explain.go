package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tagpipe/tagpipe/internal/bulk"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

func newExplainCmd(e *env) *cobra.Command {
	var (
		tf            taggerFlags
		format, color string
	)
	cmd := &cobra.Command{
		Use:   "explain [flags] [FILE|-]",
		Short: "Show an article with its entities and topic evidence highlighted, and why each label was given",
		Long: `Explain tags articles and prints them for a person: the text with every entity and every piece of topic
evidence highlighted (in colour on a terminal), then each topic with its score and the rules and spans behind it,
then the entities with their canonical names and where they came from (gazetteer or discovered), then every
label that had any evidence, assigned or not: each hit with its weight, the share the relevance model kept of it
(x0.25 attribution: inside "X said" or "according to X"; x0.5 background: in a clause after "after", "amid",
"over"...), its sentence (s0 the title, s1 the lead), the label-level notes (passing: evidence in one later
sentence only) and the raw sum against the threshold.

Input is a plain-text article (first line title, rest body) or JSONL articles; --format auto tells them apart by
the first character. Without colour, entities print as [text|TYPE] and other evidence as *text*.`,
		Example: `  tagpipe explain story.txt
  echo 'Kim Jong Un inspects artillery drills near the DMZ' | tagpipe explain
  tagpipe explain --rules my-rules/ --format jsonl articles.jsonl | less -R`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			useColor, err := colorMode(color, e.stdout)
			if err != nil {
				return err
			}
			t, err := tf.newTagger(e)
			if err != nil {
				return err
			}
			in, name, err := readInput(e, args)
			if err != nil {
				return err
			}
			if format == "auto" {
				format = "text"
				if trimmed := bytes.TrimLeft(in, " \t\r\n\ufeff"); len(trimmed) > 0 && trimmed[0] == '{' {
					format = "jsonl"
				}
			} else if err := checkFormat(format); err != nil {
				return err
			}
			bad := &badInput{e: e}
			first := true
			err = tagAll(cmd.Context(), &env{stdin: bytes.NewReader(in), stdout: e.stdout, stderr: e.stderr}, t, nil, format, nil, bad, bulk.Options{},
				func(a tagger.Article, rec *tagger.Record) error {
					if !first {
						fmt.Fprintln(e.stdout)
					}
					first = false
					writeExplanation(e.stdout, a, rec, useColor)
					writeScores(e.stdout, t.Rules().Explain(rules.Doc{Title: a.Title, Body: a.Body}), useColor)
					return nil
				})
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			return bad.err()
		},
	}
	tf.register(cmd)
	cmd.Flags().StringVar(&format, "format", "auto", "input format: auto, text, jsonl or listing")
	cmd.Flags().StringVar(&color, "color", "auto", "colour: auto (when stdout is a terminal), always or never")
	return cmd
}

func readInput(e *env, args []string) ([]byte, string, error) {
	if len(args) == 0 || args[0] == "-" {
		b, err := io.ReadAll(e.stdin)
		return b, "<stdin>", err
	}
	b, err := os.ReadFile(args[0])
	return b, args[0], err
}

func colorMode(mode string, w io.Writer) (bool, error) {
	switch mode {
	case "always":
		return true, nil
	case "never":
		return false, nil
	case "auto":
		f, ok := w.(*os.File)
		return ok && term.IsTerminal(int(f.Fd())) && os.Getenv("NO_COLOR") == "", nil
	}
	return false, usageError{fmt.Errorf("--color must be auto, always or never, not %q", mode)}
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiUnder  = "\x1b[4m"
	ansiPerson = "\x1b[1;36m" // cyan
	ansiPlace  = "\x1b[1;32m" // green
	ansiOrg    = "\x1b[1;33m" // yellow
)

func typeColor(typ string) string {
	switch typ {
	case "PERSON":
		return ansiPerson
	case "LOCATION":
		return ansiPlace
	}
	return ansiOrg
}

// mark is a highlighted span of one field, in code points.
type mark struct {
	start, end int
	typ        string // entity type; "" for topic evidence
}

func writeExplanation(w io.Writer, a tagger.Article, rec *tagger.Record, color bool) {
	paint := func(code, s string) string {
		if !color {
			return s
		}
		return code + s + ansiReset
	}
	marks := map[string][]mark{}
	for _, ent := range rec.Entities {
		marks[ent.Field] = append(marks[ent.Field], mark{ent.Start, ent.End, string(ent.Type)})
	}
	for _, t := range rec.Topics {
		for _, ev := range t.Evidence {
			marks[ev.Field] = append(marks[ev.Field], mark{ev.Start, ev.End, ""})
		}
	}

	header := a.ID
	if header == "" {
		header = "(no id)"
	}
	fmt.Fprintln(w, paint(ansiDim, "── "+header+" "+strings.Repeat("─", max(0, 60-len(header)))))
	fmt.Fprintln(w, paint(ansiBold, highlight(a.Title, marks["title"], color)))
	if a.Body != "" {
		fmt.Fprintln(w, highlight(a.Body, marks["body"], color))
	}

	fmt.Fprintln(w)
	if len(rec.Topics) == 0 {
		fmt.Fprintln(w, paint(ansiBold, "Topics: none"))
	} else {
		fmt.Fprintln(w, paint(ansiBold, "Topics"))
	}
	for _, t := range rec.Topics {
		fmt.Fprintf(w, "  %-14s %.2f\n", t.Label, t.Score)
		for _, ev := range t.Evidence {
			fmt.Fprintf(w, "      %-34s %q %s %d-%d\n", ev.Rule, ev.Text, ev.Field, ev.Start, ev.End)
		}
	}

	fmt.Fprintln(w)
	if len(rec.Entities) == 0 {
		fmt.Fprintln(w, paint(ansiBold, "Entities: none"))
		return
	}
	fmt.Fprintln(w, paint(ansiBold, "Entities"))
	type group struct {
		typ, canonical, source, id string
		texts                      []string
	}
	var groups []*group
	index := map[string]*group{}
	for _, ent := range rec.Entities {
		key := string(ent.Type) + "\x00" + ent.Canonical
		g := index[key]
		if g == nil {
			g = &group{typ: string(ent.Type), canonical: ent.Canonical, source: ent.Source, id: ent.ID}
			index[key] = g
			groups = append(groups, g)
		}
		if !slices.Contains(g.texts, ent.Text) {
			g.texts = append(g.texts, ent.Text)
		}
	}
	for _, g := range groups {
		id := ""
		if g.id != "" {
			id = " " + g.id
		}
		fmt.Fprintf(w, "  %-12s %s%s  %s  %s\n", g.typ, paint(typeColor(g.typ), g.canonical), id,
			paint(ansiDim, g.source), paint(ansiDim, "as "+quoteAll(g.texts)))
	}
}

func quoteAll(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

// highlight inserts markers around the marked spans of text (code point offsets). Entity marks win over
// evidence marks they overlap; overlapping marks of the same kind keep the first.
func highlight(text string, ms []mark, color bool) string {
	slices.SortStableFunc(ms, func(a, b mark) int {
		if a.start != b.start {
			return a.start - b.start
		}
		if (a.typ == "") != (b.typ == "") {
			if a.typ != "" {
				return -1
			}
			return 1
		}
		return b.end - a.end
	})
	runes := []rune(text)
	var b strings.Builder
	pos := 0
	for _, m := range ms {
		if m.start < pos || m.end > len(runes) || m.start >= m.end {
			continue
		}
		b.WriteString(string(runes[pos:m.start]))
		span := string(runes[m.start:m.end])
		switch {
		case color && m.typ != "":
			b.WriteString(typeColor(m.typ) + span + ansiReset)
		case color:
			b.WriteString(ansiUnder + span + ansiReset)
		case m.typ != "":
			b.WriteString("[" + span + "|" + m.typ + "]")
		default:
			b.WriteString("*" + span + "*")
		}
		pos = m.end
	}
	b.WriteString(string(runes[pos:]))
	return b.String()
}

// writeScores prints every label with evidence, assigned or not, with what the relevance model made of each hit.
func writeScores(w io.Writer, scores []rules.TopicScore, color bool) {
	fmt.Fprintln(w)
	if color {
		fmt.Fprintln(w, ansiBold+"Scores (every label with evidence)"+ansiReset)
	} else {
		fmt.Fprintln(w, "Scores (every label with evidence)")
	}
	slices.SortStableFunc(scores, func(a, b rules.TopicScore) int {
		switch {
		case a.Raw > b.Raw:
			return -1
		case a.Raw < b.Raw:
			return 1
		}
		return 0
	})
	for _, sc := range scores {
		if len(sc.Evidence) == 0 && len(sc.Notes) == 0 {
			continue
		}
		verdict := "not assigned"
		switch {
		case sc.Assigned:
			verdict = "assigned"
		case sc.Raw >= 0.75*sc.Threshold:
			verdict = "not assigned (just missed)"
		}
		fmt.Fprintf(w, "  %-14s %.2f  raw %.2f / threshold %.2g  %s\n", sc.Label, sc.Score, sc.Raw, sc.Threshold, verdict)
		for _, ev := range sc.Evidence {
			why := ""
			if len(ev.Why) > 0 {
				why = "  " + strings.Join(ev.Why, ", ")
			}
			fmt.Fprintf(w, "      %-34s %q s%d  %.2g x%.2g = %.2g%s\n", ev.Rule, ev.Text, ev.Sentence, ev.Weight,
				ev.Factor, ev.Weight*ev.Factor, why)
		}
		for _, n := range sc.Notes {
			fmt.Fprintf(w, "      %s\n", n)
		}
	}
}
