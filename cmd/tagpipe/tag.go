package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagpipe/tagpipe/tagger"
)

func newTagCmd(e *env) *cobra.Command {
	var (
		tf         taggerFlags
		format     string
		maxTagTime time.Duration
	)
	cmd := &cobra.Command{
		Use:   "tag [flags] [FILE...]",
		Short: "Tag articles from files or stdin and write one JSON record per line",
		Long: `Tag reads articles and writes each one back as a JSON line with its topics, entities and the tagger's
metadata added. With no FILE, or when FILE is -, it reads stdin.

Input formats (--format):
  jsonl    one JSON object per line with "id", "title" and "body"; every other field is passed through
  text     one article per file: the first non-empty line is the title, the rest is the body
  listing  blocks separated by a line "-": a title line, body lines, and a date line such as "June 25, 2025 -"

A line that is not a valid article is reported on stderr with its line number, and an article whose tagging takes
longer than --max-tag-time with its record number; the others are still tagged and the exit code is 1 at the end. Invalid UTF-8 is repaired, an empty title or body is fine.`,
		Example: `  tagpipe tag articles.jsonl > tagged.jsonl
  echo '{"id":"1","title":"N. Korea fires missiles","body":"..."}' | tagpipe tag
  tagpipe tag --format text story.txt
  tagpipe tag --rules my-rules/ --format listing listing.txt`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			t, err := tf.newTagger(e)
			if err != nil {
				return err
			}
			out := bufio.NewWriter(e.stdout)
			enc := json.NewEncoder(out)
			enc.SetEscapeHTML(false)
			bad := &badInput{e: e}
			err = tagAll(cmd.Context(), e, t, args, format, maxTagTime, bad, func(_ tagger.Article, rec *tagger.Record) error {
				return enc.Encode(rec)
			})
			if ferr := out.Flush(); err == nil {
				err = ferr
			}
			if err != nil {
				return err
			}
			return bad.err()
		},
	}
	tf.register(cmd)
	cmd.Flags().StringVar(&format, "format", "jsonl", "input format: jsonl, text or listing")
	cmd.Flags().DurationVar(&maxTagTime, "max-tag-time", 5*time.Second, "longest time to tag one article; one over it is reported on stderr and skipped (0: no limit)")
	return cmd
}

func checkFormat(format string) error {
	switch format {
	case "jsonl", "text", "listing":
		return nil
	}
	return usageError{fmt.Errorf("--format must be jsonl, text or listing, not %q", format)}
}
