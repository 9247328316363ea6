//go:build !unix

package rules

import "time"

// processCPU is not available on this platform; benchmarks then report no CPU time.
func processCPU() time.Duration { return 0 }
