package pipeline

import (
	"strings"
	"testing"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(c *Config)
		want   string // substring naming field and value; "" means valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"ner hybrid", func(c *Config) { c.NER = "hybrid" }, ""},
		{"ner unknown", func(c *Config) { c.NER = "spacy" }, `ner "spacy"`},
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
		{"max tag time off", func(c *Config) { c.MaxTagTime = 0 }, ""},
		{"max tag time negative", func(c *Config) { c.MaxTagTime = -1 }, "max-tag-time -1ns"},
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
