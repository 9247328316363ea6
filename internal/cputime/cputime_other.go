//go:build !unix

// Package cputime reads the CPU time the process has used, for benchmarks that report rates per CPU-second
// (steadier than wall-clock rates on a shared machine).
package cputime

import "time"

// Process returns 0: CPU time is not measured on this system, and callers report no per-CPU-second rates.
func Process() time.Duration { return 0 }
