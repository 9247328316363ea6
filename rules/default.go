package rules

import (
	"embed"
	"io/fs"
	"sync"
)

//go:embed pack/*.yaml
var packFS embed.FS

// DefaultFS returns the embedded default pack: its *.yaml files at the root of the returned file system. `tagpipe
// rules init DIR` copies it out as a starting point.
func DefaultFS() fs.FS {
	sub, err := fs.Sub(packFS, "pack")
	if err != nil {
		panic("rules: embedded pack missing: " + err.Error()) // cannot happen: the directory is embedded
	}
	return sub
}

var defaultOnce = sync.OnceValues(func() (*RuleSet, error) {
	files, errs := ParseFS(DefaultFS(), ".")
	if len(errs) > 0 {
		return nil, errs
	}
	return Compile(files)
})

// Default returns the compiled embedded pack. It is compiled once, on first use; later calls return the same
// RuleSet (or the same error, which means the binary was built with a broken pack).
func Default() (*RuleSet, error) { return defaultOnce() }

// Load parses, validates and compiles the pack at path (a directory of *.yaml|*.yml files, or one file); "" means
// the embedded default pack. When the pack is invalid the returned error is the ErrorList with every problem.
func Load(path string) (*RuleSet, error) {
	if path == "" {
		return Default()
	}
	files, errs := ParsePath(path)
	if len(errs) > 0 {
		// Report the problems Validate finds in what did parse as well, so one run shows everything.
		errs = append(errs, Validate(files...)...)
		errs.Sort()
		return nil, errs
	}
	return Compile(files)
}
