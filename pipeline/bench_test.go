package pipeline

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

// benchArticles are b.N articles of realistic length that the default rules tag.
func benchArticles(n int) []tagger.Article {
	body := strings.Repeat("North Korea launched a ballistic missile from near Pyongyang, South Korea's military said, "+
		"as activists near the border prepared another round of propaganda leaflets. ", 8)
	out := make([]tagger.Article, n)
	for i := range out {
		out[i] = tagger.Article{ID: fmt.Sprintf("b%07d", i), Title: fmt.Sprintf("Story %d: Kim Jong-un and Putin", i), Body: body}
	}
	return out
}

// benchRun produces b.N articles (untimed), then times a pipeline from start until all are acknowledged and
// reports records/s. Against real Kafka set TAGPIPE_KAFKA_BROKERS.
func benchRun(b *testing.B, tg Tagger) {
	brokers := benchBrokers(b)
	cfg := benchConfig(b, brokers)
	arts := benchArticles(b.N)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	prod, err := kafkaio.NewProducer(ctx, cfg.Conn, cfg.In, nil)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < len(arts); i += 1000 {
		if _, err := prod.Send(ctx, arts[i:min(i+1000, len(arts))]...); err != nil {
			b.Fatal(err)
		}
	}
	prod.Close()
	p, err := New(cfg, tg)
	if err != nil {
		b.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	b.ResetTimer()
	began := time.Now()
	go func() { done <- p.Run(runCtx) }()
	for p.acked.Load() < int64(b.N) {
		select {
		case err := <-done:
			b.Fatalf("pipeline stopped: %v", err)
		case <-time.After(2 * time.Millisecond):
		}
	}
	elapsed := time.Since(began)
	b.StopTimer()
	stop()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "records/s")
}

func benchBrokers(b *testing.B) []string {
	if testing.Short() {
		b.Skip("Kafka benchmark")
	}
	if realKafka() {
		return strings.Split(strings.TrimSpace(os.Getenv("TAGPIPE_KAFKA_BROKERS")), ",")
	}
	e, err := kafkaio.StartEmbedded(0, 3)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(e.Close)
	return e.Brokers()
}

func benchConfig(b *testing.B, brokers []string) Config {
	id := fmt.Sprintf("bench%d-%d", time.Now().UnixNano()%1e9, testSeq.Add(1))
	cfg := DefaultConfig()
	cfg.Brokers = brokers
	cfg.In, cfg.Out, cfg.DLQ, cfg.Group = id+".raw", id+".tagged", id+".dlq", id
	cfg.RulesTopic = ""
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := kafkaio.CreateTopics(ctx, cfg.Conn, cfg.Partitions, 1, cfg.In, cfg.Out, cfg.DLQ); err != nil {
		b.Fatal(err)
	}
	return cfg
}

// BenchmarkRunFakeTagger measures the Kafka side: fetch, produce, ordered commits.
func BenchmarkRunFakeTagger(b *testing.B) { benchRun(b, &fakeTagger{name: "bench"}) }

// BenchmarkRunDefaultRules measures the whole service with the embedded rule pack (no prose NER).
func BenchmarkRunDefaultRules(b *testing.B) {
	rs, err := rules.Default()
	if err != nil {
		b.Fatal(err)
	}
	tg, err := tagger.New(rs)
	if err != nil {
		b.Fatal(err)
	}
	benchRun(b, tg)
}
