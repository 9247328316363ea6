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
	p, err := LoadFS(DefaultFS(), ".")
	if err != nil {
		return nil, err
	}
	return p.Rules, nil
})

// Default returns the compiled embedded pack. It is compiled once, on first use; later calls return the same
// RuleSet (or the same error, which means the binary was built with a broken pack).
func Default() (*RuleSet, error) { return defaultOnce() }
