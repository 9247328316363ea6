package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"
)

// Exit codes, as promtool uses them.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran and found a problem (bad input lines, eval below minimum, failed examples)
	exitUsage   = 2 // the command line or configuration is wrong
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// env carries what every subcommand needs from the process, so commands can be tested without touching globals.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	logLevel       slog.LevelVar
	logFormat      string
}

// logger returns a logger writing to stderr in the format chosen with --log-format.
func (e *env) logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: &e.logLevel}
	if e.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(e.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(e.stderr, opts))
}

// exitError carries an exit code out of a command without printing anything more.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// usageError marks an error in the command line or configuration (exit code 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// run builds the command tree, executes it and maps its outcome to an exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRootCmd(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	fmt.Fprintf(stderr, "tagpipe: %v\n", err)
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFailure
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "tagpipe",
		Short: "Tag news articles with topics and canonical entities, offline or as a Kafka service",
		Long: `tagpipe tags news articles about North Korea, Russia and the Korean peninsula with topic labels
(north-korea, russia, leaflets, military, ...) and canonical entities (people, places, organizations), each with
the evidence that produced it.

Offline, on files:     tagpipe tag articles.jsonl          tagpipe explain article.txt
Tuning the rules:      tagpipe rules init my-rules/        tagpipe rules test my-rules/
Scoring:               tagpipe eval --gold gold.jsonl
As a Kafka service:    tagpipe run --brokers HOST:9092      tagpipe demo   (no Kafka needed)`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			switch e.logFormat {
			case "text", "json":
			default:
				return usageError{fmt.Errorf("--log-format must be text or json, not %q", e.logFormat)}
			}
			return nil
		},
	}
	root.PersistentFlags().StringVar(&e.logFormat, "log-format", "text", "log format on stderr: text or json")
	root.PersistentFlags().Var(levelFlag{&e.logLevel}, "log-level", "log level: debug, info, warn or error")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		// Each subcommand lives in its own file.
		newTagCmd(e), newExplainCmd(e), newEvalCmd(e), newRulesCmd(e),
		newRunCmd(e), newIngestCmd(e), newConsumeCmd(e), newDemoCmd(e), newBenchCmd(e), newStudioCmd(e),
	)
	return root
}

// levelFlag adapts a slog.LevelVar to a pflag.Value.
type levelFlag struct{ v *slog.LevelVar }

func (f levelFlag) String() string {
	if f.v == nil {
		return "info"
	}
	return f.v.Level().String()
}
func (f levelFlag) Set(s string) error { return f.v.UnmarshalText([]byte(s)) }
func (f levelFlag) Type() string       { return "level" }

// envOr returns the value of the environment variable name, or def when it is unset or empty.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
