package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tagpipe/tagpipe/internal/cliconfig"
	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/tagger"
)

// ingestBatch is how many articles ingest sends per produce call.
const ingestBatch = 500

// connFlags are the Kafka connection flags of ingest and consume, with their environment variables.
func connFlags(cmd *cobra.Command) {
	c := kafkaio.DefaultConn()
	cliconfig.BindConn(cmd.Flags(), &c)
}

// resolveConn builds the connection from the environment and the flags of cmd; brokers are required.
func resolveConn(cmd *cobra.Command) (kafkaio.Conn, error) {
	c := kafkaio.DefaultConn()
	if err := cliconfig.ApplyConn(&c, cmd.Flags(), os.Getenv); err != nil {
		return c, usageError{err}
	}
	if len(c.Brokers) == 0 {
		return c, usageError{errors.New("--brokers (or TAGPIPE_BROKERS) is required")}
	}
	if err := c.ResolveSecrets(); err != nil {
		return c, usageError{err}
	}
	if err := c.Validate(); err != nil {
		return c, usageError{err}
	}
	return c, nil
}

func newIngestCmd(e *env) *cobra.Command {
	var (
		topic       string
		format      string
		skipInvalid bool
		fields      []string
	)
	cmd := &cobra.Command{
		Use:   "ingest --brokers HOST:PORT --topic TOPIC [flags] [FILE...]",
		Short: "Produce articles from files or stdin to a Kafka topic",
		Long: `Ingest reads articles (--format jsonl, text or listing; stdin when no FILE is given or FILE is -) and produces
each to --topic as a JSON record keyed by its id. An article without an id gets a stable content hash of its title
and body as id (the same text always gets the same id), written into the record too.

With --field NAME=/ptr[,/ptr...] (repeatable) a JSON record of another shape is mapped as "tag" and "run" map it:
the id, title and body (and published_at) come from the JSON Pointers, tried in order, and the object is
produced whole with those members set. Bodies are sent as they are (HTML included): run turns them into text.

A line that is not a valid article is reported with its line number and not sent; the valid ones are, and the exit
code is 1 unless --skip-invalid. On a terminal, a progress line counts what was sent.

The connection flags have environment variables (TAGPIPE_BROKERS, ...); the SASL password comes from
TAGPIPE_SASL_PASSWORD or --sasl-password-file.`,
		Example: `  tagpipe ingest --brokers 127.0.0.1:9092 --topic articles.raw articles.jsonl
  cat story.txt | tagpipe ingest --brokers 127.0.0.1:9092 --topic articles.raw --format text`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format); err != nil {
				return err
			}
			in := tagger.InputJSON
			if format != "jsonl" {
				in = tagger.InputText
			}
			dec, err := tagger.NewDecoder(in, tagger.HTMLOff, fields)
			if err != nil {
				return usageError{fmt.Errorf("--field: %w", err)}
			}
			conn, err := resolveConn(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			prod, err := kafkaio.NewProducer(ctx, conn, topic, e.logger())
			if err != nil {
				return err
			}
			defer prod.Close()

			prog := newProgress(e.stderr)
			sent, invalid := 0, 0
			batch := make([]tagger.Article, 0, ingestBatch)
			flush := func() error {
				if len(batch) == 0 {
					return nil
				}
				if _, err := prod.Send(ctx, batch...); err != nil {
					return err
				}
				sent += len(batch)
				batch = batch[:0]
				prog.update(sent, invalid)
				return nil
			}
			err = inputFiles(e, args, func(r io.Reader, name string) error {
				return dec.ReadArticles(r, format, func(a tagger.Article, err error) error {
					if err != nil {
						invalid++
						prog.clear()
						fmt.Fprintf(e.stderr, "%s: %v\n", name, err)
						return nil
					}
					if ctx.Err() != nil {
						return ctx.Err()
					}
					batch = append(batch, a)
					if len(batch) == ingestBatch {
						return flush()
					}
					return nil
				})
			})
			if err == nil {
				err = flush()
			}
			prog.clear()
			fmt.Fprintf(e.stderr, "ingest: sent %d article(s) to %s", sent, topic)
			if invalid > 0 {
				fmt.Fprintf(e.stderr, ", %d invalid record(s) not sent", invalid)
			}
			fmt.Fprintln(e.stderr)
			if err != nil {
				return err
			}
			if invalid > 0 && !skipInvalid {
				return exitError{exitFailure}
			}
			return nil
		},
	}
	connFlags(cmd)
	cmd.Flags().StringVar(&topic, "topic", "articles.raw", "topic to produce to")
	cmd.Flags().StringVar(&format, "format", "jsonl", "input format: jsonl, text or listing")
	cmd.Flags().StringArrayVar(&fields, "field", nil, "map an article field to JSON Pointers tried in order, NAME=/ptr[,/ptr...] for id, title, body, published_at (repeatable; jsonl only)")
	cmd.Flags().BoolVar(&skipInvalid, "skip-invalid", false, "exit 0 even when some input records were invalid (they are still reported)")
	return cmd
}

// progress prints a \r counter line on a terminal, at most ten times a second; elsewhere it prints nothing.
type progress struct {
	w     io.Writer
	tty   bool
	last  time.Time
	shown bool
}

func newProgress(w io.Writer) *progress {
	f, ok := w.(*os.File)
	return &progress{w: w, tty: ok && term.IsTerminal(int(f.Fd()))}
}

func (p *progress) update(sent, invalid int) {
	if !p.tty || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.shown = true
	fmt.Fprintf(p.w, "\rsent %d, invalid %d", sent, invalid)
}

// clear erases the counter line before other output.
func (p *progress) clear() {
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}
