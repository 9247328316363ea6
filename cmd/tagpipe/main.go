// Command tagpipe tags news articles about North Korea, Russia and the Korean peninsula with topics and canonical
// entities, offline from files or as a Kafka service. Run `tagpipe --help` for the commands.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
