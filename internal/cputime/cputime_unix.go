//go:build unix

// Package cputime reads the CPU time the process has used, for benchmarks that report rates per CPU-second
// (steadier than wall-clock rates on a shared machine).
package cputime

import (
	"syscall"
	"time"
)

// Process returns the CPU time (user plus system) the process has used so far, all threads included, or 0 when
// it cannot be read.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
