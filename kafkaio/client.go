package kafkaio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/tagpipe/tagpipe/tagger"
	"github.com/twmb/franz-go/pkg/kfake"
)

// HeaderContentType is the header naming the record value's media type; Producer sets it to
// application/json.
const HeaderContentType = "content-type"

// Producer writes articles to a topic as JSON, keyed by article id. It is safe for concurrent use.
type Producer struct {
	cl    *Cluster
	owned bool // cl was created by NewProducer and is closed by Close
	w     *kafka.Writer
	topic string
}

// NewProducer connects to the brokers of c (failing fast on a wrong address or password) and checks that topic
// exists.
func NewProducer(ctx context.Context, c Conn, topic string, log *slog.Logger) (*Producer, error) {
	cl, err := Connect(ctx, c)
	if err != nil {
		return nil, err
	}
	p, err := NewProducerOn(ctx, cl, topic, log)
	if err != nil {
		cl.Close()
		return nil, err
	}
	p.owned = true
	return p, nil
}

// NewProducerOn is NewProducer on a cluster the caller owns (and closes after the producer).
func NewProducerOn(ctx context.Context, cl *Cluster, topic string, log *slog.Logger) (*Producer, error) {
	if err := ValidTopic(topic); err != nil {
		return nil, fmt.Errorf("topic %q: %w", topic, err)
	}
	if _, err := cl.Partitions(ctx, topic); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Producer{cl: cl, topic: topic, w: &kafka.Writer{
		Addr:         kafka.TCP(cl.conn.Brokers...),
		Transport:    cl.transport,
		Topic:        topic,
		Balancer:     &kafka.Murmur2Balancer{},
		BatchSize:    1000,
		BatchBytes:   1_000_000,
		BatchTimeout: 5 * time.Millisecond,
		RequiredAcks: kafka.RequireAll,
		MaxAttempts:  5,
		ErrorLogger:  Logger(log.With("component", "kafka-writer"), slog.LevelWarn),
	}}, nil
}

// Send produces the articles, each keyed by its id (tagger.ContentID for an article without one, which is
// then also written into the record), and returns the ids. It blocks until the broker acknowledged them all.
func (p *Producer) Send(ctx context.Context, articles ...tagger.Article) ([]string, error) {
	msgs := make([]kafka.Message, len(articles))
	ids := make([]string, len(articles))
	for i, a := range articles {
		if a.ID == "" {
			a.ID = tagger.ContentID(a)
		}
		ids[i] = a.ID
		msgs[i] = kafka.Message{Key: []byte(a.ID), Value: tagger.ArticleJSON(a),
			Headers: []kafka.Header{{Key: HeaderContentType, Value: []byte("application/json")}}}
	}
	if err := p.w.WriteMessages(ctx, msgs...); err != nil {
		return nil, fmt.Errorf("produce to %s: %w", p.topic, Access(OpWrite, p.topic, "", err))
	}
	return ids, nil
}

// SendRaw produces records as they are (tests use it for poison records). It blocks until acknowledged.
func (p *Producer) SendRaw(ctx context.Context, msgs ...Message) error {
	km := make([]kafka.Message, len(msgs))
	for i, m := range msgs {
		km[i] = kafka.Message{Key: m.Key, Value: m.Value}
		for k, v := range m.Headers {
			km[i].Headers = append(km[i].Headers, kafka.Header{Key: k, Value: []byte(v)})
		}
	}
	if err := p.w.WriteMessages(ctx, km...); err != nil {
		return fmt.Errorf("produce to %s: %w", p.topic, Access(OpWrite, p.topic, "", err))
	}
	return nil
}

// Close flushes and closes the producer.
func (p *Producer) Close() error {
	err := p.w.Close()
	if p.owned {
		p.cl.Close()
	}
	return err
}

// Message is one record read by Tail.
type Message struct {
	Topic     string
	Partition int
	Offset    int64
	Key       []byte
	Value     []byte // nil for a tombstone
	Headers   map[string]string
	Time      time.Time
}

// ErrStop, returned by a Tail callback, ends Tail without error.
var ErrStop = errors.New("stop")

// TailOptions says where Tail starts and when it ends.
type TailOptions struct {
	// FromBeginning starts at each partition's first record instead of its end.
	FromBeginning bool
	// Idle ends Tail after this long without a new record; 0 waits until ctx ends or the callback stops it.
	Idle time.Duration
	// ToEnd ends Tail once every partition is read up to where it ended when Tail started (with FromBeginning:
	// the whole topic as it was then).
	ToEnd bool
}

// Tail reads topic from every partition directly (no consumer group, nothing committed) and calls fn for each
// record, from one goroutine, in order within each partition. It returns nil when fn returns ErrStop, when
// opts.Idle passes without a record, when opts.ToEnd and every partition is read to its end, or when ctx ends;
// otherwise the first error.
func Tail(ctx context.Context, c Conn, topic string, opts TailOptions, fn func(Message) error) error {
	cl, err := Connect(ctx, c)
	if err != nil {
		return err
	}
	defer cl.Close()
	parts, err := cl.Partitions(ctx, topic)
	if err != nil {
		return fmt.Errorf("read %s: %w", topic, err)
	}
	var ends map[int]int64 // with ToEnd: each partition's end offset; partitions with nothing to read are left out
	if opts.ToEnd {
		if ends, err = cl.endOffsets(ctx, topic, parts, opts.FromBeginning); err != nil {
			return err
		}
		if len(ends) == 0 {
			return nil
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	msgs := make(chan Message, 256)
	errc := make(chan error, len(parts))
	done := make(chan struct{}, len(parts)) // a partition read to its end (ToEnd)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	for _, part := range parts {
		end, ok := ends[part]
		if opts.ToEnd && !ok {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{
			Brokers: c.Brokers, Topic: topic, Partition: part, Dialer: cl.dialer,
			MinBytes: 1, MaxBytes: 10 << 20, MaxWait: 250 * time.Millisecond,
		})
		start := kafka.LastOffset
		if opts.FromBeginning {
			start = kafka.FirstOffset
		}
		if err := r.SetOffset(start); err != nil {
			r.Close()
			return err
		}
		wg.Go(func() {
			defer r.Close()
			for {
				m, err := r.ReadMessage(ctx)
				if err != nil {
					if ctx.Err() == nil {
						errc <- fmt.Errorf("read %s/%d: %w", topic, part, Access(OpRead, topic, "", err))
					}
					return
				}
				out := Message{Topic: m.Topic, Partition: m.Partition, Offset: m.Offset, Key: m.Key, Value: m.Value, Time: m.Time}
				if len(m.Headers) > 0 {
					out.Headers = make(map[string]string, len(m.Headers))
					for _, h := range m.Headers {
						out.Headers[h.Key] = string(h.Value)
					}
				}
				select {
				case msgs <- out:
				case <-ctx.Done():
					return
				}
				if opts.ToEnd && m.Offset+1 >= end {
					done <- struct{}{}
					return
				}
			}
		})
	}
	remaining := len(ends)
	var idle <-chan time.Time
	var timer *time.Timer
	if opts.Idle > 0 {
		timer = time.NewTimer(opts.Idle)
		defer timer.Stop()
		idle = timer.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-idle:
			return nil
		case err := <-errc:
			return err
		case <-done:
			if remaining--; remaining > 0 {
				continue
			}
			// Every reader has ended: what they sent is in msgs.
			for {
				select {
				case m := <-msgs:
					if err := fn(m); err != nil {
						if errors.Is(err, ErrStop) {
							return nil
						}
						return err
					}
				default:
					return nil
				}
			}
		case m := <-msgs:
			if err := fn(m); err != nil {
				if errors.Is(err, ErrStop) {
					return nil
				}
				return err
			}
			if timer != nil {
				timer.Reset(opts.Idle)
			}
		}
	}
}

// endOffsets returns, for the partitions of topic that have records to read (from their first record when
// fromBeginning, else none), the offset after their last record. Transient errors (a new topic whose leaders
// are not elected yet) are retried for a few seconds.
func (cl *Cluster) endOffsets(ctx context.Context, topic string, parts []int, fromBeginning bool) (map[int]int64, error) {
	var req []kafka.OffsetRequest
	for _, p := range parts {
		req = append(req, kafka.FirstOffsetOf(p), kafka.LastOffsetOf(p))
	}
	for attempt := 1; ; attempt++ {
		ends, err := cl.listEnds(ctx, topic, req, fromBeginning)
		var kerr kafka.Error
		if err == nil || attempt == 20 || !errors.As(err, &kerr) || !kerr.Temporary() {
			return ends, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (cl *Cluster) listEnds(ctx context.Context, topic string, req []kafka.OffsetRequest, fromBeginning bool) (map[int]int64, error) {
	resp, err := cl.client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: req}})
	if err != nil {
		return nil, fmt.Errorf("list offsets of %s: %w", topic, err)
	}
	ends := map[int]int64{}
	for _, po := range resp.Topics[topic] {
		if po.Error != nil {
			return nil, fmt.Errorf("list offsets of %s/%d: %w", topic, po.Partition, po.Error)
		}
		if fromBeginning && po.LastOffset > po.FirstOffset {
			ends[po.Partition] = po.LastOffset
		}
	}
	return ends, nil
}

// Embedded is an in-process Kafka-protocol broker (kfake) for trying tagpipe without Kafka. Its data lives in
// memory only and is gone when it closes.
type Embedded struct {
	c *kfake.Cluster
}

// StartEmbedded starts an embedded broker whose topics get partitions partitions by default; port 0 picks a free
// port.
func StartEmbedded(port, partitions int) (*Embedded, error) {
	opts := []kfake.Opt{kfake.NumBrokers(1), kfake.DefaultNumPartitions(partitions), kfake.AllowAutoTopicCreation()}
	if port != 0 {
		opts = append(opts, kfake.Ports(port))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("embedded broker: %w", err)
	}
	return &Embedded{c: c}, nil
}

// Brokers returns the bootstrap address, host:port.
func (e *Embedded) Brokers() []string { return e.c.ListenAddrs() }

// Close stops the broker; its data is lost.
func (e *Embedded) Close() { e.c.Close() }

// CreateTopics connects with c and creates those of topics that do not exist yet, with the given partitions and
// replication factor; existing topics are left as they are.
func CreateTopics(ctx context.Context, c Conn, partitions, replication int, topics ...string) error {
	cl, err := Connect(ctx, c)
	if err != nil {
		return err
	}
	defer cl.Close()
	return cl.CreateTopics(ctx, partitions, replication, topics...)
}

// DeleteTopics connects with c and deletes topics; those that do not exist are not an error. The brokers remove
// the data asynchronously.
func DeleteTopics(ctx context.Context, c Conn, topics ...string) error {
	cl, err := Connect(ctx, c)
	if err != nil {
		return err
	}
	defer cl.Close()
	return cl.DeleteTopics(ctx, topics...)
}
