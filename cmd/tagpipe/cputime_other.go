//go:build !unix

package main

import "time"

// cpuTime is not measured on this system: bench reports no per-CPU-second rates.
func cpuTime() time.Duration { return 0 }
