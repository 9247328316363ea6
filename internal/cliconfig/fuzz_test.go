package cliconfig

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tagpipe/tagpipe/pipeline"
)

var posPrefix = regexp.MustCompile(`^f\.yaml(:\d+(:\d+)?)?: `)

// FuzzConfigYAML: decoding any input never panics, and every error line names the file (and line:col, or only
// a line for a syntax error).
func FuzzConfigYAML(f *testing.F) {
	for _, s := range []string{"", "in: a\n", "brokers: [a:1, b:2]\nworkers: 3\n", "workerz: 1\n", "in: [\n",
		"shutdown-timeout: 5s\n", "- a\n- b\n", "in: &x a\nout: *x\n", "\t\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		c := pipeline.DefaultConfig()
		err := DecodeYAML(&c, "f.yaml", []byte(src))
		if err == nil {
			_ = c.Validate()
			return
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !posPrefix.MatchString(line) {
				t.Fatalf("error line %q does not start with the file name", line)
			}
		}
	})
}
