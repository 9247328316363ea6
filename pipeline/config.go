package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/tagpipe/tagpipe/tagger"
)

// EnvPrefix prefixes the environment variable of every configuration flag: --brokers is TAGPIPE_BROKERS,
// --sasl-username is TAGPIPE_SASL_USERNAME.
const EnvPrefix = "TAGPIPE_"

// EnvSASLPassword holds the SASL password; it has no flag, so that the secret stays out of process listings.
const EnvSASLPassword = "TAGPIPE_SASL_PASSWORD"

// EnvHTTPToken is the environment variable of --http-token, named here because it is a secret.
const EnvHTTPToken = "TAGPIPE_HTTP_TOKEN"

// EnvName returns the environment variable that sets the flag named flag.
func EnvName(flag string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// Conn is how to reach the Kafka cluster: brokers, SASL and TLS. Every command that talks to Kafka uses one.
// Each field's YAML key is its flag's name.
type Conn struct {
	// Brokers are the bootstrap brokers, host:port. Empty means the embedded in-memory broker where a command
	// offers one.
	Brokers []string `yaml:"brokers"`
	// ClientID names this client to the brokers. Default "tagpipe".
	ClientID string `yaml:"client-id"`
	// DialTimeout bounds connecting and authenticating to one broker. Default 10s.
	DialTimeout time.Duration `yaml:"dial-timeout"`

	// SASLMechanism is empty (no SASL), PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
	SASLMechanism string `yaml:"sasl-mechanism"`
	// SASLUsername is the SASL user.
	SASLUsername string `yaml:"sasl-username"`
	// SASLPasswordFile is a file holding the SASL password (trailing newline trimmed). The password may instead
	// come from TAGPIPE_SASL_PASSWORD.
	SASLPasswordFile string `yaml:"sasl-password-file"`
	// SASLPassword is the password itself, from TAGPIPE_SASL_PASSWORD or read from SASLPasswordFile by
	// ResolveSecrets. It is never read from YAML, never printed and never logged.
	SASLPassword string `yaml:"-"`

	// TLS enables TLS to the brokers with the system roots, or TLSCA.
	TLS bool `yaml:"tls"`
	// TLSCA is a PEM file of CA certificates that verify the brokers.
	TLSCA string `yaml:"tls-ca"`
	// TLSCert and TLSKey are a PEM client certificate and key, for mutual TLS.
	TLSCert string `yaml:"tls-cert"`
	TLSKey  string `yaml:"tls-key"`
	// TLSInsecureSkipVerify disables verification of the brokers' certificates. For tests only.
	TLSInsecureSkipVerify bool `yaml:"tls-insecure-skip-verify"`
}

// Config configures `tagpipe run`. Build it with DefaultConfig, then LoadFile, ApplyEnvAndFlags and Validate;
// precedence is flags > environment > file > defaults. Each field's YAML key is its flag's name.
type Config struct {
	Conn `yaml:",inline"`

	// In is the topic of raw articles. Default "articles.raw".
	In string `yaml:"in"`
	// Out is the topic of tagged records. Default "articles.tagged".
	Out string `yaml:"out"`
	// DLQ is the dead-letter topic. Default "articles.dlq".
	DLQ string `yaml:"dlq"`
	// Group is the consumer group. Default "tagpipe".
	Group string `yaml:"group"`
	// RoutePrefix, when set, also copies each tagged record to one topic per label: prefix + label.
	RoutePrefix string `yaml:"route-prefix"`

	// Workers is the number of goroutines tagging in parallel. Default 8.
	Workers int `yaml:"workers"`
	// MaxInFlight bounds the records fetched but not yet committed-ready; fetching waits when it is reached, which
	// keeps memory bounded. Default 1000.
	MaxInFlight int `yaml:"max-in-flight"`
	// BatchSize and BatchTimeout set the producer's batching (kafka-go's defaults of 100 and 1s make a
	// synchronous producer crawl). Defaults 500 and 5ms.
	BatchSize    int           `yaml:"batch-size"`
	BatchTimeout time.Duration `yaml:"batch-timeout"`
	// Compression is the codec of produced batches: none, gzip, snappy, lz4 or zstd. Tagged records are JSON
	// about 4.6 times their article's size; lz4 stores them in about a quarter of the bytes (zstd a seventh) and
	// halves the broker's CPU per record, for about a tenth more CPU in tagpipe. Default none.
	Compression string `yaml:"compression"`
	// MaxAttempts is how many times a produce to an unusable output (topic missing, not writable) is tried
	// before the instance stops. Broker outages and other transient errors do not count: they are retried with
	// backoff until the brokers are back. Default 10.
	MaxAttempts int `yaml:"max-attempts"`
	// CommitInterval is how often acknowledged offsets are committed. Default 1s.
	CommitInterval time.Duration `yaml:"commit-interval"`
	// Record is the format of the tagged records produced (tagger.RecordFull or tagger.RecordCompact; "": full).
	// Set by `tagpipe bench --record`; the flag, env and YAML key of `run` are issue 13's config work.
	Record tagger.RecordFormat `yaml:"-"`
	// MaxMessageBytes is the largest record produced; bigger tagged records are trimmed or dead-lettered.
	// Default 1000000 (the broker's default message.max.bytes is 1048588).
	MaxMessageBytes int `yaml:"max-message-bytes"`
	// ShutdownTimeout bounds draining, flushing and committing after a shutdown signal. Default 30s.
	ShutdownTimeout time.Duration `yaml:"shutdown-timeout"`

	// CreateTopics creates the input, output, DLQ and rules topics (and route topics on first use) when missing.
	CreateTopics bool `yaml:"create-topics"`
	// Partitions and ReplicationFactor are used by CreateTopics. Defaults 3 and 1.
	Partitions        int `yaml:"partitions"`
	ReplicationFactor int `yaml:"replication-factor"`

	// HTTP is the address of the metrics and health endpoint; empty disables it. A non-loopback address needs
	// HTTPToken.
	HTTP string `yaml:"http"`
	// HTTPToken is the bearer token the HTTP endpoint requires (also TAGPIPE_HTTP_TOKEN). Never logged.
	HTTPToken string `yaml:"http-token"`

	// Rules is a rule pack (file or directory) to load instead of the embedded default.
	Rules string `yaml:"rules"`
	// RulesTopic is where rule packs are published for hot reload; empty disables it. Default "tagpipe.rules".
	RulesTopic string `yaml:"rules-topic"`
}

// DefaultConfig returns the configuration with every default filled in.
func DefaultConfig() Config {
	return Config{
		Conn:              Conn{ClientID: "tagpipe", DialTimeout: 10 * time.Second},
		In:                "articles.raw",
		Out:               "articles.tagged",
		DLQ:               "articles.dlq",
		Group:             "tagpipe",
		Workers:           8,
		MaxInFlight:       1000,
		BatchSize:         500,
		BatchTimeout:      5 * time.Millisecond,
		Compression:       "none",
		MaxAttempts:       10,
		CommitInterval:    time.Second,
		MaxMessageBytes:   1_000_000,
		ShutdownTimeout:   30 * time.Second,
		Partitions:        3,
		ReplicationFactor: 1,
		RulesTopic:        "tagpipe.rules",
	}
}

// LogValue keeps secrets out of logs.
func (c Conn) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("brokers", strings.Join(c.Brokers, ",")),
		slog.String("sasl_mechanism", c.SASLMechanism),
		slog.String("sasl_username", c.SASLUsername),
		slog.Bool("tls", c.TLS),
	)
}

// String keeps secrets out of %v.
func (c Conn) String() string { return c.LogValue().String() }

// BindFlags registers one flag per Conn field on fs, bound to c, its help naming the environment variable.
func (c *Conn) BindFlags(fs *pflag.FlagSet) {
	fs.StringSliceVar(&c.Brokers, "brokers", c.Brokers, "Kafka bootstrap brokers, host:port[,...]"+envHelp("brokers"))
	fs.StringVar(&c.ClientID, "client-id", c.ClientID, "client id sent to the brokers"+envHelp("client-id"))
	fs.DurationVar(&c.DialTimeout, "dial-timeout", c.DialTimeout, "timeout to connect and authenticate to a broker"+envHelp("dial-timeout"))
	fs.StringVar(&c.SASLMechanism, "sasl-mechanism", c.SASLMechanism, "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"+envHelp("sasl-mechanism"))
	fs.StringVar(&c.SASLUsername, "sasl-username", c.SASLUsername, "SASL username"+envHelp("sasl-username"))
	fs.StringVar(&c.SASLPasswordFile, "sasl-password-file", c.SASLPasswordFile, "file holding the SASL password (or set "+EnvSASLPassword+")"+envHelp("sasl-password-file"))
	fs.BoolVar(&c.TLS, "tls", c.TLS, "connect to the brokers with TLS"+envHelp("tls"))
	fs.StringVar(&c.TLSCA, "tls-ca", c.TLSCA, "PEM file of CA certificates for the brokers"+envHelp("tls-ca"))
	fs.StringVar(&c.TLSCert, "tls-cert", c.TLSCert, "PEM client certificate (mutual TLS)"+envHelp("tls-cert"))
	fs.StringVar(&c.TLSKey, "tls-key", c.TLSKey, "PEM client key (mutual TLS)"+envHelp("tls-key"))
	fs.BoolVar(&c.TLSInsecureSkipVerify, "tls-insecure-skip-verify", c.TLSInsecureSkipVerify, "do not verify the brokers' certificates (tests only)"+envHelp("tls-insecure-skip-verify"))
}

// BindFlags registers one flag per Config field on fs, bound to c, its help naming the environment variable.
func (c *Config) BindFlags(fs *pflag.FlagSet) {
	c.Conn.BindFlags(fs)
	fs.StringVar(&c.In, "in", c.In, "input topic of raw articles"+envHelp("in"))
	fs.StringVar(&c.Out, "out", c.Out, "output topic of tagged records"+envHelp("out"))
	fs.StringVar(&c.DLQ, "dlq", c.DLQ, "dead-letter topic"+envHelp("dlq"))
	fs.StringVar(&c.Group, "group", c.Group, "consumer group"+envHelp("group"))
	fs.StringVar(&c.RoutePrefix, "route-prefix", c.RoutePrefix, "also copy each tagged record to PREFIX+label topics (e.g. tagged.)"+envHelp("route-prefix"))
	fs.IntVar(&c.Workers, "workers", c.Workers, "tagging goroutines"+envHelp("workers"))
	fs.IntVar(&c.MaxInFlight, "max-in-flight", c.MaxInFlight, "records fetched but not yet acknowledged before fetching pauses"+envHelp("max-in-flight"))
	fs.IntVar(&c.BatchSize, "batch-size", c.BatchSize, "producer batch size, records"+envHelp("batch-size"))
	fs.DurationVar(&c.BatchTimeout, "batch-timeout", c.BatchTimeout, "producer linger before sending a partial batch"+envHelp("batch-timeout"))
	fs.StringVar(&c.Compression, "compression", c.Compression, "codec of produced batches: none, gzip, snappy, lz4, zstd"+envHelp("compression"))
	fs.IntVar(&c.MaxAttempts, "max-attempts", c.MaxAttempts, "produce attempts (with backoff) to an unusable output (topic missing or not writable) before the instance stops; broker outages are retried until they end"+envHelp("max-attempts"))
	fs.DurationVar(&c.CommitInterval, "commit-interval", c.CommitInterval, "how often acknowledged offsets are committed"+envHelp("commit-interval"))
	fs.IntVar(&c.MaxMessageBytes, "max-message-bytes", c.MaxMessageBytes, "largest record produced; bigger tagged records are trimmed or dead-lettered"+envHelp("max-message-bytes"))
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "time allowed to drain, flush and commit on SIGINT/SIGTERM"+envHelp("shutdown-timeout"))
	fs.BoolVar(&c.CreateTopics, "create-topics", c.CreateTopics, "create missing topics"+envHelp("create-topics"))
	fs.IntVar(&c.Partitions, "partitions", c.Partitions, "partitions of created topics"+envHelp("partitions"))
	fs.IntVar(&c.ReplicationFactor, "replication-factor", c.ReplicationFactor, "replication factor of created topics"+envHelp("replication-factor"))
	fs.StringVar(&c.HTTP, "http", c.HTTP, "serve /metrics, /healthz, /readyz on this address (e.g. 127.0.0.1:9464)"+envHelp("http"))
	fs.StringVar(&c.HTTPToken, "http-token", c.HTTPToken, "bearer token required by the HTTP endpoint; required off loopback"+envHelp("http-token"))
	fs.StringVar(&c.Rules, "rules", c.Rules, "rule pack file or directory (default: the embedded pack)"+envHelp("rules"))
	fs.StringVar(&c.RulesTopic, "rules-topic", c.RulesTopic, "topic of published rule packs for hot reload; empty disables"+envHelp("rules-topic"))
}

func envHelp(flag string) string { return " (env " + EnvName(flag) + ")" }

// flagBinder is a configuration whose fields can be bound to flags.
type flagBinder interface{ BindFlags(fs *pflag.FlagSet) }

// ApplyEnvAndFlags overrides c with the environment, then with the flags set on fs (a flag set on which
// Conn.BindFlags was called, for any Conn). getenv is os.Getenv outside tests. TAGPIPE_SASL_PASSWORD is read here.
func (c *Conn) ApplyEnvAndFlags(fs *pflag.FlagSet, getenv func(string) string) error {
	if err := applyEnvAndFlags(c, fs, getenv); err != nil {
		return err
	}
	if v := getenv(EnvSASLPassword); v != "" {
		c.SASLPassword = v
	}
	return nil
}

// ApplyEnvAndFlags overrides c with the environment, then with the flags set on fs (a flag set on which
// Config.BindFlags was called, for any Config). getenv is os.Getenv outside tests. TAGPIPE_SASL_PASSWORD is read
// here; TAGPIPE_HTTP_TOKEN is the environment variable of --http-token.
func (c *Config) ApplyEnvAndFlags(fs *pflag.FlagSet, getenv func(string) string) error {
	if err := applyEnvAndFlags(c, fs, getenv); err != nil {
		return err
	}
	if v := getenv(EnvSASLPassword); v != "" {
		c.SASLPassword = v
	}
	return nil
}

// applyEnvAndFlags binds dst to a private flag set with the same names, sets it from the environment for every
// flag not given on the command line, then copies the values of the flags that were given.
func applyEnvAndFlags(dst flagBinder, fs *pflag.FlagSet, getenv func(string) string) error {
	own := pflag.NewFlagSet("config", pflag.ContinueOnError)
	dst.BindFlags(own)
	var errs []error
	own.VisitAll(func(f *pflag.Flag) {
		given := fs.Lookup(f.Name)
		if given != nil && given.Changed {
			if sv, ok := given.Value.(pflag.SliceValue); ok {
				if err := f.Value.(pflag.SliceValue).Replace(sv.GetSlice()); err != nil {
					errs = append(errs, fmt.Errorf("--%s: %w", f.Name, err))
				}
				return
			}
			if err := f.Value.Set(given.Value.String()); err != nil {
				errs = append(errs, fmt.Errorf("--%s: %w", f.Name, err))
			}
			return
		}
		name := EnvName(f.Name)
		if v := getenv(name); v != "" {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", name, v, err))
			}
		}
	})
	return errors.Join(errs...)
}

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// LoadFile overrides c with the YAML file at path. Unknown keys are errors; every error names path:line.
func (c *Config) LoadFile(path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return c.parseYAML(path, src)
}

func (c *Config) parseYAML(name string, src []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	err := dec.Decode(c)
	if err == nil || errors.Is(err, io.EOF) { // an empty file is a valid, empty configuration
		return nil
	}
	oneLine := strings.NewReplacer("\n", `\n`, "\r", `\r`) // values quoted in messages may hold line breaks
	var te *yaml.TypeError
	if errors.As(err, &te) {
		errs := make([]error, 0, len(te.Errors))
		for _, e := range te.Errors {
			e = oneLine.Replace(e)
			if m := yamlLine.FindStringSubmatch(e); m != nil {
				msg := strings.TrimSuffix(m[2], " in type pipeline.Config")
				errs = append(errs, fmt.Errorf("%s:%s: %s", name, m[1], msg))
				continue
			}
			errs = append(errs, fmt.Errorf("%s: %s", name, e))
		}
		return errors.Join(errs...)
	}
	msg := oneLine.Replace(strings.TrimPrefix(err.Error(), "yaml: "))
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: %s", name, m[1], m[2])
	}
	return fmt.Errorf("%s: %s", name, msg)
}

// ResolveSecrets reads the SASL password file, when one is configured and no password came from the
// environment.
func (c *Conn) ResolveSecrets() error {
	if c.SASLPassword != "" || c.SASLPasswordFile == "" {
		return nil
	}
	b, err := os.ReadFile(c.SASLPasswordFile)
	if err != nil {
		return fmt.Errorf("sasl-password-file: %w", err)
	}
	c.SASLPassword = strings.TrimRight(string(b), "\r\n")
	return nil
}

// Validate checks the connection settings; each error names the field and its value. It does not require
// brokers: commands that need them check for themselves.
func (c *Conn) Validate() error {
	var errs []error
	bad := func(field string, value any, why string) {
		errs = append(errs, fmt.Errorf("%s %v: %s", field, value, why))
	}
	for _, b := range c.Brokers {
		if _, _, err := net.SplitHostPort(b); err != nil {
			bad("brokers", fmt.Sprintf("%q", b), "want host:port")
		}
	}
	if c.DialTimeout <= 0 {
		bad("dial-timeout", c.DialTimeout, "must be positive")
	}
	switch c.SASLMechanism {
	case "":
		if c.SASLUsername != "" {
			bad("sasl-username", fmt.Sprintf("%q", c.SASLUsername), "set without sasl-mechanism")
		}
	case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512":
		if c.SASLUsername == "" {
			bad("sasl-username", `""`, "required with sasl-mechanism "+c.SASLMechanism)
		}
		if c.SASLPassword == "" && c.SASLPasswordFile == "" {
			bad("sasl-password-file", `""`, "sasl-mechanism "+c.SASLMechanism+" needs a password: set "+EnvSASLPassword+" or sasl-password-file")
		}
	default:
		bad("sasl-mechanism", fmt.Sprintf("%q", c.SASLMechanism), "must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		bad("tls-cert", fmt.Sprintf("%q", c.TLSCert), fmt.Sprintf("tls-cert and tls-key go together (tls-key %q)", c.TLSKey))
	}
	if !c.TLS && (c.TLSCA != "" || c.TLSCert != "" || c.TLSInsecureSkipVerify) {
		bad("tls", c.TLS, "tls-ca, tls-cert and tls-insecure-skip-verify need tls: true")
	}
	return errors.Join(errs...)
}

// Validate checks the configuration; each error names the field and its value.
func (c *Config) Validate() error {
	errs := []error{c.Conn.Validate()}
	bad := func(field string, value any, why string) {
		errs = append(errs, fmt.Errorf("%s %v: %s", field, value, why))
	}
	topics := map[string]string{"in": c.In, "out": c.Out, "dlq": c.DLQ}
	for _, f := range []string{"in", "out", "dlq"} {
		if err := validTopic(topics[f]); err != nil {
			bad(f, fmt.Sprintf("%q", topics[f]), err.Error())
		}
	}
	if c.In == c.Out || c.In == c.DLQ {
		bad("in", fmt.Sprintf("%q", c.In), "must differ from out and dlq")
	}
	if c.RulesTopic != "" {
		if err := validTopic(c.RulesTopic); err != nil {
			bad("rules-topic", fmt.Sprintf("%q", c.RulesTopic), err.Error())
		}
	}
	if c.RoutePrefix != "" {
		if err := validTopic(c.RoutePrefix + "x"); err != nil {
			bad("route-prefix", fmt.Sprintf("%q", c.RoutePrefix), err.Error())
		}
	}
	if c.Group == "" {
		bad("group", `""`, "required")
	}
	positive := []struct {
		name string
		v    int
	}{{"workers", c.Workers}, {"max-in-flight", c.MaxInFlight}, {"batch-size", c.BatchSize},
		{"max-attempts", c.MaxAttempts}, {"partitions", c.Partitions}, {"replication-factor", c.ReplicationFactor}}
	for _, p := range positive {
		if p.v < 1 {
			bad(p.name, p.v, "must be at least 1")
		}
	}
	durations := []struct {
		name string
		v    time.Duration
	}{{"batch-timeout", c.BatchTimeout}, {"commit-interval", c.CommitInterval}, {"shutdown-timeout", c.ShutdownTimeout}}
	for _, d := range durations {
		if d.v <= 0 {
			bad(d.name, d.v, "must be positive")
		}
	}
	if _, err := compressionCodec(c.Compression); err != nil {
		bad("compression", fmt.Sprintf("%q", c.Compression), err.Error())
	}
	if c.MaxMessageBytes < 1024 {
		bad("max-message-bytes", c.MaxMessageBytes, "must be at least 1024")
	}
	if c.HTTP != "" {
		host, _, err := net.SplitHostPort(c.HTTP)
		switch {
		case err != nil:
			bad("http", fmt.Sprintf("%q", c.HTTP), "want host:port")
		case !isLoopback(host) && c.HTTPToken == "":
			bad("http", fmt.Sprintf("%q", c.HTTP), "binding off loopback requires http-token (or "+EnvHTTPToken+")")
		}
	}
	return errors.Join(errs...)
}

// codecs are the producer codecs by Config.Compression name.
var codecs = map[string]kafka.Compression{"none": 0, "gzip": kafka.Gzip, "snappy": kafka.Snappy, "lz4": kafka.Lz4, "zstd": kafka.Zstd}

// Compressions returns the names Config.Compression accepts.
func Compressions() []string {
	return []string{"none", "gzip", "snappy", "lz4", "zstd"}
}

// compressionCodec maps a Config.Compression name to kafka-go's codec.
func compressionCodec(name string) (kafka.Compression, error) {
	if c, ok := codecs[name]; ok {
		return c, nil
	}
	return 0, fmt.Errorf("want one of %s", strings.Join(Compressions(), ", "))
}

// isLoopback reports whether host names only the loopback interface.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validTopic checks a Kafka topic name.
func validTopic(t string) error {
	if t == "" {
		return errors.New("empty topic name")
	}
	if len(t) > 249 {
		return errors.New("topic name longer than 249 characters")
	}
	if t == "." || t == ".." {
		return errors.New("topic name cannot be . or ..")
	}
	for _, r := range t {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return fmt.Errorf("topic name has %q; use letters, digits, '.', '_' and '-'", r)
		}
	}
	return nil
}
