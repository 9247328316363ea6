//go:build !unix

package main

import "time"

// cpuTime is not measured on this system: prosepeer reports no per-CPU-second rate.
func cpuTime() time.Duration { return 0 }
