package main

import (
	"bufio"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagpipe/tagpipe/internal/bulk"
	"github.com/tagpipe/tagpipe/tagger"
)

func newTagCmd(e *env) *cobra.Command {
	var (
		tf         taggerFlags
		in         inputFlags
		format     string
		record     string
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

Record decoding (--input-format, --field, --html): each line (jsonl) or file (text) is read as a JSON object
(json), as text (text: first non-empty line is the title, the rest the body; the record gets "input_format":
"text") or as either (auto). --field maps an article field to RFC 6901 JSON Pointers into objects of another
shape, tried in order (a missing one is empty; one of the wrong type is an error naming the pointer). A body
holding HTML tags is tagged as its text (--html auto): the record keeps body as received and adds body_text,
the text the body spans point into.

A line that is not a valid article is reported on stderr with its line number, and an article whose tagging
takes longer than --max-tag-time with its line and id; the others are still tagged and the exit code is 1 at
the end. Invalid UTF-8 is repaired, an empty title or body is fine.

Articles are tagged on all cores (GOMAXPROCS) in batches; records come out in input order. When stderr is a
terminal it shows a progress line: articles, articles/s and, for files, the share read and an ETA.

Record formats (--record):
  full     one entity entry per mention and one evidence entry per rule hit (the default)
  compact  one entry per distinct entity with its mentions as [field, start, end] spans, and per topic each
           rule's first span and count: about a quarter of the bytes (docs/record.compact.schema.json)`,
		Example: `  tagpipe tag articles.jsonl > tagged.jsonl
  echo '{"id":"1","title":"N. Korea fires missiles","body":"..."}' | tagpipe tag
  tagpipe tag --format text story.txt
  tagpipe tag --record compact articles.jsonl
  tagpipe tag --rules my-rules/ --format listing listing.txt
  tagpipe tag --input-format auto --field id=/meta/guid --field title=/headline --field body=/content,/text feed.jsonl`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			if in.format == tagger.InputText && !cmd.Flags().Changed("format") {
				format = tagger.FormatText // a text input is one article, not one per line
			}
			d, err := in.decoder(format)
			if err != nil {
				return err
			}
			rf, err := tagger.ParseRecordFormat(record)
			if err != nil {
				return usageError{fmt.Errorf("--record: %w", err)}
			}
			t, err := tf.newTagger(e)
			if err != nil {
				return err
			}
			out := bufio.NewWriterSize(e.stdout, 1<<20)
			bad := &badInput{e: e}
			err = tagAll(cmd.Context(), e, t, args, format, d, bad, bulk.Options{Output: out, Encode: encoder(rf), MaxTagTime: maxTagTime}, nil)
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
	in.register(cmd)
	cmd.Flags().StringVar(&format, "format", "jsonl", "input format: jsonl, text or listing")
	cmd.Flags().StringVar(&record, "record", "full", "record format: full or compact")
	cmd.Flags().DurationVar(&maxTagTime, "max-tag-time", 5*time.Second, "longest time to tag one article; one over it is reported on stderr and skipped (0: no limit)")
	return cmd
}

// encoder returns the bulk encoder of records in format rf: one JSON line each.
func encoder(rf tagger.RecordFormat) func([]byte, tagger.Article, *tagger.Record) ([]byte, error) {
	return func(dst []byte, _ tagger.Article, rec *tagger.Record) ([]byte, error) {
		b, err := rec.Marshal(rf)
		if err != nil {
			return dst, err
		}
		return append(append(dst, b...), '\n'), nil
	}
}

func checkFormat(format string) error {
	switch format {
	case "jsonl", "text", "listing":
		return nil
	}
	return usageError{fmt.Errorf("--format must be jsonl, text or listing, not %q", format)}
}
