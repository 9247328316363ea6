//go:build unix

package rules

import (
	"syscall"
	"time"
)

// processCPU returns the CPU time (user + system) the process has used. Benchmarks report it per op next to the
// wall-clock ns/op, because the machine they run on is shared and wall time there includes waiting for a CPU.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
