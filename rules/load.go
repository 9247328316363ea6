package rules

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Pack is a loaded rule pack: what LoadPath, LoadFS and LoadFiles return.
type Pack struct {
	// Files are the parsed rule files in load order (lexical by name). Their positions name each file as the
	// loader was given it: "my-rules/topics.yaml" for LoadPath("my-rules"), the fs.FS path for LoadFS, the map key
	// for LoadFiles.
	Files []*File
	// Sources holds each rule file's bytes by its plain file name within the pack ("topics.yaml"): what
	// `tagpipe rules publish` sends and LoadFiles reads back.
	Sources map[string][]byte
	// Rules is the compiled rule set; nil when loading failed.
	Rules *RuleSet
}

// source is one rule file to load: key is its plain name within the pack, name what positions call it.
type source struct {
	key, name string
	src       []byte
}

// LoadPath loads the rule pack on disk at p: a directory of *.yaml|*.yml files (read in lexical order, not
// recursively) or one file. See load for what it returns.
func LoadPath(p string, opts ...Option) (*Pack, error) {
	srcs, errs := readPath(p)
	return load(srcs, errs, opts)
}

// LoadFS loads the rule pack at root in fsys: the *.yaml|*.yml files directly inside root, or root itself when it
// is a file. See load for what it returns.
func LoadFS(fsys fs.FS, root string, opts ...Option) (*Pack, error) {
	srcs, errs := readFS(fsys, root, func(n string) string { return n })
	return load(srcs, errs, opts)
}

// LoadFiles loads a rule pack given as file contents by plain file name ("topics.yaml"), as published on the
// rules topic: names with a directory part are refused, files not named *.yaml|*.yml are ignored. See load for
// what it returns.
func LoadFiles[S ~string | ~[]byte](files map[string]S, opts ...Option) (*Pack, error) {
	var errs ErrorList
	if len(files) == 0 {
		errs.Add(Position{}, CodeMissingField, "rule pack has no files")
		return load(nil, errs, opts)
	}
	var srcs []source
	for name, src := range files {
		if clean := path.Clean(name); clean != name || strings.Contains(clean, "/") || clean == "." || clean == ".." {
			errs.addf(Position{File: name}, CodeBadValue, "rule pack file name %q: must be a plain file name", name)
			continue
		}
		if isRuleFile(name) {
			srcs = append(srcs, source{key: name, name: name, src: []byte(src)})
		}
	}
	if len(srcs) == 0 && len(errs) == 0 {
		errs.Add(Position{}, CodeMissingField, "rule pack has no *.yaml or *.yml files")
	}
	slices.SortFunc(srcs, func(a, b source) int { return strings.Compare(a.key, b.key) })
	return load(srcs, errs, opts)
}

// load is the one path every loader takes: it parses each source under its name, validates the files as one pack
// and compiles them. When anything is wrong the error is an ErrorList (use errors.As) with every problem, parse
// errors and what validation finds in the parts that did parse, sorted by position; the returned Pack then has
// Files and Sources but no Rules. A Pack is always returned.
func load(srcs []source, errs ErrorList, opts []Option) (*Pack, error) {
	p := &Pack{Sources: make(map[string][]byte, len(srcs))}
	for _, s := range srcs {
		f, ferrs := Parse(s.name, s.src)
		p.Files = append(p.Files, f)
		p.Sources[s.key] = s.src
		errs = append(errs, ferrs...)
	}
	if len(errs) > 0 {
		errs = append(errs, Validate(p.Files...)...)
		errs.Sort()
		return p, errs
	}
	rs, err := Compile(p.Files, opts...)
	if err != nil {
		return p, err
	}
	p.Rules = rs
	return p, nil
}

// ParseFS parses dir in fsys as LoadFS reads it (every *.yaml and *.yml file directly inside it, in lexical order,
// or dir itself when it is a file), without validating or compiling. Errors of all files are returned together.
func ParseFS(fsys fs.FS, dir string) ([]*File, ErrorList) {
	srcs, errs := readFS(fsys, dir, func(n string) string { return n })
	return parseSources(srcs, errs)
}

// ParsePath parses a rule pack on disk as LoadPath reads it, without validating or compiling. Positions name the
// files by their path on disk.
func ParsePath(p string) ([]*File, ErrorList) {
	return parseSources(readPath(p))
}

func parseSources(srcs []source, errs ErrorList) ([]*File, ErrorList) {
	files := make([]*File, 0, len(srcs))
	for _, s := range srcs {
		f, ferrs := Parse(s.name, s.src)
		files = append(files, f)
		errs = append(errs, ferrs...)
	}
	return files, errs
}

// readPath reads a directory or a file on disk; positions name the files by their path on disk.
func readPath(p string) ([]source, ErrorList) {
	st, err := os.Stat(p)
	if err != nil {
		var errs ErrorList
		errs.Add(Position{File: p}, CodeBadValue, err.Error())
		return nil, errs
	}
	if st.IsDir() {
		return readFS(os.DirFS(p), ".", func(n string) string {
			if n == "." {
				return p
			}
			return filepath.Join(p, filepath.FromSlash(n))
		})
	}
	src, err := os.ReadFile(p)
	if err != nil {
		var errs ErrorList
		errs.Add(Position{File: p}, CodeBadValue, err.Error())
		return nil, errs
	}
	return []source{{key: filepath.Base(p), name: p, src: src}}, nil
}

// readFS reads the rule files of dir in fsys (or dir itself when it is a file); display turns an fs.FS path into
// the name positions carry.
func readFS(fsys fs.FS, dir string, display func(string) string) ([]source, ErrorList) {
	var errs ErrorList
	st, err := fs.Stat(fsys, dir)
	if err != nil {
		errs.Add(Position{File: display(dir)}, CodeBadValue, err.Error())
		return nil, errs
	}
	var names []string
	if st.IsDir() {
		ents, err := fs.ReadDir(fsys, dir)
		if err != nil {
			errs.Add(Position{File: display(dir)}, CodeBadValue, err.Error())
			return nil, errs
		}
		for _, e := range ents {
			if !e.IsDir() && isRuleFile(e.Name()) {
				names = append(names, path.Join(dir, e.Name()))
			}
		}
		slices.Sort(names)
		if len(names) == 0 {
			errs.Add(Position{File: display(dir)}, CodeMissingField, "no *.yaml or *.yml rule files in directory")
			return nil, errs
		}
	} else {
		names = []string{dir}
	}
	srcs := make([]source, 0, len(names))
	for _, n := range names {
		src, err := fs.ReadFile(fsys, n)
		if err != nil {
			errs.Add(Position{File: display(n)}, CodeBadValue, err.Error())
			continue
		}
		srcs = append(srcs, source{key: path.Base(n), name: display(n), src: src})
	}
	return srcs, errs
}

func isRuleFile(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}
