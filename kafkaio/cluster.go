package kafkaio

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
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

// Cluster is one connection configuration turned into kafka-go objects: a Dialer for Readers and consumer
// groups, and one Transport (its own connection pool) for Writers and the admin Client. Its methods are safe for
// concurrent use.
type Cluster struct {
	conn      Conn
	dialer    *kafka.Dialer
	transport *kafka.Transport
	client    *kafka.Client
}

// NewCluster builds the dialer and transport for c; it does not connect. Call Conn.ResolveSecrets first.
func NewCluster(c Conn) (*Cluster, error) {
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
	cl := &Cluster{
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

// Check connects to the brokers (and authenticates) so that a wrong address or password fails at start with a
// clear message instead of kafka-go retrying forever in the background. One reachable broker is enough.
func (cl *Cluster) Check(ctx context.Context) error {
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

// CreateTopics creates those of topics that do not exist yet, with the given partitions and replication
// factor; existing topics are left as they are.
func (cl *Cluster) CreateTopics(ctx context.Context, partitions, replication int, topics ...string) error {
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

// Partitions returns the partition ids of topic; an *AccessError wrapping kafka.UnknownTopicOrPartition if it
// does not exist (or the user may not Describe it), or kafka.TopicAuthorizationFailed.
func (cl *Cluster) Partitions(ctx context.Context, topic string) ([]int, error) {
	md, err := cl.client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, fmt.Errorf("metadata for %s: %w", topic, err)
	}
	for _, t := range md.Topics {
		if t.Name != topic {
			continue
		}
		if t.Error != nil {
			if aerr := Access(OpDescribe, topic, "", t.Error); IsAccess(aerr) {
				return nil, aerr
			}
			return nil, fmt.Errorf("topic %s: %w", topic, t.Error)
		}
		ps := make([]int, 0, len(t.Partitions))
		for _, p := range t.Partitions {
			ps = append(ps, p.ID)
		}
		return ps, nil
	}
	return nil, &AccessError{Op: OpDescribe, Resource: "topic", Name: topic, Code: kafka.UnknownTopicOrPartition}
}

// Close releases the transport's idle connections.
func (cl *Cluster) Close() { cl.transport.CloseIdleConnections() }

// Dialer returns the dialer for kafka-go Readers and consumer groups.
func (cl *Cluster) Dialer() *kafka.Dialer { return cl.dialer }

// Transport returns the transport for kafka-go Writers.
func (cl *Cluster) Transport() *kafka.Transport { return cl.transport }

// Client returns the admin client (metadata, offsets, configs).
func (cl *Cluster) Client() *kafka.Client { return cl.client }

// Conn returns the connection settings the cluster was built from.
func (cl *Cluster) Conn() Conn { return cl.conn }

// Logger bridges kafka-go's printf logging to slog at the given level.
func Logger(log *slog.Logger, level slog.Level) kafka.Logger {
	return kafka.LoggerFunc(func(format string, args ...any) {
		if log.Enabled(context.Background(), level) {
			log.Log(context.Background(), level, strings.TrimSpace(fmt.Sprintf(format, args...)))
		}
	})
}

// MaxMessageBytes returns the max.message.bytes of topic: the largest record batch its brokers accept.
func (cl *Cluster) MaxMessageBytes(ctx context.Context, topic string) (int, error) {
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

// Connect resolves c's secrets, validates it and connects to its brokers, failing fast on a wrong address or
// password. The caller closes the cluster.
func Connect(ctx context.Context, c Conn) (*Cluster, error) {
	if err := c.ResolveSecrets(); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	cl, err := NewCluster(c)
	if err != nil {
		return nil, err
	}
	if err := cl.Check(ctx); err != nil {
		cl.Close()
		return nil, err
	}
	return cl, nil
}

// DeleteTopics deletes topics; those that do not exist are not an error. The brokers remove the data
// asynchronously.
func (cl *Cluster) DeleteTopics(ctx context.Context, topics ...string) error {
	resp, err := cl.client.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: topics})
	if err != nil {
		return fmt.Errorf("delete topics %s: %w", strings.Join(topics, ","), err)
	}
	return topicErrors("delete", resp.Errors, kafka.UnknownTopicOrPartition)
}
