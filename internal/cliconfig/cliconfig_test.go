package cliconfig

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/tagpipe/tagpipe/pipeline"
)

// resolve runs the command-line layering: defaults, file, environment, flags.
func resolve(t *testing.T, file string, env map[string]string, args ...string) (pipeline.Config, error) {
	t.Helper()
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	bound := pipeline.DefaultConfig()
	BindConfig(fs, &bound)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	cfg := pipeline.DefaultConfig()
	if file != "" {
		path := filepath.Join(t.TempDir(), "tagpipe.yaml")
		if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := LoadFile(&cfg, path); err != nil {
			return cfg, err
		}
	}
	err := ApplyConfig(&cfg, fs, func(k string) string { return env[k] })
	return cfg, err
}

func TestConfigPrecedence(t *testing.T) {
	file := "brokers: [file:9092]\nin: file.in\nout: file.out\nworkers: 3\nshutdown-timeout: 7s\n"
	env := map[string]string{"TAGPIPE_IN": "env.in", "TAGPIPE_WORKERS": "5", "TAGPIPE_BROKERS": "e1:9092,e2:9092",
		"TAGPIPE_SASL_PASSWORD": "s3cret"}
	tests := []struct {
		name  string
		file  string
		env   map[string]string
		args  []string
		check func(t *testing.T, c pipeline.Config)
	}{
		{"defaults", "", nil, nil, func(t *testing.T, c pipeline.Config) {
			if c.In != "articles.raw" || c.Workers != 8 || c.ShutdownTimeout != 30*time.Second || len(c.Brokers) != 0 {
				t.Errorf("defaults: %+v", c)
			}
		}},
		{"file over defaults", file, nil, nil, func(t *testing.T, c pipeline.Config) {
			if c.In != "file.in" || c.Workers != 3 || c.ShutdownTimeout != 7*time.Second || c.DLQ != "articles.dlq" {
				t.Errorf("file: in=%s workers=%d timeout=%s dlq=%s", c.In, c.Workers, c.ShutdownTimeout, c.DLQ)
			}
		}},
		{"env over file", file, env, nil, func(t *testing.T, c pipeline.Config) {
			if c.In != "env.in" || c.Workers != 5 || c.Out != "file.out" || !slices.Equal(c.Brokers, []string{"e1:9092", "e2:9092"}) {
				t.Errorf("env: in=%s workers=%d out=%s brokers=%v", c.In, c.Workers, c.Out, c.Brokers)
			}
			if c.SASLPassword != "s3cret" {
				t.Errorf("password from env not read")
			}
		}},
		{"flags over env", file, env, []string{"--in", "flag.in", "--brokers", "f:1", "--workers=9"}, func(t *testing.T, c pipeline.Config) {
			if c.In != "flag.in" || c.Workers != 9 || !slices.Equal(c.Brokers, []string{"f:1"}) || c.Out != "file.out" {
				t.Errorf("flags: in=%s workers=%d brokers=%v out=%s", c.In, c.Workers, c.Brokers, c.Out)
			}
		}},
		{"flag equal to its default still wins", file, env, []string{"--workers", "8"}, func(t *testing.T, c pipeline.Config) {
			if c.Workers != 8 {
				t.Errorf("workers = %d, want 8 from the flag", c.Workers)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := resolve(t, tt.file, tt.env, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestConfigBadEnv(t *testing.T) {
	_, err := resolve(t, "", map[string]string{"TAGPIPE_WORKERS": "many"})
	if err == nil || !strings.Contains(err.Error(), `TAGPIPE_WORKERS="many"`) {
		t.Fatalf("err = %v, want it to name TAGPIPE_WORKERS and its value", err)
	}
}

func TestConfigFileErrors(t *testing.T) {
	tests := []struct {
		name, file string
		want       []string // substrings of the error
	}{
		{"unknown key", "in: a\nworkerz: 3\n", []string{"tagpipe.yaml:2:1: field workerz not found"}},
		{"repeated key", "in: a\nin: b\n", []string{"tagpipe.yaml:2:1:", `"in" repeated (first at line 1)`}},
		{"column of the value", "in: a\nworkers:   lots\n", []string{"tagpipe.yaml:2:12: workers:", "lots"}},
		{"not a mapping", "- a\n", []string{"tagpipe.yaml:1:1: want a mapping"}},
		{"two unknown keys", "bogus: 1\nin: a\nalso-bogus: 2\n", []string{"tagpipe.yaml:1:", "tagpipe.yaml:3:", "bogus", "also-bogus"}},
		{"wrong type", "in: a\nworkers: lots\n", []string{"tagpipe.yaml:2:", "lots"}},
		{"bad duration", "shutdown-timeout: soon\n", []string{"tagpipe.yaml:1:"}},
		{"syntax", "in: [a\n", []string{"tagpipe.yaml:"}},
		{"password is not a file key", "sasl-password: x\n", []string{"tagpipe.yaml:1:", "sasl-password"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := resolve(t, tt.file, nil)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
	if _, err := resolve(t, "# nothing\n", nil); err != nil {
		t.Errorf("a file with only a comment: %v", err)
	}
}

func TestEnvNameDocumentedInHelp(t *testing.T) {
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	c := pipeline.DefaultConfig()
	BindConfig(fs, &c)
	n := 0
	fs.VisitAll(func(f *pflag.Flag) {
		n++
		if !strings.Contains(f.Usage, "(env "+EnvName(f.Name)+")") {
			t.Errorf("--%s help does not name %s", f.Name, EnvName(f.Name))
		}
	})
	if n < 25 {
		t.Errorf("only %d flags bound", n)
	}
}

func TestConfigErrorsNameTheSource(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  map[string]string
		args []string
		want string
	}{
		{"flag", "", nil, []string{"--max-tag-time", "soon"}, "--max-tag-time"},
		{"env", "", map[string]string{"TAGPIPE_MAX_TAG_TIME": "soon"}, nil, `TAGPIPE_MAX_TAG_TIME="soon"`},
		{"file", "max-tag-time: soon\n", nil, nil, "tagpipe.yaml:1:15: max-tag-time:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
			bound := pipeline.DefaultConfig()
			BindConfig(fs, &bound)
			err := fs.Parse(tt.args)
			if err == nil {
				_, err = resolve(t, tt.file, tt.env, tt.args...)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to name %q", err, tt.want)
			}
		})
	}
}

func TestMaxTagTimeLayers(t *testing.T) {
	c, err := resolve(t, "max-tag-time: 2s\n", nil)
	if err != nil || c.MaxTagTime != 2*time.Second {
		t.Errorf("file: %s, %v", c.MaxTagTime, err)
	}
	c, err = resolve(t, "max-tag-time: 2s\n", map[string]string{"TAGPIPE_MAX_TAG_TIME": "3s"})
	if err != nil || c.MaxTagTime != 3*time.Second {
		t.Errorf("env: %s, %v", c.MaxTagTime, err)
	}
	c, err = resolve(t, "", map[string]string{"TAGPIPE_MAX_TAG_TIME": "3s"}, "--max-tag-time=0")
	if err != nil || c.MaxTagTime != 0 {
		t.Errorf("flag: %s, %v", c.MaxTagTime, err)
	}
	if c, _ := resolve(t, "", nil); c.MaxTagTime != 5*time.Second {
		t.Errorf("default max-tag-time %s, want 5s", c.MaxTagTime)
	}
}

func TestShadowLayers(t *testing.T) {
	c, err := resolve(t, "shadow-rules: cand/\n", nil)
	if err != nil || c.ShadowRules != "cand/" || c.ShadowTopic != "tagpipe.shadow" {
		t.Errorf("file: %q %q, %v", c.ShadowRules, c.ShadowTopic, err)
	}
	c, err = resolve(t, "shadow-rules: cand/\n", map[string]string{"TAGPIPE_SHADOW_RULES": "env/", "TAGPIPE_SHADOW_TOPIC": "s.env"})
	if err != nil || c.ShadowRules != "env/" || c.ShadowTopic != "s.env" {
		t.Errorf("env: %q %q, %v", c.ShadowRules, c.ShadowTopic, err)
	}
	c, err = resolve(t, "", map[string]string{"TAGPIPE_SHADOW_TOPIC": "s.env"}, "--shadow-topic=s.flag", "--shadow-rules=flag/")
	if err != nil || c.ShadowRules != "flag/" || c.ShadowTopic != "s.flag" {
		t.Errorf("flag: %q %q, %v", c.ShadowRules, c.ShadowTopic, err)
	}
}

func TestHTTPTokenSources(t *testing.T) {
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"env", map[string]string{"TAGPIPE_HTTP_TOKEN": "from-env"}, nil, "from-env"},
		{"file flag", nil, []string{"--http-token-file", path}, "from-file"},
		{"file env", map[string]string{"TAGPIPE_HTTP_TOKEN_FILE": path}, nil, "from-file"},
		{"env wins over the file", map[string]string{"TAGPIPE_HTTP_TOKEN": "from-env"}, []string{"--http-token-file", path}, "from-env"},
		{"flag still works", nil, []string{"--http-token", "from-flag"}, "from-flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := resolve(t, "", tt.env, tt.args...)
			if err == nil {
				err = c.ResolveSecrets()
			}
			if err != nil || c.HTTPToken != tt.want {
				t.Errorf("token %q, err %v; want %q", c.HTTPToken, err, tt.want)
			}
		})
	}
}

func TestInputAndRecordLayers(t *testing.T) {
	file := "input-format: auto\nhtml: strip\nrecord: compact\nfield:\n  - title=/headline\n  - body=/content,/text\n"
	tests := []struct {
		name              string
		file              string
		env               map[string]string
		args              []string
		format, html, rec string
		fields            []string
	}{
		{"defaults", "", nil, nil, "json", "auto", "full", nil},
		{"file", file, nil, nil, "auto", "strip", "compact", []string{"title=/headline", "body=/content,/text"}},
		{"env over file", file, map[string]string{"TAGPIPE_INPUT_FORMAT": "json", "TAGPIPE_RECORD": "full",
			"TAGPIPE_FIELD": "id=/meta/guid\n title=/h \n"}, nil, "json", "strip", "full", []string{"id=/meta/guid", "title=/h"}},
		{"flags over env", file, map[string]string{"TAGPIPE_FIELD": "id=/x", "TAGPIPE_HTML": "off"},
			[]string{"--field", "id=/meta/guid", "--field", "body=/content,/text", "--html", "auto"},
			"auto", "auto", "compact", []string{"id=/meta/guid", "body=/content,/text"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := resolve(t, tt.file, tt.env, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			if c.InputFormat != tt.format || c.HTML != tt.html || string(c.Record) != tt.rec || !slices.Equal(c.Fields, tt.fields) {
				t.Errorf("input-format %q html %q record %q field %q; want %q %q %q %q", c.InputFormat, c.HTML, c.Record, c.Fields,
					tt.format, tt.html, tt.rec, tt.fields)
			}
			if err := c.Validate(); err != nil && !strings.Contains(err.Error(), "brokers") {
				t.Errorf("Validate: %v", err)
			}
		})
	}
	for _, bad := range []struct {
		args []string
		want string
	}{
		{[]string{"--field", "title"}, `field mapping "title"`},
		{[]string{"--record", "lean"}, `record format "lean"`},
		{[]string{"--input-format", "xml"}, `input format "xml"`},
		{[]string{"--html", "maybe"}, `HTML mode "maybe"`},
		{[]string{"--input-format", "text", "--field", "title=/h"}, "not to the text input format"},
	} {
		c, _ := resolve(t, "", nil, bad.args...)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("Validate with %q: %v, want it to say %s", bad.args, err, bad.want)
		}
	}
}
