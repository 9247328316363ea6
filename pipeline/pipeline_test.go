package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

// fakeTagger tags every article "test" (plus "korea" when the title says Korea) and fails on titles that
// contain FAIL; on titles that contain STALL it blocks until its context ends. Its name goes into the record's tagger version, so tests can tell instances apart.
type fakeTagger struct {
	name  string
	calls atomic.Int64
	delay time.Duration

	mu sync.Mutex
	rs *rules.RuleSet
}

func (f *fakeTagger) Tag(ctx context.Context, a tagger.Article) (*tagger.Record, error) {
	f.calls.Add(1)
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if strings.Contains(a.Title, "FAIL") {
		return nil, errors.New("fake tagger refuses this article")
	}
	if strings.Contains(a.Title, "STALL") {
		<-ctx.Done()
		return nil, fmt.Errorf("fake tagger stalled: %w", ctx.Err())
	}
	topics := []tagger.Topic{{Label: "test", Score: 0.5}}
	if strings.Contains(a.Title, "Korea") {
		topics = append(topics, tagger.Topic{Label: "korea", Score: 0.9})
	}
	version := "fake-rules"
	if rs := f.Rules(); rs != nil {
		version = rs.Version()
	}
	return &tagger.Record{Article: a, Topics: topics, Tagger: tagger.Meta{Version: f.name, RulesVersion: version, TaggedAt: time.Now()}}, nil
}

func (f *fakeTagger) SetRules(rs *rules.RuleSet) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rs = rs
	return nil
}

func (f *fakeTagger) Rules() *rules.RuleSet {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rs
}

// testBrokers returns real brokers from TAGPIPE_KAFKA_BROKERS, or starts an embedded kfake broker.
func testBrokers(t *testing.T) []string {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping Kafka integration test in -short mode")
	}
	if b := os.Getenv("TAGPIPE_KAFKA_BROKERS"); b != "" {
		return strings.Split(b, ",")
	}
	e, err := kafkaio.StartEmbedded(0, 3)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e.Brokers()
}

func realKafka() bool { return os.Getenv("TAGPIPE_KAFKA_BROKERS") != "" }

var testSeq atomic.Int64

// testConfig returns a config with unique topic and group names, topics created.
func testConfig(t *testing.T, brokers []string) Config {
	t.Helper()
	id := fmt.Sprintf("t%d-%d", time.Now().UnixNano()%1e9, testSeq.Add(1))
	cfg := DefaultConfig()
	cfg.Brokers = brokers
	cfg.In, cfg.Out, cfg.DLQ, cfg.Group = id+".raw", id+".tagged", id+".dlq", id+".group"
	cfg.RulesTopic = ""
	cfg.CreateTopics = true
	cfg.Partitions = 3
	cfg.Workers = 4
	cfg.CommitInterval = 100 * time.Millisecond
	cfg.ShutdownTimeout = 15 * time.Second
	cl, err := kafkaio.NewCluster(cfg.Conn)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := cl.CreateTopics(ctx, cfg.Partitions, cfg.ReplicationFactor, cfg.In, cfg.Out, cfg.DLQ); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// running is a pipeline started in the background.
type running struct {
	p      *Pipeline
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, cfg Config, tg Tagger, opts ...Option) *running {
	t.Helper()
	opts = append([]Option{WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	p, err := New(cfg, tg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return startPipeline(t, p)
}

// startPipeline runs p in the background until the test ends or stop is called.
func startPipeline(t *testing.T, p *Pipeline) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{p: p, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- p.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// stop cancels the pipeline and returns Run's error; a second call returns nil.
func (r *running) stop(t *testing.T) error {
	t.Helper()
	if r.cancel == nil {
		return nil
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		return err
	case <-time.After(30 * time.Second):
		t.Fatal("pipeline did not stop within 30s")
		return nil
	}
}

func produce(t *testing.T, cfg Config, articles ...tagger.Article) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := kafkaio.NewProducer(ctx, cfg.Conn, cfg.In, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ids, err := p.Send(ctx, articles...)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func articles(prefix string, n int) []tagger.Article {
	out := make([]tagger.Article, n)
	for i := range out {
		out[i] = tagger.Article{ID: fmt.Sprintf("%s-%03d", prefix, i), Title: fmt.Sprintf("Story %d about Korea", i), Body: "Body text."}
	}
	return out
}

// collect reads topic from the beginning until records with want distinct keys arrived (or until idle passes when
// want is 0) and returns them by key.
func collect(t *testing.T, cfg Config, topic string, want int, idle time.Duration) map[string][]kafkaio.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	got := map[string][]kafkaio.Message{}
	n := 0 // distinct keys
	err := kafkaio.Tail(ctx, cfg.Conn, topic, kafkaio.TailOptions{FromBeginning: true, Idle: idle}, func(m kafkaio.Message) error {
		if len(got[string(m.Key)]) == 0 {
			n++
		}
		got[string(m.Key)] = append(got[string(m.Key)], m)
		if want > 0 && n >= want {
			return kafkaio.ErrStop
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if want > 0 && n < want {
		t.Fatalf("read %d distinct keys from %s, want %d", n, topic, want)
	}
	return got
}

func TestIngestRunConsume(t *testing.T) {
	cfg := testConfig(t, testBrokers(t))
	const n = 60
	ids := produce(t, cfg, articles("a", n)...)
	ft := &fakeTagger{name: "one"}
	start(t, cfg, ft)
	got := collect(t, cfg, cfg.Out, n, 0)
	for _, id := range ids {
		ms := got[id]
		if len(ms) == 0 {
			t.Errorf("id %s missing from %s", id, cfg.Out)
			continue
		}
		m := ms[0]
		if ct := m.Headers[HeaderContentType]; ct != "application/json" {
			t.Errorf("%s: content-type %q", id, ct)
		}
		if v := m.Headers[HeaderRulesVersion]; v != "fake-rules" {
			t.Errorf("%s: rules version header %q", id, v)
		}
		var rec tagger.Record
		if err := json.Unmarshal(m.Value, &rec); err != nil {
			t.Fatalf("%s: output is not a record: %v", id, err)
		}
		if rec.Article.ID != id || len(rec.Topics) == 0 {
			t.Errorf("%s: record id %q topics %v", id, rec.Article.ID, rec.Labels())
		}
	}
	if c := ft.calls.Load(); c < n {
		t.Errorf("tagger called %d times, want >= %d", c, n)
	}
}

func TestPoisonRecordsGoToDLQ(t *testing.T) {
	cfg := testConfig(t, testBrokers(t))
	cfg.MaxTagTime = 300 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	prod, err := kafkaio.NewProducer(ctx, cfg.Conn, cfg.In, nil)
	if err != nil {
		t.Fatal(err)
	}
	poison := []struct {
		key, value string
		null       bool
		reason     string // prefix of the tagpipe-error header
	}{
		{key: "p-notjson", value: "{not json", reason: "decode: "},
		{key: "p-array", value: `["a"]`, reason: "decode: "},
		{key: "p-badtitle", value: `{"title": 7}`, reason: "decode: "},
		{key: "p-empty", null: true, value: "", reason: ReasonEmpty}, // kafka-go reads an empty value as null
		{key: "p-null", null: true, reason: ReasonEmpty},
		{key: "p-fail", value: `{"id":"p-fail","title":"FAIL here"}`, reason: "tag: "},
		{key: "p-stall", value: `{"id":"p-stall","title":"STALL here"}`, reason: "timeout: "},
	}
	good := articles("g", 10)
	for i, p := range poison {
		var v []byte
		if p.key != "p-null" {
			v = []byte(p.value)
		}
		if err := prod.SendRaw(ctx, kafkaio.Message{Key: []byte(p.key), Value: v, Headers: map[string]string{"origin": "test"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := prod.Send(ctx, good[i]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := prod.Send(ctx, good[len(poison):]...); err != nil {
		t.Fatal(err)
	}
	prod.Close()

	r := start(t, cfg, &fakeTagger{name: "one"})
	out := collect(t, cfg, cfg.Out, len(good), 0)
	for _, a := range good {
		if len(out[a.ID]) == 0 {
			t.Errorf("good article %s missing from output", a.ID)
		}
	}
	dlq := collect(t, cfg, cfg.DLQ, len(poison), 0)
	for _, p := range poison {
		ms := dlq[p.key]
		if len(ms) != 1 {
			t.Errorf("%s: %d dead letters, want 1", p.key, len(ms))
			continue
		}
		m := ms[0]
		if !strings.HasPrefix(m.Headers[HeaderError], p.reason) {
			t.Errorf("%s: %s = %q, want prefix %q", p.key, HeaderError, m.Headers[HeaderError], p.reason)
		}
		if m.Headers[HeaderSourceTopic] != cfg.In || m.Headers[HeaderSourcePartition] == "" || m.Headers[HeaderSourceOffset] == "" {
			t.Errorf("%s: source headers %v", p.key, m.Headers)
		}
		if m.Headers["origin"] != "test" {
			t.Errorf("%s: original header lost: %v", p.key, m.Headers)
		}
		if p.null && m.Value != nil {
			t.Errorf("%s: tombstone became %q", p.key, m.Value)
		}
		if !p.null && string(m.Value) != p.value {
			t.Errorf("%s: value changed: %q, want %q", p.key, m.Value, p.value)
		}
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("Run after poison records: %v", err)
	}
	for code, want := range map[string]float64{"decode": 3, "empty": 2, "tag": 1, "timeout": 1} {
		if got := counterValue(r.p.metrics.deadLettered.WithLabelValues(code)); got != want {
			t.Errorf("dead letters with reason %s = %v, want %v", code, got, want)
		}
	}
}

func TestRestartResumesFromCommit(t *testing.T) {
	cfg := testConfig(t, testBrokers(t))
	first := produce(t, cfg, articles("r1", 30)...)
	r := start(t, cfg, &fakeTagger{name: "first"})
	collect(t, cfg, cfg.Out, len(first), 0)
	if err := r.stop(t); err != nil {
		t.Fatalf("clean shutdown returned %v", err)
	}
	second := produce(t, cfg, articles("r2", 20)...)
	ft := &fakeTagger{name: "second"}
	start(t, cfg, ft)
	got := collect(t, cfg, cfg.Out, len(first)+len(second), 0)
	for _, id := range second {
		if len(got[id]) != 1 || !strings.Contains(string(got[id][0].Value), `"version":"second"`) {
			t.Errorf("%s: not tagged once by the second instance", id)
		}
	}
	// The second instance must not re-tag what the first one committed: wait a little for stragglers.
	time.Sleep(time.Second)
	got = collect(t, cfg, cfg.Out, 0, 2*time.Second)
	for _, id := range first {
		if len(got[id]) != 1 {
			t.Errorf("%s: %d output records, want exactly 1 (reprocessed after a clean restart)", id, len(got[id]))
		}
	}
	if c := ft.calls.Load(); c != int64(len(second)) {
		t.Errorf("second instance tagged %d records, want %d", c, len(second))
	}
}

func TestTwoInstancesSplitPartitions(t *testing.T) {
	cfg := testConfig(t, testBrokers(t))
	a, b := &fakeTagger{name: "A"}, &fakeTagger{name: "B"}
	start(t, cfg, a)
	start(t, cfg, b)
	var ids []string
	deadline := time.Now().Add(40 * time.Second)
	for batch := 0; a.calls.Load() == 0 || b.calls.Load() == 0; batch++ {
		if time.Now().After(deadline) {
			t.Fatalf("after 40s instance A tagged %d and B %d records; the group did not split the partitions", a.calls.Load(), b.calls.Load())
		}
		ids = append(ids, produce(t, cfg, articles(fmt.Sprintf("s%d", batch), 12)...)...)
		time.Sleep(500 * time.Millisecond)
	}
	got := collect(t, cfg, cfg.Out, len(ids), 0)
	for _, id := range ids {
		if len(got[id]) == 0 {
			t.Errorf("%s missing", id)
		}
	}
	t.Logf("A tagged %d, B tagged %d of %d records", a.calls.Load(), b.calls.Load(), len(ids))
}

func TestWrongPasswordFailsFast(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a broker")
	}
	e, err := startSASLBroker() // an embedded SASL broker of its own, whatever TAGPIPE_KAFKA_BROKERS says
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	cfg := DefaultConfig()
	cfg.Brokers = e.Brokers()
	cfg.SASLMechanism, cfg.SASLUsername, cfg.SASLPassword = "SCRAM-SHA-256", "admin", "wrong"
	p, err := New(cfg, &fakeTagger{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	began := time.Now()
	err = p.Run(ctx)
	if !errors.Is(err, kafkaio.ErrAuth) {
		t.Fatalf("Run = %v, want ErrAuth", err)
	}
	if !strings.Contains(err.Error(), `"admin"`) || strings.Contains(err.Error(), "wrong") {
		t.Errorf("error %q should name the user and never the password", err)
	}
	if d := time.Since(began); d > 10*time.Second {
		t.Errorf("failing took %s", d)
	}

	cfg.SASLPassword = "secret"
	cfg.In, cfg.Out, cfg.DLQ = "sasl.in", "sasl.out", "sasl.dlq"
	if err := kafkaio.CreateTopics(ctx, cfg.Conn, 3, 1, cfg.In, cfg.Out, cfg.DLQ); err != nil {
		t.Fatal(err)
	}
	r := start(t, cfg, &fakeTagger{name: "sasl"})
	produce(t, cfg, articles("sasl", 3)...)
	collect(t, cfg, cfg.Out, 3, 0)
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
}

// TestRealKafkaSASLTLS runs against the SASL_SSL listener of deploy/kafka/local.sh (KAFKA_SECURITY=sasl_ssl), when
// its TAGPIPE_KAFKA_SASL_* variables are set.
func TestRealKafkaSASLTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("Kafka integration test")
	}
	brokers := os.Getenv("TAGPIPE_KAFKA_SASL_BROKERS")
	if brokers == "" {
		t.Skip("TAGPIPE_KAFKA_SASL_BROKERS not set (deploy/kafka/local.sh env with KAFKA_SECURITY=sasl_ssl)")
	}
	conn := DefaultConfig().Conn
	conn.Brokers = strings.Split(brokers, ",")
	conn.SASLMechanism = os.Getenv("TAGPIPE_KAFKA_SCRAM_MECHANISM")
	conn.SASLUsername = os.Getenv("TAGPIPE_KAFKA_SCRAM_USER")
	conn.TLS, conn.TLSCA = true, os.Getenv("TAGPIPE_KAFKA_CA")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	wrong := conn
	wrong.SASLPassword = "not-the-password"
	began := time.Now()
	err := kafkaio.CreateTopics(ctx, wrong, 1, 1, "never-created")
	if !errors.Is(err, kafkaio.ErrAuth) || strings.Contains(err.Error(), wrong.SASLPassword) {
		t.Fatalf("wrong password: %v; want kafkaio.ErrAuth without the password", err)
	}
	if d := time.Since(began); d > 10*time.Second {
		t.Errorf("wrong password took %s to fail", d)
	}

	conn.SASLPassword = os.Getenv("TAGPIPE_KAFKA_SCRAM_PASSWORD")
	topic := fmt.Sprintf("sasl-%d", time.Now().UnixNano())
	if err := kafkaio.CreateTopics(ctx, conn, 3, 1, topic); err != nil {
		t.Fatal(err)
	}
	prod, err := kafkaio.NewProducer(ctx, conn, topic, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := prod.Send(ctx, articles("tls", 5)...)
	prod.Close()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	err = kafkaio.Tail(ctx, conn, topic, kafkaio.TailOptions{FromBeginning: true}, func(m kafkaio.Message) error {
		got[string(m.Key)] = true
		if len(got) == len(ids) {
			return kafkaio.ErrStop
		}
		return nil
	})
	if err != nil || len(got) != len(ids) {
		t.Fatalf("read %d of %d records over SASL_SSL: %v", len(got), len(ids), err)
	}
}

func TestRoutePrefixCopiesPerLabel(t *testing.T) {
	cfg := testConfig(t, testBrokers(t))
	cfg.RoutePrefix = cfg.In + ".label."
	produce(t, cfg, tagger.Article{ID: "k", Title: "About Korea"}, tagger.Article{ID: "n", Title: "Nothing here"})
	start(t, cfg, &fakeTagger{name: "route"})
	collect(t, cfg, cfg.Out, 2, 0)
	if got := collect(t, cfg, cfg.RoutePrefix+"test", 2, 0); len(got["k"]) != 1 || len(got["n"]) != 1 {
		t.Errorf("route topic test has %v, want k and n once", keys(got))
	}
	got := collect(t, cfg, cfg.RoutePrefix+"korea", 0, time.Second)
	if len(got) != 1 || len(got["k"]) != 1 {
		t.Errorf("route topic korea has %v, want only k", keys(got))
	}
	if h := got["k"][0].Headers[HeaderContentType]; h != "application/json" {
		t.Errorf("route copy content-type %q", h)
	}
}

func TestCompressedOutputRoundTrips(t *testing.T) {
	brokers := testBrokers(t)
	for _, codec := range []string{"gzip", "snappy", "lz4", "zstd"} {
		t.Run(codec, func(t *testing.T) {
			cfg := testConfig(t, brokers)
			cfg.Compression = codec
			ids := produce(t, cfg, articles(codec, 20)...)
			start(t, cfg, &fakeTagger{name: codec})
			got := collect(t, cfg, cfg.Out, len(ids), 0)
			for _, id := range ids {
				ms := got[id]
				if len(ms) == 0 {
					t.Errorf("%s: no tagged record", id)
					continue
				}
				var rec struct {
					ID     string `json:"id"`
					Topics []struct {
						Label string `json:"label"`
					} `json:"topics"`
				}
				if err := json.Unmarshal(ms[0].Value, &rec); err != nil || rec.ID != id || len(rec.Topics) == 0 {
					t.Errorf("%s: record %s (%v)", id, ms[0].Value, err)
				}
			}
		})
	}
}
