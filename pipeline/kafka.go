package pipeline

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"
)

// ErrAuth is wrapped by errors that mean the brokers rejected the SASL credentials.
var ErrAuth = errors.New("SASL authentication failed")

// cluster is one connection configuration turned into kafka-go objects: a Dialer for Readers and one Transport
// (its own connection pool) for Writers and the admin Client.
type cluster struct {
	conn      Conn
	dialer    *kafka.Dialer
	transport *kafka.Transport
	client    *kafka.Client
}

// newCluster builds the dialer and transport for c; it does not connect. Call ResolveSecrets first.
func newCluster(c Conn) (*cluster, error) {
	if len(c.Brokers) == 0 {
		return nil, errors.New("no brokers")
	}
	var mech sasl.Mechanism
	switch c.SASLMechanism {
	case "":
	case "PLAIN":
		mech = plain.Mechanism{Username: c.SASLUsername, Password: c.SASLPassword}
	case "SCRAM-SHA-256", "SCRAM-SHA-512":
		algo := scram.SHA256
		if c.SASLMechanism == "SCRAM-SHA-512" {
			algo = scram.SHA512
		}
		m, err := scram.Mechanism(algo, c.SASLUsername, c.SASLPassword)
		if err != nil {
			return nil, fmt.Errorf("sasl: %w", err)
		}
		mech = m
	default:
		return nil, fmt.Errorf("sasl-mechanism %q: must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", c.SASLMechanism)
	}
	var tlsCfg *tls.Config
	if c.TLS {
		var err error
		if tlsCfg, err = c.tlsConfig(); err != nil {
			return nil, err
		}
	}
	clientID := c.ClientID
	if clientID == "" {
		clientID = "tagpipe"
	}
	cl := &cluster{
		conn: c,
		dialer: &kafka.Dialer{
			ClientID:      clientID,
			Timeout:       c.DialTimeout,
			DualStack:     true,
			SASLMechanism: mech,
			TLS:           tlsCfg,
		},
		transport: &kafka.Transport{
			ClientID:    clientID,
			DialTimeout: c.DialTimeout,
			SASL:        mech,
			TLS:         tlsCfg,
			MetadataTTL: 10 * time.Second,
		},
	}
	cl.client = &kafka.Client{Addr: kafka.TCP(c.Brokers...), Transport: cl.transport, Timeout: 30 * time.Second}
	return cl, nil
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

// check connects to the brokers (and authenticates) so that a wrong address or password fails at start with a
// clear message instead of kafka-go retrying forever in the background. One reachable broker is enough.
func (cl *cluster) check(ctx context.Context) error {
	var errs []error
	for _, b := range cl.conn.Brokers {
		conn, err := cl.dialer.DialContext(ctx, "tcp", b)
		if err == nil {
			_, err = conn.Brokers()
			conn.Close()
		}
		if err == nil {
			return nil
		}
		if errors.Is(err, kafka.SASLAuthenticationFailed) {
			return fmt.Errorf("broker %s: %w for user %q with %s: check the username and password",
				b, ErrAuth, cl.conn.SASLUsername, cl.conn.SASLMechanism)
		}
		if errors.Is(err, kafka.UnsupportedSASLMechanism) {
			return fmt.Errorf("broker %s: sasl-mechanism %s is not enabled on the broker: %w", b, cl.conn.SASLMechanism, err)
		}
		errs = append(errs, fmt.Errorf("broker %s: %w", b, err))
		if ctx.Err() != nil {
			break
		}
	}
	return fmt.Errorf("cannot reach any broker: %w", errors.Join(errs...))
}

// createTopics creates the topics that do not exist yet.
func (cl *cluster) createTopics(ctx context.Context, partitions, replication int, topics ...string) error {
	req := &kafka.CreateTopicsRequest{}
	for _, t := range topics {
		req.Topics = append(req.Topics, kafka.TopicConfig{Topic: t, NumPartitions: partitions, ReplicationFactor: replication})
	}
	resp, err := cl.client.CreateTopics(ctx, req)
	if err != nil {
		return fmt.Errorf("create topics %s: %w", strings.Join(topics, ","), err)
	}
	return topicErrors("create", resp.Errors, kafka.TopicAlreadyExists)
}

// topicErrors joins the per-topic errors of an admin response, but for those that are ignore.
func topicErrors(verb string, errs map[string]error, ignore error) error {
	var out []error
	for t, err := range errs {
		if err != nil && !errors.Is(err, ignore) {
			out = append(out, fmt.Errorf("%s topic %s: %w", verb, t, err))
		}
	}
	return errors.Join(out...)
}

// partitions returns the partition ids of topic.
func (cl *cluster) partitions(ctx context.Context, topic string) ([]int, error) {
	md, err := cl.client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, fmt.Errorf("metadata for %s: %w", topic, err)
	}
	for _, t := range md.Topics {
		if t.Name != topic {
			continue
		}
		if t.Error != nil {
			return nil, fmt.Errorf("topic %s: %w", topic, t.Error)
		}
		ps := make([]int, 0, len(t.Partitions))
		for _, p := range t.Partitions {
			ps = append(ps, p.ID)
		}
		return ps, nil
	}
	return nil, fmt.Errorf("topic %s: %w", topic, kafka.UnknownTopicOrPartition)
}

// close releases the transport's idle connections.
func (cl *cluster) close() { cl.transport.CloseIdleConnections() }

// kafkaLogger bridges kafka-go's printf logging to slog at the given level.
func kafkaLogger(log *slog.Logger, level slog.Level) kafka.Logger {
	return kafka.LoggerFunc(func(format string, args ...any) {
		if log.Enabled(context.Background(), level) {
			log.Log(context.Background(), level, strings.TrimSpace(fmt.Sprintf(format, args...)))
		}
	})
}

// maxMessageBytes returns the max.message.bytes of topic: the largest record batch its brokers accept.
func (cl *cluster) maxMessageBytes(ctx context.Context, topic string) (int, error) {
	resp, err := cl.client.DescribeConfigs(ctx, &kafka.DescribeConfigsRequest{Resources: []kafka.DescribeConfigRequestResource{{
		ResourceType: kafka.ResourceTypeTopic, ResourceName: topic, ConfigNames: []string{"max.message.bytes"},
	}}})
	if err != nil {
		return 0, fmt.Errorf("describe topic %s: %w", topic, err)
	}
	for _, r := range resp.Resources {
		if r.Error != nil {
			return 0, fmt.Errorf("describe topic %s: %w", topic, r.Error)
		}
		for _, e := range r.ConfigEntries {
			if e.ConfigName == "max.message.bytes" {
				n, err := strconv.Atoi(e.ConfigValue)
				if err != nil || n <= 0 {
					return 0, fmt.Errorf("topic %s: max.message.bytes %q", topic, e.ConfigValue)
				}
				return n, nil
			}
		}
	}
	return 0, fmt.Errorf("topic %s: no max.message.bytes in its configuration", topic)
}
