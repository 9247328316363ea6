// Package cliconfig layers the command line over pipeline.Config and kafkaio.Conn for cmd/tagpipe: flags >
// environment (TAGPIPE_ + the flag name) > a YAML file (keys are the flag names) > defaults. Every error names
// where the bad value came from: the flag (--workers), the environment variable (TAGPIPE_WORKERS="many") or
// the file position (tagpipe.yaml:3:10, line and column from yaml.Node).
//
// The two functions to learn first are BindConfig (registers the flags) and ApplyConfig (environment, then the
// flags that were given, over a Config that LoadFile may have filled). Cost: linear in the number of flags and
// the size of the file.
package cliconfig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strings"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/pipeline"
)

// EnvPrefix prefixes the environment variable of every configuration flag: --brokers is TAGPIPE_BROKERS,
// --sasl-username is TAGPIPE_SASL_USERNAME.
const EnvPrefix = "TAGPIPE_"

// EnvName returns the environment variable that sets the flag named flag.
func EnvName(flag string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

func envHelp(flag string) string { return " (env " + EnvName(flag) + ")" }

// BindConn registers one flag per kafkaio.Conn field on fs, bound to c, its help naming the environment
// variable.
func BindConn(fs *pflag.FlagSet, c *kafkaio.Conn) {
	fs.StringSliceVar(&c.Brokers, "brokers", c.Brokers, "Kafka bootstrap brokers, host:port[,...]"+envHelp("brokers"))
	fs.StringVar(&c.ClientID, "client-id", c.ClientID, "client id sent to the brokers"+envHelp("client-id"))
	fs.DurationVar(&c.DialTimeout, "dial-timeout", c.DialTimeout, "timeout to connect and authenticate to a broker"+envHelp("dial-timeout"))
	fs.StringVar(&c.SASLMechanism, "sasl-mechanism", c.SASLMechanism, "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512"+envHelp("sasl-mechanism"))
	fs.StringVar(&c.SASLUsername, "sasl-username", c.SASLUsername, "SASL username"+envHelp("sasl-username"))
	fs.StringVar(&c.SASLPasswordFile, "sasl-password-file", c.SASLPasswordFile, "file holding the SASL password (or set "+kafkaio.EnvSASLPassword+")"+envHelp("sasl-password-file"))
	fs.BoolVar(&c.TLS, "tls", c.TLS, "connect to the brokers with TLS"+envHelp("tls"))
	fs.StringVar(&c.TLSCA, "tls-ca", c.TLSCA, "PEM file of CA certificates for the brokers"+envHelp("tls-ca"))
	fs.StringVar(&c.TLSCert, "tls-cert", c.TLSCert, "PEM client certificate (mutual TLS)"+envHelp("tls-cert"))
	fs.StringVar(&c.TLSKey, "tls-key", c.TLSKey, "PEM client key (mutual TLS)"+envHelp("tls-key"))
	fs.BoolVar(&c.TLSInsecureSkipVerify, "tls-insecure-skip-verify", c.TLSInsecureSkipVerify, "do not verify the brokers' certificates (tests only)"+envHelp("tls-insecure-skip-verify"))
}

// BindConfig registers one flag per pipeline.Config field on fs, bound to c, its help naming the environment
// variable.
func BindConfig(fs *pflag.FlagSet, c *pipeline.Config) {
	BindConn(fs, &c.Conn)
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
	fs.DurationVar(&c.MaxTagTime, "max-tag-time", c.MaxTagTime, "longest time to tag one record; a record over it is dead-lettered with reason timeout (0: no limit)"+envHelp("max-tag-time"))
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "time allowed to drain, flush and commit on SIGINT/SIGTERM"+envHelp("shutdown-timeout"))
	fs.BoolVar(&c.CreateTopics, "create-topics", c.CreateTopics, "create missing topics"+envHelp("create-topics"))
	fs.IntVar(&c.Partitions, "partitions", c.Partitions, "partitions of created topics"+envHelp("partitions"))
	fs.IntVar(&c.ReplicationFactor, "replication-factor", c.ReplicationFactor, "replication factor of created topics"+envHelp("replication-factor"))
	fs.StringVar(&c.HTTP, "http", c.HTTP, "serve /metrics, /healthz, /readyz on this address (e.g. 127.0.0.1:9464)"+envHelp("http"))
	fs.StringVar(&c.HTTPToken, "http-token", c.HTTPToken, "bearer token required by the HTTP endpoint, required off loopback; prefer "+pipeline.EnvHTTPToken+" or --http-token-file: a flag shows in process listings"+envHelp("http-token"))
	fs.StringVar(&c.HTTPTokenFile, "http-token-file", c.HTTPTokenFile, "file holding the HTTP bearer token"+envHelp("http-token-file"))
	BindInput(fs, c)
	fs.StringVar((*string)(&c.Record), "record", string(c.Record), "format of tagged records: full (one entry per mention and per hit) or compact (one per entity, mentions as spans; docs/record.compact.schema.json)"+envHelp("record"))
	fs.StringVar(&c.Rules, "rules", c.Rules, "rule pack file or directory (default: the embedded pack), reloaded when its files change"+envHelp("rules"))
	fs.StringVar(&c.NER, "ner", c.NER, "how names no rule lists are found: builtin (discovery, the default), prose (prose v2's recognizer, ~25 articles/s per core) or hybrid (discovery plus prose)"+envHelp("ner"))
	fs.StringVar(&c.RulesTopic, "rules-topic", c.RulesTopic, "topic of published rule packs for hot reload; empty disables"+envHelp("rules-topic"))
	fs.StringVar(&c.ShadowRules, "shadow-rules", c.ShadowRules, "candidate rule pack file or directory: tag every record with it too and publish the differences to --shadow-topic (a shadow run; --out is unchanged)"+envHelp("shadow-rules"))
	fs.StringVar(&c.ShadowTopic, "shadow-topic", c.ShadowTopic, "topic of a shadow run's differences"+envHelp("shadow-topic"))
}

// BindInput registers the flags that say how a record value is decoded (--input-format, --field, --html) on fs,
// bound to c. --field repeats; its environment variable holds one mapping per line.
func BindInput(fs *pflag.FlagSet, c *pipeline.Config) {
	fs.StringVar(&c.InputFormat, "input-format", c.InputFormat, "how each record value is read: json (an object), text (first non-empty line is the title, the record key the id) or auto (objects as json, the rest as text)"+envHelp("input-format"))
	fs.Var(&fieldsValue{v: &c.Fields}, "field", "map an article field to JSON Pointers tried in order, NAME=/ptr[,/ptr...] for id, title, body, published_at (repeatable), e.g. --field title=/headline"+envHelp("field")+", one per line")
	fs.StringVar(&c.HTML, "html", c.HTML, "HTML bodies: auto (a body with HTML tags is tagged as its text, carried in body_text), strip (every body) or off"+envHelp("html"))
}

// fieldsValue is the repeatable --field flag: each Set adds mappings, one per non-empty line (so that one
// environment variable can hold several); the first Set replaces the default.
type fieldsValue struct {
	v       *[]string
	changed bool
}

func (f *fieldsValue) String() string { return "[" + strings.Join(*f.v, " ") + "]" }
func (f *fieldsValue) Type() string   { return "NAME=/ptr" }

func (f *fieldsValue) Set(s string) error {
	var add []string
	for line := range strings.Lines(s) {
		if line = strings.TrimSpace(line); line != "" {
			add = append(add, line)
		}
	}
	if !f.changed {
		*f.v = nil
		f.changed = true
	}
	*f.v = append(*f.v, add...)
	return nil
}

// Append, Replace and GetSlice make it a pflag.SliceValue, as apply copies slices.
func (f *fieldsValue) Append(s string) error { return f.Set(s) }

func (f *fieldsValue) Replace(ss []string) error {
	*f.v = append([]string(nil), ss...)
	f.changed = true
	return nil
}

func (f *fieldsValue) GetSlice() []string { return append([]string(nil), *f.v...) }

// ApplyConn overrides c with the environment, then with the flags set on fs (a flag set on which BindConn was
// called). getenv is os.Getenv outside tests. TAGPIPE_SASL_PASSWORD is read here.
func ApplyConn(c *kafkaio.Conn, fs *pflag.FlagSet, getenv func(string) string) error {
	return apply(func(own *pflag.FlagSet) { BindConn(own, c) }, c, fs, getenv)
}

// ApplyConfig overrides c with the environment, then with the flags set on fs (a flag set on which BindConfig
// was called). getenv is os.Getenv outside tests. TAGPIPE_SASL_PASSWORD is read here; TAGPIPE_HTTP_TOKEN is
// the environment variable of --http-token.
func ApplyConfig(c *pipeline.Config, fs *pflag.FlagSet, getenv func(string) string) error {
	return apply(func(own *pflag.FlagSet) { BindConfig(own, c) }, &c.Conn, fs, getenv)
}

// apply binds the destination to a private flag set with the same names (bind), sets it from the environment
// for every flag not given on the command line, then copies the values of the flags that were given, and reads
// the SASL password from the environment into conn.
func apply(bind func(*pflag.FlagSet), conn *kafkaio.Conn, fs *pflag.FlagSet, getenv func(string) string) error {
	own := pflag.NewFlagSet("config", pflag.ContinueOnError)
	bind(own)
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
	if v := getenv(kafkaio.EnvSASLPassword); v != "" {
		conn.SASLPassword = v
	}
	return errors.Join(errs...)
}

// LoadFile overrides c with the YAML file at path. Unknown and repeated keys are errors; every error names
// path:line:col.
func LoadFile(c *pipeline.Config, path string) error {
	src, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return DecodeYAML(c, path, src)
}

// DecodeYAML overrides c with the YAML document src, named name in errors. The document is a mapping from flag
// names to values; an empty document changes nothing.
func DecodeYAML(c *pipeline.Config, name string, src []byte) error {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file is a valid, empty configuration
		}
		return syntaxError(name, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil // a document of only comments
	}
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("%s:%d:%d: want a mapping of flag names to values", name, root.Line, root.Column)
	}
	fields := yamlFields(reflect.ValueOf(c).Elem())
	seen := map[string]*yaml.Node{}
	var errs []error
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		at := func(n *yaml.Node) string { return fmt.Sprintf("%s:%d:%d", name, n.Line, n.Column) }
		f, ok := fields[k.Value]
		switch {
		case k.Kind != yaml.ScalarNode || !ok:
			errs = append(errs, fmt.Errorf("%s: field %s not found (unknown key)", at(k), k.Value))
			continue
		case seen[k.Value] != nil:
			errs = append(errs, fmt.Errorf("%s: key %q repeated (first at line %d)", at(k), k.Value, seen[k.Value].Line))
			continue
		}
		seen[k.Value] = k
		if err := v.Decode(f.Addr().Interface()); err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: %s", at(v), k.Value, decodeMessage(err)))
		}
	}
	return errors.Join(errs...)
}

// yamlFields maps the YAML keys of the struct v (and of its inline fields) to its fields.
func yamlFields(v reflect.Value) map[string]reflect.Value {
	out := map[string]reflect.Value{}
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("yaml")
		key, opts, _ := strings.Cut(tag, ",")
		switch {
		case key == "-" || !sf.IsExported():
		case opts == "inline":
			for k, f := range yamlFields(v.Field(i)) {
				out[k] = f
			}
		case key != "":
			out[key] = v.Field(i)
		}
	}
	return out
}

// decodeMessage is the text of a value's decode error without yaml's own prefixes (the position is the
// node's).
func decodeMessage(err error) string {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs := make([]string, 0, len(te.Errors))
		for _, e := range te.Errors {
			if _, rest, ok := strings.Cut(e, ": "); ok && strings.HasPrefix(e, "line ") {
				e = rest
			}
			msgs = append(msgs, strings.TrimSpace(e))
		}
		return oneLine(strings.Join(msgs, "; "))
	}
	return oneLine(strings.TrimPrefix(err.Error(), "yaml: "))
}

var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// syntaxError formats a parse error: yaml gives syntax errors only as text with a line, no node.
func syntaxError(name string, err error) error {
	msg := oneLine(strings.TrimPrefix(err.Error(), "yaml: "))
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		return fmt.Errorf("%s:%s: %s", name, m[1], m[2])
	}
	return fmt.Errorf("%s: %s", name, msg)
}

// oneLine keeps quoted values with line breaks on one line.
func oneLine(s string) string { return strings.NewReplacer("\n", `\n`, "\r", `\r`).Replace(s) }
