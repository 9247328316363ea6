package benchrun

import (
	"fmt"
	"runtime"
	"time"

	"github.com/prometheus/procfs"
)

// What the report says about the machine, read from /proc through procfs. Each returns its zero value where
// /proc is not available (not Linux, or a sandbox without it).

// peakRSS returns the process's peak resident set size (VmHWM) in bytes, or 0.
func peakRSS() int64 {
	p, err := procfs.Self()
	if err != nil {
		return 0
	}
	st, err := p.NewStatus()
	if err != nil {
		return 0
	}
	return int64(st.VmHWM)
}

// procCPU returns the CPU time (user plus system) of process pid, or 0.
func procCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	p, err := procfs.NewProc(pid)
	if err != nil {
		return 0
	}
	st, err := p.Stat()
	if err != nil {
		return 0
	}
	return time.Duration(st.CPUTime() * float64(time.Second))
}

// loadAvg returns the 1, 5 and 15 minute load averages as /proc/loadavg writes them, or "".
func loadAvg() string {
	fs, err := procfs.NewDefaultFS()
	if err != nil {
		return ""
	}
	l, err := fs.LoadAvg()
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%.2f %.2f %.2f", l.Load1, l.Load5, l.Load15)
}

// cpuModel returns the CPU's model name, or GOARCH.
func cpuModel() string {
	fs, err := procfs.NewDefaultFS()
	if err != nil {
		return runtime.GOARCH
	}
	cpus, err := fs.CPUInfo()
	if err != nil || len(cpus) == 0 || cpus[0].ModelName == "" {
		return runtime.GOARCH
	}
	return cpus[0].ModelName
}
