//go:build !unix

package corpus

import "time"

// cpuTime is not measured on this system: the benchmarks report no per-CPU-second rates.
func cpuTime() time.Duration { return 0 }
