package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
)

// expectedError is one `# ERROR col "regexp"` comment of a *.bad.yaml file.
type expectedError struct {
	line, col int
	rx        *regexp.Regexp
}

var errorCommentRx = regexp.MustCompile(`#\s*ERROR\s+(\d+)\s+"((?:[^"\\]|\\.)*)"`)

// expectedErrors collects the `# ERROR col "rx"` comments of src, as go/parser's error tests do with /* ERROR */.
func expectedErrors(t *testing.T, src []byte) []expectedError {
	t.Helper()
	var out []expectedError
	for i, line := range strings.Split(string(src), "\n") {
		for _, m := range errorCommentRx.FindAllStringSubmatch(line, -1) {
			col, _ := strconv.Atoi(m[1])
			rx, err := regexp.Compile(strings.ReplaceAll(m[2], `\"`, `"`))
			if err != nil {
				t.Fatalf("line %d: bad ERROR regexp: %v", i+1, err)
			}
			out = append(out, expectedError{line: i + 1, col: col, rx: rx})
		}
	}
	return out
}

// check runs Parse and Validate on one file, as Load does.
func check(name string, src []byte) (*File, ErrorList) {
	f, errs := Parse(name, src)
	errs = append(errs, Validate(f)...)
	errs.Sort()
	return f, errs
}

func TestBadFiles(t *testing.T) {
	paths, _ := filepath.Glob("testdata/*.bad.yaml")
	if len(paths) == 0 {
		t.Fatal("no testdata/*.bad.yaml")
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			want := expectedErrors(t, src)
			if len(want) == 0 {
				t.Fatal("no # ERROR comments")
			}
			_, errs := check(path, src)
			used := make([]bool, len(errs))
			for _, w := range want {
				found := false
				for i, e := range errs {
					if !used[i] && e.Pos.Line == w.line && e.Pos.Col == w.col && w.rx.MatchString(e.Msg) {
						used[i], found = true, true
						break
					}
				}
				if !found {
					t.Errorf("%s:%d:%d: missing error matching %q", path, w.line, w.col, w.rx)
				}
			}
			for i, e := range errs {
				if e.Pos.File != path {
					t.Errorf("error names file %q, want %q: %v", e.Pos.File, path, e)
				}
				if e.Code == "" {
					t.Errorf("error without code: %v", e)
				}
				if !used[i] {
					t.Errorf("unexpected error: %v [%s]", e, e.Code)
				}
			}
		})
	}
}

func TestGoodFiles(t *testing.T) {
	paths, _ := filepath.Glob("testdata/*.good.yaml")
	if len(paths) == 0 {
		t.Fatal("no testdata/*.good.yaml")
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f, errs := check(path, src)
			if len(errs) > 0 {
				t.Fatalf("unexpected errors:\n%v", errs)
			}
			rs, err := Compile([]*File{f})
			if err != nil {
				t.Fatal(err)
			}
			for _, fail := range RunExamples(rs, nil) {
				t.Errorf("example failed: %v", fail)
			}
		})
	}
}

func TestErrorList(t *testing.T) {
	var l ErrorList
	if l.Err() != nil {
		t.Fatal("empty list: Err() != nil")
	}
	l.Add(Position{File: "b.yaml", Line: 2, Col: 1}, CodeBadValue, "second")
	l.Add(Position{File: "a.yaml", Line: 9, Col: 3}, CodeUnknownKey, "first")
	l.Add(Position{File: "b.yaml", Line: 2, Col: 1}, CodeBadValue, "second")
	l.Sort()
	if len(l) != 2 {
		t.Fatalf("Sort kept %d errors, want 2 (duplicates removed)", len(l))
	}
	if got, want := l.Error(), "a.yaml:9:3: first (and 1 more errors)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var el ErrorList
	if !errors.As(l.Err(), &el) || len(el) != 2 {
		t.Errorf("errors.As did not recover the list")
	}
	// Unwrap lets errors.As reach each *Error, also through a wrapping error.
	var first *Error
	if !errors.As(fmt.Errorf("load: %w", l.Err()), &first) || first.Code != CodeUnknownKey {
		t.Errorf("errors.As(*Error) through the list = %v", first)
	}
	if got := len(l.Unwrap()); got != 2 {
		t.Errorf("Unwrap gives %d errors, want 2", got)
	}
	for _, tc := range []struct {
		p    Position
		want string
	}{
		{Position{"f.yaml", 3, 7}, "f.yaml:3:7"},
		{Position{"f.yaml", 3, 0}, "f.yaml:3"},
		{Position{"f.yaml", 0, 0}, "f.yaml"},
		{Position{"", 4, 2}, "4:2"},
		{Position{}, "-"},
	} {
		if got := tc.p.String(); got != tc.want {
			t.Errorf("%#v.String() = %q, want %q", tc.p, got, tc.want)
		}
	}
}

func TestParseFSOrderAndCrossFileErrors(t *testing.T) {
	fsys := fstest.MapFS{
		"pack/b.yml":     {Data: []byte("entities:\n  - {canonical: Seoul, type: LOCATION, aliases: [Hanyang]}\n")},
		"pack/a.yaml":    {Data: []byte("entities:\n  - {canonical: Hanyang Fortress, type: LOCATION, aliases: [hanyang]}\n")},
		"pack/notes.txt": {Data: []byte("not a rule file")},
	}
	files, errs := ParseFS(fsys, "pack")
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(files) != 2 || files[0].Name != "pack/a.yaml" || files[1].Name != "pack/b.yml" {
		t.Fatalf("files not in lexical order: %v", names(files))
	}
	verrs := Validate(files...)
	if len(verrs) != 1 || verrs[0].Code != CodeDuplicateAlias || verrs[0].Pos.String() != "pack/b.yml:2:50" {
		t.Fatalf("want one duplicate_alias at pack/b.yml:2:50, got %v", verrs)
	}
	if _, err := Compile(files); err == nil {
		t.Fatal("Compile accepted an invalid pack")
	}
}

func names(fs []*File) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Name)
	}
	return out
}

func TestLoaders(t *testing.T) {
	dir := t.TempDir()
	good := []byte("topics:\n  - label: rain\n    terms: [rain]\n")
	bad := []byte("topics:\n  - label: Rain\n    terms: [rain]\n    treshold: 2\n")
	if err := os.WriteFile(filepath.Join(dir, "10-good.yaml"), good, 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := LoadPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	rs := p.Rules
	if got := rs.Labels(); len(got) != 1 || got[0] != "rain" {
		t.Fatalf("Labels() = %v", got)
	}
	if len(p.Files) != 1 || p.Files[0].Name != filepath.Join(dir, "10-good.yaml") || string(p.Sources["10-good.yaml"]) != string(good) {
		t.Errorf("LoadPath(dir): files %v, sources %v", names(p.Files), p.Sources)
	}
	// Every loader reads the same pack the same way.
	for name, load := range map[string]func() (*Pack, error){
		"file": func() (*Pack, error) { return LoadPath(filepath.Join(dir, "10-good.yaml")) },
		"fs":   func() (*Pack, error) { return LoadFS(fstest.MapFS{"p/10-good.yaml": {Data: good}}, "p") },
		"files": func() (*Pack, error) {
			return LoadFiles(map[string]string{"10-good.yaml": string(good), "README": "x"})
		},
		"bytes": func() (*Pack, error) { return LoadFiles(map[string][]byte{"10-good.yaml": good}) },
	} {
		q, err := load()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if q.Rules.Version() != rs.Version() || len(q.Sources) != 1 || string(q.Sources["10-good.yaml"]) != string(good) {
			t.Errorf("%s: version %s (want %s), sources %v", name, q.Rules.Version(), rs.Version(), q.Sources)
		}
	}

	if err := os.WriteFile(filepath.Join(dir, "20-bad.yaml"), bad, 0o644); err != nil {
		t.Fatal(err)
	}
	bad20 := filepath.Join(dir, "20-bad.yaml")
	for name, load := range map[string]func() (*Pack, error){
		"dir":   func() (*Pack, error) { return LoadPath(dir) },
		"fs":    func() (*Pack, error) { return LoadFS(os.DirFS(dir), ".") },
		"files": func() (*Pack, error) { return LoadFiles(map[string][]byte{"10-good.yaml": good, "20-bad.yaml": bad}) },
	} {
		file := bad20
		if name != "dir" {
			file = "20-bad.yaml"
		}
		q, err := load()
		var el ErrorList
		if !errors.As(err, &el) || len(el) != 2 || q.Rules != nil || len(q.Files) != 2 {
			t.Fatalf("%s: bad pack: %v, want a parse and a validation error", name, err)
		}
		if el[0].Pos.String() != file+":2:12" || el[0].Code != CodeBadLabel || el[1].Pos.String() != file+":4:5" || el[1].Code != CodeUnknownKey {
			t.Errorf("%s: errors %v, want bad_label at %s:2:12 and unknown_key at :4:5", name, el, file)
		}
	}
	for name, files := range map[string]map[string]string{
		"empty":   {},
		"no yaml": {"README.md": "x"},
		"subdir":  {"a/b.yaml": string(good)},
		"dotdot":  {"../b.yaml": string(good)},
	} {
		if _, err := LoadFiles(files); err == nil {
			t.Errorf("LoadFiles(%s) succeeded", name)
		}
	}
	if _, err := LoadPath(filepath.Join(dir, "missing")); err == nil {
		t.Error("LoadPath(missing) succeeded")
	}
}

func TestVersion(t *testing.T) {
	compile := func(src string, opts ...Option) string {
		t.Helper()
		f, errs := Parse("v.yaml", []byte(src))
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		rs, err := Compile([]*File{f}, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return rs.Version()
	}
	a := compile("topics:\n  - label: rain\n    terms: [rain]\n")
	b := compile("# a comment\ntopics:\n- {label: rain, terms: [rain]}\n")
	c := compile("topics:\n  - label: rain\n    terms: [rain, drizzle]\n")
	d := compile("topics:\n  - label: rain\n    terms: [rain]\n", WithVersionSalt("model-2"))
	if !regexp.MustCompile(`^sha256:[0-9a-f]{12}$`).MatchString(a) {
		t.Errorf("version %q has the wrong form", a)
	}
	if a != b {
		t.Errorf("formatting changed the version: %s vs %s", a, b)
	}
	if a == c || a == d {
		t.Errorf("content or salt did not change the version: %s %s %s", a, c, d)
	}
}

func TestDefaultPack(t *testing.T) {
	rs, err := Default()
	if err != nil {
		t.Fatalf("embedded pack: %v", err)
	}
	rs2, _ := Default()
	if rs != rs2 {
		t.Error("Default compiled twice")
	}
	if len(rs.Entities()) == 0 {
		t.Error("default pack has no entities")
	}
	for _, fail := range RunExamples(rs, nil) {
		t.Errorf("default pack example: %v", fail)
	}
	ents, err := os.ReadDir("pack")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".yaml") {
			n++
			want, _ := os.ReadFile(filepath.Join("pack", e.Name()))
			got, err := fs.ReadFile(DefaultFS(), e.Name())
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("DefaultFS %s differs from pack/%s (%v)", e.Name(), e.Name(), err)
			}
		}
	}
	if n == 0 {
		t.Error("no pack/*.yaml")
	}
}

func TestCompileRefusesFilesWithParseErrors(t *testing.T) {
	f, errs := Parse("p.yaml", []byte("topics:\n  - label: rain\n    terms: [rain]\n    threshold: lots\n"))
	if len(errs) != 1 {
		t.Fatalf("want one parse error, got %v", errs)
	}
	_, err := Compile([]*File{f})
	var el ErrorList
	if !errors.As(err, &el) || len(el) != 1 || el[0].Pos.String() != "p.yaml:4:16" {
		t.Fatalf("Compile = %v, want the parse error at p.yaml:4:16", err)
	}
	if _, err := Compile([]*File{nil}); err == nil {
		t.Error("Compile accepted a nil file")
	}
}
