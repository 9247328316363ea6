package pipeline

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
)

// resolve runs the command-line layering: defaults, file, environment, flags.
func resolve(t *testing.T, file string, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	bound := DefaultConfig()
	bound.BindFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	if file != "" {
		path := filepath.Join(t.TempDir(), "tagpipe.yaml")
		if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := cfg.LoadFile(path); err != nil {
			return cfg, err
		}
	}
	err := cfg.ApplyEnvAndFlags(fs, func(k string) string { return env[k] })
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
		check func(t *testing.T, c Config)
	}{
		{"defaults", "", nil, nil, func(t *testing.T, c Config) {
			if c.In != "articles.raw" || c.Workers != 8 || c.ShutdownTimeout != 30*time.Second || len(c.Brokers) != 0 {
				t.Errorf("defaults: %+v", c)
			}
		}},
		{"file over defaults", file, nil, nil, func(t *testing.T, c Config) {
			if c.In != "file.in" || c.Workers != 3 || c.ShutdownTimeout != 7*time.Second || c.DLQ != "articles.dlq" {
				t.Errorf("file: in=%s workers=%d timeout=%s dlq=%s", c.In, c.Workers, c.ShutdownTimeout, c.DLQ)
			}
		}},
		{"env over file", file, env, nil, func(t *testing.T, c Config) {
			if c.In != "env.in" || c.Workers != 5 || c.Out != "file.out" || !slices.Equal(c.Brokers, []string{"e1:9092", "e2:9092"}) {
				t.Errorf("env: in=%s workers=%d out=%s brokers=%v", c.In, c.Workers, c.Out, c.Brokers)
			}
			if c.SASLPassword != "s3cret" {
				t.Errorf("password from env not read")
			}
		}},
		{"flags over env", file, env, []string{"--in", "flag.in", "--brokers", "f:1", "--workers=9"}, func(t *testing.T, c Config) {
			if c.In != "flag.in" || c.Workers != 9 || !slices.Equal(c.Brokers, []string{"f:1"}) || c.Out != "file.out" {
				t.Errorf("flags: in=%s workers=%d brokers=%v out=%s", c.In, c.Workers, c.Brokers, c.Out)
			}
		}},
		{"flag equal to its default still wins", file, env, []string{"--workers", "8"}, func(t *testing.T, c Config) {
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
		{"unknown key", "in: a\nworkerz: 3\n", []string{"tagpipe.yaml:2:", "workerz"}},
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

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *Config)
		want   string // substring naming field and value; "" means valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"workers", func(c *Config) { c.Workers = 0 }, "workers 0: must be at least 1"},
		{"max in flight", func(c *Config) { c.MaxInFlight = -1 }, "max-in-flight -1"},
		{"broker without port", func(c *Config) { c.Brokers = []string{"kafka"} }, `brokers "kafka": want host:port`},
		{"bad topic", func(c *Config) { c.Out = "has space" }, `out "has space"`},
		{"in equals out", func(c *Config) { c.Out = c.In }, `in "articles.raw": must differ`},
		{"sasl mechanism", func(c *Config) { c.SASLMechanism = "GSSAPI" }, `sasl-mechanism "GSSAPI"`},
		{"sasl without user", func(c *Config) { c.SASLMechanism = "PLAIN"; c.SASLPassword = "x" }, `sasl-username "": required`},
		{"sasl without password", func(c *Config) { c.SASLMechanism = "SCRAM-SHA-512"; c.SASLUsername = "u" }, "needs a password"},
		{"sasl ok", func(c *Config) { c.SASLMechanism = "SCRAM-SHA-512"; c.SASLUsername = "u"; c.SASLPasswordFile = "/p" }, ""},
		{"tls files without tls", func(c *Config) { c.TLSCA = "ca.pem" }, "tls false"},
		{"cert without key", func(c *Config) { c.TLS = true; c.TLSCert = "c.pem" }, `tls-cert "c.pem"`},
		{"http public without token", func(c *Config) { c.HTTP = "0.0.0.0:9464" }, `http "0.0.0.0:9464": binding off loopback requires http-token`},
		{"http public with token", func(c *Config) { c.HTTP = "0.0.0.0:9464"; c.HTTPToken = "t" }, ""},
		{"http loopback", func(c *Config) { c.HTTP = "127.0.0.1:9464" }, ""},
		{"http localhost", func(c *Config) { c.HTTP = "localhost:0" }, ""},
		{"max message bytes", func(c *Config) { c.MaxMessageBytes = 10 }, "max-message-bytes 10"},
		{"shutdown timeout", func(c *Config) { c.ShutdownTimeout = 0 }, "shutdown-timeout 0s: must be positive"},
		{"route prefix", func(c *Config) { c.RoutePrefix = "tagged/" }, `route-prefix "tagged/"`},
		{"compression lz4", func(c *Config) { c.Compression = "lz4" }, ""},
		{"compression unknown", func(c *Config) { c.Compression = "brotli" }, `compression "brotli": want one of none, gzip`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			tt.mutate(&c)
			err := c.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestCompressionsAreAccepted(t *testing.T) {
	for _, name := range Compressions() {
		if _, err := compressionCodec(name); err != nil {
			t.Errorf("Compressions lists %q, which Validate rejects: %v", name, err)
		}
	}
	if len(Compressions()) != len(codecs) {
		t.Errorf("Compressions() = %v, codecs has %d", Compressions(), len(codecs))
	}
}

func TestConnNeverPrintsPassword(t *testing.T) {
	c := DefaultConfig().Conn
	c.Brokers = []string{"k:9092"}
	c.SASLMechanism, c.SASLUsername, c.SASLPassword = "PLAIN", "user", "hunter2"
	if s := c.String(); strings.Contains(s, "hunter2") || !strings.Contains(s, "user") {
		t.Errorf("String() = %q", s)
	}
}

func TestResolveSecretsReadsPasswordFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(path, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c := Conn{SASLPasswordFile: path}
	if err := c.ResolveSecrets(); err != nil || c.SASLPassword != "from-file" {
		t.Fatalf("password %q, err %v", c.SASLPassword, err)
	}
	c = Conn{SASLPasswordFile: path, SASLPassword: "from-env"}
	if err := c.ResolveSecrets(); err != nil || c.SASLPassword != "from-env" {
		t.Fatalf("environment password should win over the file: %q, %v", c.SASLPassword, err)
	}
}

func TestEnvNameDocumentedInHelp(t *testing.T) {
	fs := pflag.NewFlagSet("run", pflag.ContinueOnError)
	c := DefaultConfig()
	c.BindFlags(fs)
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
