package kafkaio

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"
)

// EnvSASLPassword is the environment variable that holds the SASL password; it has no flag, so that the
// secret stays out of process listings.
const EnvSASLPassword = "TAGPIPE_SASL_PASSWORD"

// DefaultConn returns the connection settings with their defaults: client id "tagpipe", dial timeout 10s.
func DefaultConn() Conn { return Conn{ClientID: "tagpipe", DialTimeout: 10 * time.Second} }

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

// ValidTopic checks a Kafka topic name: 1 to 249 letters, digits, '.', '_' and '-', not "." or "..".
func ValidTopic(t string) error {
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

func (c Conn) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.TLSInsecureSkipVerify} //nolint:gosec // opt-in for tests
	if c.TLSCA != "" {
		pem, err := os.ReadFile(c.TLSCA)
		if err != nil {
			return nil, fmt.Errorf("tls-ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls-ca %s: no PEM certificates", c.TLSCA)
		}
		cfg.RootCAs = pool
	}
	if c.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("tls-cert/tls-key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}
