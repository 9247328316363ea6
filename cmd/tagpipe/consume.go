package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/tagger"
)

// recordFilter selects tagged records for consume.
type recordFilter struct {
	label    string
	entity   string
	minScore float64
}

// match reports whether rec passes the filter. --min-score applies to --label when given, else to any topic.
func (f recordFilter) match(rec *tagger.Record) bool {
	if f.label != "" || f.minScore > 0 {
		ok := false
		for _, t := range rec.Topics {
			if (f.label == "" || t.Label == f.label) && t.Score >= f.minScore {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if f.entity != "" {
		for _, e := range rec.Entities {
			if strings.EqualFold(e.Canonical, f.entity) || strings.EqualFold(e.Text, f.entity) {
				return true
			}
		}
		return false
	}
	return true
}

func newConsumeCmd(e *env) *cobra.Command {
	var (
		topic         string
		fromBeginning bool
		filter        recordFilter
		maxRecords    int
		timeout       time.Duration
		output        string
	)
	cmd := &cobra.Command{
		Use:   "consume --brokers HOST:PORT --topic TOPIC [flags]",
		Short: "Read tagged records from a Kafka topic, filtered, as JSON lines or a table",
		Long: `Consume reads tagged records from every partition of --topic directly (no consumer group, nothing is
committed), keeps those that match the filters and prints them as JSON lines (--output jsonl, the record as
produced) or a table (--output table).

It starts at the end of the topic, or at the beginning with --from-beginning, and runs until --max records were
printed, until --timeout passes without a new record, or until interrupted.

Filters: --label L (a topic label), --min-score X (score of that label, or of any label), --entity NAME (an
entity's canonical name or its text as written, case-insensitive). Records of both formats (run --record full
or compact; the tagpipe-record header says which) are filtered alike and printed as they were produced; the
text of a compact record's mention is the article's field at its span.`,
		Example: `  tagpipe consume --brokers 127.0.0.1:9092 --topic articles.tagged --from-beginning --timeout 5s
  tagpipe consume --brokers 127.0.0.1:9092 --topic articles.tagged --label leaflets --min-score 0.7 --output table
  tagpipe consume --brokers 127.0.0.1:9092 --topic articles.tagged --entity "Kim Jong-un" --max 10`,
		Args: noPositionalArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "jsonl" && output != "table" {
				return usageError{fmt.Errorf("--output must be jsonl or table, not %q", output)}
			}
			if maxRecords < 0 || timeout < 0 || filter.minScore < 0 || filter.minScore > 1 {
				return usageError{fmt.Errorf("--max and --timeout must not be negative, --min-score must be in [0, 1]")}
			}
			conn, err := resolveConn(cmd)
			if err != nil {
				return err
			}
			out := bufio.NewWriter(e.stdout)
			defer out.Flush()
			var tw *tabwriter.Writer
			if output == "table" {
				tw = tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "PARTITION/OFFSET\tID\tTOPICS\tENTITIES\tTITLE")
				defer tw.Flush()
			}
			n, skipped := 0, 0
			err = kafkaio.Tail(cmd.Context(), conn, topic, kafkaio.TailOptions{FromBeginning: fromBeginning, Idle: timeout},
				func(m kafkaio.Message) error {
					var rec tagger.Record
					if err := json.Unmarshal(m.Value, &rec); err != nil {
						skipped++
						e.logger().Debug("not a tagged record", "partition", m.Partition, "offset", m.Offset, "err", err)
						return nil
					}
					if !filter.match(&rec) {
						return nil
					}
					n++
					if tw != nil {
						writeRow(tw, m, &rec)
					} else {
						out.Write(m.Value)
						out.WriteByte('\n')
						out.Flush() // scripts read line by line
					}
					if maxRecords > 0 && n >= maxRecords {
						return kafkaio.ErrStop
					}
					return nil
				})
			if skipped > 0 {
				fmt.Fprintf(e.stderr, "consume: skipped %d record(s) that are not tagged records\n", skipped)
			}
			return err
		},
	}
	connFlags(cmd)
	cmd.Flags().StringVar(&topic, "topic", "articles.tagged", "topic to read")
	cmd.Flags().BoolVar(&fromBeginning, "from-beginning", false, "start at the first record of each partition, not the end")
	cmd.Flags().StringVar(&filter.label, "label", "", "only records with this topic label")
	cmd.Flags().StringVar(&filter.entity, "entity", "", "only records mentioning this entity (canonical name or text)")
	cmd.Flags().Float64Var(&filter.minScore, "min-score", 0, "only records whose --label (or any label) scores at least this")
	cmd.Flags().IntVar(&maxRecords, "max", 0, "stop after this many records (0: no limit)")
	cmd.Flags().DurationVar(&timeout, "timeout", 0, "stop after this long without a new record (0: wait until interrupted)")
	cmd.Flags().StringVar(&output, "output", "jsonl", "output: jsonl or table")
	return cmd
}

// writeRow writes one table row for a tagged record.
func writeRow(w io.Writer, m kafkaio.Message, rec *tagger.Record) {
	topics := make([]string, len(rec.Topics))
	for i, t := range rec.Topics {
		topics[i] = fmt.Sprintf("%s:%.2f", t.Label, t.Score)
	}
	var ents []string
	for _, k := range rec.Canonicals() {
		ents = append(ents, k.Canonical)
	}
	fmt.Fprintf(w, "%d/%d\t%s\t%s\t%s\t%s\n", m.Partition, m.Offset, rec.Article.ID, orDash(strings.Join(topics, ",")),
		orDash(clip(strings.Join(ents, ", "), 60)), clip(rec.Article.Title, 70))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// clip shortens s to at most n runes, marking the cut with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
