package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagpipe/tagpipe/internal/bulk"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

// taggerFlags are the flags shared by the commands that tag articles offline.
type taggerFlags struct {
	rulesPath   string
	noDiscovery bool
	ner         string
}

func (f *taggerFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.rulesPath, "rules", envOr("TAGPIPE_RULES", ""),
		"rule pack: a directory of YAML rule files or one file (default: the embedded pack; env TAGPIPE_RULES)")
	cmd.Flags().BoolVar(&f.noDiscovery, "no-discovery", false,
		"report only gazetteer entities, no discovered names")
	cmd.Flags().StringVar(&f.ner, "ner", envOr("TAGPIPE_NER", string(tagger.NERBuiltin)), nerUsage)
}

// nerUsage documents --ner with the figures of the README's entity-mode table (entity F1 on holdout and blind2,
// 3 KB articles per CPU-second on one core).
const nerUsage = `how names no rule lists are found (env TAGPIPE_NER):
  builtin  discovery by capitalization and context (default; entity F1 0.988 holdout, 0.922 blind2; ~7,000 articles/s per core)
  prose    prose's statistical NER instead of discovery (F1 0.897, 0.814; ~20-25 articles/s per core)
  hybrid   discovery plus prose's entities that pass a precision filter (F1 0.988, 0.922; ~20-25 articles/s per core)
 `

// newTagger loads the rule pack and builds a tagger. Rule errors are printed one per line to stderr, as
// `rules check` prints them, and reported as a usage error.
func (f *taggerFlags) newTagger(e *env) (*tagger.Tagger, error) {
	rs, err := loadRules(e, f.rulesPath)
	if err != nil {
		return nil, err
	}
	return f.taggerFor(e, rs)
}

// taggerFor builds a tagger over an already compiled rule set, with the flags' options.
func (f *taggerFlags) taggerFor(e *env, rs *rules.RuleSet) (*tagger.Tagger, error) {
	ner, err := tagger.ParseNERMode(f.ner)
	if err != nil {
		return nil, usageError{fmt.Errorf("--ner: %w", err)}
	}
	if f.noDiscovery && ner != tagger.NERBuiltin {
		return nil, usageError{fmt.Errorf("--no-discovery conflicts with --ner %s", ner)}
	}
	opts := []tagger.Option{tagger.WithVersion(version), tagger.WithLogger(e.logger()), tagger.WithNER(ner)}
	if f.noDiscovery {
		opts = append(opts, tagger.WithDiscovery(false))
	}
	return tagger.New(rs, opts...)
}

// loadRules parses, validates and compiles the pack at path ("" is the embedded default pack). Rule errors are
// printed one per line to stderr, as `rules check` prints them, and reported as a usage error.
func loadRules(e *env, path string) (*rules.RuleSet, error) {
	if path == "" {
		rs, err := rules.Default()
		if err != nil {
			return nil, fmt.Errorf("embedded rule pack: %w", err)
		}
		return rs, nil
	}
	pack, err := rules.LoadPath(path)
	if err != nil {
		errs := ruleErrors(path, err)
		printRuleErrors(e.stderr, errs, false)
		return nil, usageError{fmt.Errorf("rule pack %s: %d error(s)", path, len(errs))}
	}
	return pack.Rules, nil
}

// ruleErrors returns the problems of a rules.LoadPath that failed as an ErrorList.
func ruleErrors(path string, err error) rules.ErrorList {
	var el rules.ErrorList
	if !errors.As(err, &el) {
		el = rules.ErrorList{{Pos: rules.Position{File: path}, Code: rules.CodeBadValue, Msg: err.Error()}}
	}
	return el
}

// inputFiles calls fn with a reader and a display name for each named file, or for stdin when there are none.
func inputFiles(e *env, names []string, fn func(r io.Reader, name string) error) error {
	if len(names) == 0 {
		return fn(e.stdin, "<stdin>")
	}
	for _, name := range names {
		if name == "-" {
			if err := fn(e.stdin, "<stdin>"); err != nil {
				return err
			}
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		err = fn(f, name)
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// badInput counts input records that could not be read; commands report each on stderr and exit 1 at the end.
type badInput struct {
	e     *env
	count int
}

func (b *badInput) report(name string, err error) {
	b.count++
	fmt.Fprintf(b.e.stderr, "%s: %v\n", name, err)
}

func (b *badInput) err() error {
	if b.count == 0 {
		return nil
	}
	fmt.Fprintf(b.e.stderr, "tagpipe: %d input record(s) could not be read; the others were processed\n", b.count)
	return exitError{exitFailure}
}

// tagAll reads articles from the inputs, decoded by d (nil: tagger.DecodeArticle), tags them on all cores
// (internal/bulk) and delivers each record in input order: with o.Encode, encoded on the workers and written to
// o.Output; else through emit. Unreadable records, and records whose tagging fails or takes longer than
// o.MaxTagTime (0: no limit), are reported through bad with their place in the input, and skipped. A progress line goes to
// stderr when it is a terminal (with o.Encode).
func tagAll(ctx context.Context, e *env, t *tagger.Tagger, names []string, format string, d *tagger.Decoder,
	bad *badInput, o bulk.Options, emit func(tagger.Article, *tagger.Record) error) error {
	o.Emit, o.Bad = emit, bad.report
	if d != nil {
		o.Decode = func(line []byte) (tagger.Article, error) { return d.Decode(nil, line) }
	}
	read := tagger.ReadArticles
	if d != nil {
		read = d.ReadArticles
	}
	var p *bulk.Progress
	if emit == nil { // bulk output, not explain's
		p = bulk.NewProgress(e.stderr, inputSize(e, names))
	}
	o.Progress = p
	p.Start(250 * time.Millisecond)
	defer p.Stop()
	return bulk.Run(ctx, t, o, func(f *bulk.Feed) error {
		return inputFiles(e, names, func(r io.Reader, name string) error {
			r = p.Reader(r)
			if format == tagger.FormatJSONL { // lines are decoded on the workers
				return tagger.ReadLines(r, func(line []byte, n int, err error) error {
					where := fmt.Sprintf("%s:%d", name, n)
					if err != nil {
						return f.Bad(where, errors.Unwrap(err))
					}
					return f.Line(where, line)
				})
			}
			return read(r, format, func(a tagger.Article, err error) error {
				if err != nil {
					var le *tagger.LineError
					if errors.As(err, &le) {
						return f.Bad(fmt.Sprintf("%s:%d", name, le.Line), le.Err)
					}
					return err
				}
				return f.Article(a)
			})
		})
	})
}

// inputSize returns the bytes of the named inputs (stdin when none), or 0 when one is not a regular file.
func inputSize(e *env, names []string) int64 {
	if len(names) == 0 {
		names = []string{"-"}
	}
	var total int64
	for _, name := range names {
		var fi os.FileInfo
		var err error
		if name == "-" {
			f, ok := e.stdin.(*os.File)
			if !ok {
				return 0
			}
			fi, err = f.Stat()
		} else {
			fi, err = os.Stat(name)
		}
		if err != nil || !fi.Mode().IsRegular() {
			return 0
		}
		total += fi.Size()
	}
	return total
}
