package pipeline

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/tagger"
)

// EnvHTTPToken is the environment variable that holds the HTTP endpoint's bearer token, named here because it is
// a secret (cmd/tagpipe reads it; the pipeline never reads the environment).
const EnvHTTPToken = "TAGPIPE_HTTP_TOKEN"

// Config configures a Pipeline: a plain struct. Start from DefaultConfig (each field's comment gives its
// default), set what differs, call ResolveSecrets and Validate (New calls Validate). The YAML tags are the keys
// of `tagpipe run --config` and the names of its flags; the command line layering lives in cmd/tagpipe.
type Config struct {
	kafkaio.Conn `yaml:",inline"`

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
	// MaxMessageBytes is the largest record produced; bigger tagged records are trimmed or dead-lettered.
	// Default 1000000 (the broker's default message.max.bytes is 1048588).
	MaxMessageBytes int `yaml:"max-message-bytes"`
	// MaxTagTime bounds tagging one record; a record that takes longer is dead-lettered with reason code
	// timeout and the instance goes on. 0 means no limit. Default 5s.
	MaxTagTime time.Duration `yaml:"max-tag-time"`
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
	// HTTPToken is the bearer token the HTTP endpoint requires. Never logged. Like the SASL password it should
	// come from the environment (TAGPIPE_HTTP_TOKEN) or HTTPTokenFile; the --http-token flag and YAML key still
	// work but put the secret in process listings or files that are shared more widely.
	HTTPToken string `yaml:"http-token"`
	// HTTPTokenFile is a file holding HTTPToken (trailing newline trimmed), read by ResolveSecrets when
	// HTTPToken is empty.
	HTTPTokenFile string `yaml:"http-token-file"`

	// InputFormat says how a record value is read (tagger.Decoder): json (an object with id, title and body, or
	// the members Fields maps), text (UTF-8 text: the first non-empty line is the title, the rest the body, the
	// record key the id) or auto (objects as json, anything else as text). Default json.
	InputFormat string `yaml:"input-format"`
	// Fields maps article fields to RFC 6901 JSON Pointers into objects of another shape, one NAME=/ptr[,/ptr...]
	// per entry (tagger.ParseFieldMap), e.g. title=/headline or body=/content,/text. Default none.
	Fields []string `yaml:"field"`
	// HTML says what is done with HTML bodies: auto (a body holding HTML tags is tagged as its text, which the
	// record carries in body_text), strip (every body) or off. Default auto.
	HTML string `yaml:"html"`
	// Record is the format of the tagged records: full (one entity entry per mention, one evidence entry per
	// hit) or compact (docs/record.compact.schema.json). The tagpipe-record header names it. Default full.
	Record tagger.RecordFormat `yaml:"record"`

	// Rules is a rule pack (file or directory) to load instead of the embedded default.
	Rules string `yaml:"rules"`
	// NER is how names no rule lists are found: builtin (discovery), prose (prose v2's recognizer) or hybrid
	// (discovery plus prose as a recall layer); see tagger.NERMode. The pipeline only validates it: the caller
	// builds the tagger with tagger.WithNER. Default builtin.
	NER string `yaml:"ner"`
	// RulesTopic is where rule packs are published for hot reload; empty disables it. Default "tagpipe.rules".
	RulesTopic string `yaml:"rules-topic"`

	// ShadowRules is a candidate rule pack (file or directory) for a shadow run: every record is tagged with it as
	// well and the differences go to ShadowTopic, never to Out. Like Rules it is reloaded when its files change.
	// Empty: no shadow run. The tagger comes with WithShadow.
	ShadowRules string `yaml:"shadow-rules"`
	// ShadowTopic receives a shadow run's differences (rulediff.Change JSON, keyed by article id). Default
	// "tagpipe.shadow".
	ShadowTopic string `yaml:"shadow-topic"`
}

// DefaultConfig returns the configuration with every default filled in.
func DefaultConfig() Config {
	return Config{
		Conn:              kafkaio.DefaultConn(),
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
		MaxTagTime:        5 * time.Second,
		ShutdownTimeout:   30 * time.Second,
		Partitions:        3,
		ReplicationFactor: 1,
		RulesTopic:        "tagpipe.rules",
		InputFormat:       tagger.InputJSON,
		HTML:              tagger.HTMLAuto,
		Record:            tagger.RecordFull,
		ShadowTopic:       "tagpipe.shadow",
		NER:               string(tagger.NERBuiltin),
	}
}

// ResolveSecrets reads the SASL password file and the HTTP token file, when configured and the secret did not
// come from elsewhere.
func (c *Config) ResolveSecrets() error {
	if err := c.Conn.ResolveSecrets(); err != nil {
		return err
	}
	if c.HTTPToken != "" || c.HTTPTokenFile == "" {
		return nil
	}
	b, err := os.ReadFile(c.HTTPTokenFile)
	if err != nil {
		return fmt.Errorf("http-token-file: %w", err)
	}
	c.HTTPToken = strings.TrimRight(string(b), "\r\n")
	return nil
}

// Validate checks the configuration; each error names the field and its value.
func (c *Config) Validate() error {
	errs := []error{c.Conn.Validate()}
	bad := func(field string, value any, why string) {
		errs = append(errs, fmt.Errorf("%s %v: %s", field, value, why))
	}
	topics := map[string]string{"in": c.In, "out": c.Out, "dlq": c.DLQ}
	for _, f := range []string{"in", "out", "dlq"} {
		if err := kafkaio.ValidTopic(topics[f]); err != nil {
			bad(f, fmt.Sprintf("%q", topics[f]), err.Error())
		}
	}
	if c.In == c.Out || c.In == c.DLQ {
		bad("in", fmt.Sprintf("%q", c.In), "must differ from out and dlq")
	}
	if c.RulesTopic != "" {
		if err := kafkaio.ValidTopic(c.RulesTopic); err != nil {
			bad("rules-topic", fmt.Sprintf("%q", c.RulesTopic), err.Error())
		}
	}
	if _, err := tagger.ParseNERMode(c.NER); err != nil {
		bad("ner", fmt.Sprintf("%q", c.NER), err.Error())
	}
	if c.ShadowRules != "" {
		if err := kafkaio.ValidTopic(c.ShadowTopic); err != nil || c.ShadowTopic == c.In || c.ShadowTopic == c.Out || c.ShadowTopic == c.DLQ {
			bad("shadow-topic", fmt.Sprintf("%q", c.ShadowTopic), "must be a valid topic other than in, out and dlq")
		}
	}
	if c.RoutePrefix != "" {
		if err := kafkaio.ValidTopic(c.RoutePrefix + "x"); err != nil {
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
	if c.MaxTagTime < 0 {
		bad("max-tag-time", c.MaxTagTime, "must be 0 (no limit) or positive")
	}
	if _, err := compressionCodec(c.Compression); err != nil {
		bad("compression", fmt.Sprintf("%q", c.Compression), err.Error())
	}
	if _, err := c.Decoder(); err != nil {
		errs = append(errs, err) // names the input format, HTML mode or field mapping

	}
	if _, err := tagger.ParseRecordFormat(string(c.Record)); err != nil {
		errs = append(errs, err)
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
			bad("http", fmt.Sprintf("%q", c.HTTP), "binding off loopback requires http-token (set "+EnvHTTPToken+" or http-token-file)")
		}
	}
	return errors.Join(errs...)
}

// Decoder returns the record decoder InputFormat, Fields and HTML describe. Articles without an id get their
// content id.
func (c *Config) Decoder() (*tagger.Decoder, error) {
	d, err := tagger.NewDecoder(c.InputFormat, c.HTML, c.Fields)
	if err != nil {
		return nil, err
	}
	d.ContentIDs = true
	return d, nil
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
