package benchrun

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// Cost is what one tagged article costs in the pipeline's max phase, everything included: CPU microseconds of
// the tagger alone (from the 1-core measurement, per CPU second), of the whole pipeline process (fetching,
// decoding, tagging, encoding, producing, committing; the reader and the load generator are idle in that
// phase) and of the broker, and the bytes the output topic's log grew by.
type Cost struct {
	TaggerCPUus   float64 `json:"tagger_cpu_us"`
	PipelineCPUus float64 `json:"pipeline_cpu_us"`
	BrokerCPUus   float64 `json:"broker_cpu_us,omitempty"`
	// Ratio is (pipeline + broker CPU) / tagger CPU: what an article costs the machine over what tagging it
	// alone costs. It does not depend on how many cores the broker shares.
	Ratio float64 `json:"pipeline_broker_over_tagger"`
	// OutputLogBytes is the output topic's log size over the articles in it (0: the log was not found).
	OutputLogBytes float64 `json:"output_log_bytes"`
	// LogBytesSource says where OutputLogBytes comes from: the broker's log directory.
	LogBytesSource string `json:"output_log_bytes_source,omitempty"`
}

// costOf computes the per-article costs: articlesPerCPUSec is the tagger's 1-core rate per CPU second,
// pipeline and broker the CPU time the pipeline process and the broker (0: unknown) used for n articles.
func costOf(articlesPerCPUSec float64, pipeline, broker time.Duration, n int) Cost {
	var c Cost
	if n <= 0 {
		return c
	}
	if articlesPerCPUSec > 0 {
		c.TaggerCPUus = 1e6 / articlesPerCPUSec
	}
	c.PipelineCPUus = float64(pipeline.Microseconds()) / float64(n)
	c.BrokerCPUus = float64(broker.Microseconds()) / float64(n)
	if c.TaggerCPUus > 0 {
		c.Ratio = (c.PipelineCPUus + c.BrokerCPUus) / c.TaggerCPUus
	}
	return c
}

// brokerLogDirs returns the log directories of the Kafka broker with the given pid: log.dirs (or log.dir) of
// the .properties file on its command line (Linux /proc), or nil.
func brokerLogDirs(pid int) []string {
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return nil
	}
	for _, arg := range bytes.Split(cmdline, []byte{0}) {
		if !bytes.HasSuffix(arg, []byte(".properties")) || bytes.HasPrefix(arg, []byte("-")) {
			continue
		}
		if dirs := propertiesLogDirs(string(arg)); dirs != nil {
			return dirs
		}
	}
	return nil
}

// propertiesLogDirs reads log.dirs, or else log.dir, from a broker's properties file.
func propertiesLogDirs(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var dir, dirs string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		switch k = strings.TrimSpace(k); {
		case !ok || strings.HasPrefix(k, "#"):
		case k == "log.dirs":
			dirs = strings.TrimSpace(v)
		case k == "log.dir":
			dir = strings.TrimSpace(v)
		}
	}
	if dirs == "" {
		dirs = dir
	}
	if dirs == "" {
		return nil
	}
	return strings.Split(dirs, ",")
}

// topicLogBytes sums the sizes of the segment files (*.log) of every partition of topic in the log dirs, and
// reports whether any partition directory was found.
func topicLogBytes(dirs []string, topic string) (int64, bool) {
	part := regexp.MustCompile(`^` + regexp.QuoteMeta(topic) + `-[0-9]+$`)
	var total int64
	found := false
	for _, d := range dirs {
		ents, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if !e.IsDir() || !part.MatchString(e.Name()) {
				continue
			}
			found = true
			segs, _ := filepath.Glob(filepath.Join(d, e.Name(), "*.log"))
			for _, s := range segs {
				if fi, err := os.Stat(s); err == nil {
					total += fi.Size()
				}
			}
		}
	}
	return total, found
}
