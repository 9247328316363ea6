package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/rules"
)

// RulePack is the value of a record on the rules topic: the rule files of one pack, by file name.
type RulePack struct {
	Files       map[string]string `json:"files"`
	PublishedAt time.Time         `json:"published_at,omitzero"`
}

// maxRulePackBytes bounds a published rule pack (under the broker's default message size).
const maxRulePackBytes = 900_000

// PublishRules compiles files as a rule pack (refusing a pack that does not compile) and produces it to
// cfg.RulesTopic, partition 0, where running pipelines pick it up. It creates the topic (one partition) when
// cfg.CreateTopics is set. It blocks until the broker acknowledges the record or ctx ends. It returns the
// version of the published rules.
func PublishRules(ctx context.Context, cfg Config, files map[string]string) (string, error) {
	pack, err := rules.LoadFiles(files)
	if err != nil {
		return "", fmt.Errorf("rule pack does not compile, not published: %w", err)
	}
	return PublishPack(ctx, cfg, pack)
}

// PublishPack is PublishRules for a pack already loaded (rules.LoadPath and the like): its Sources are published,
// and it is not compiled again.
func PublishPack(ctx context.Context, cfg Config, pack *rules.Pack) (string, error) {
	if cfg.RulesTopic == "" {
		return "", errors.New("rules-topic is empty")
	}
	if pack == nil || pack.Rules == nil {
		return "", errors.New("rule pack does not compile, not published")
	}
	rs := pack.Rules
	files := make(map[string]string, len(pack.Sources))
	for name, src := range pack.Sources {
		files[name] = string(src)
	}
	value, err := json.Marshal(RulePack{Files: files, PublishedAt: time.Now().UTC()})
	if err != nil {
		return "", err
	}
	if len(value) > maxRulePackBytes {
		return "", fmt.Errorf("rule pack is %d bytes, max %d", len(value), maxRulePackBytes)
	}
	if err := cfg.Conn.ResolveSecrets(); err != nil {
		return "", err
	}
	cl, err := kafkaio.NewCluster(cfg.Conn)
	if err != nil {
		return "", err
	}
	defer cl.Close()
	if err := cl.Check(ctx); err != nil {
		return "", err
	}
	if cfg.CreateTopics {
		if err := cl.CreateTopics(ctx, 1, cfg.ReplicationFactor, cfg.RulesTopic); err != nil {
			return "", err
		}
	}
	w := &kafka.Writer{
		Addr:         kafka.TCP(cfg.Brokers...),
		Transport:    cl.Transport(),
		Topic:        cfg.RulesTopic,
		Balancer:     firstPartition{},
		BatchTimeout: time.Millisecond,
		BatchBytes:   int64(maxRulePackBytes + headerOverhead),
		RequiredAcks: kafka.RequireAll,
	}
	defer w.Close()
	err = w.WriteMessages(ctx, kafka.Message{
		Key:     []byte("rules"),
		Value:   value,
		Headers: []kafka.Header{{Key: HeaderContentType, Value: []byte("application/json")}, {Key: HeaderRulesVersion, Value: []byte(rs.Version())}},
	})
	if err != nil {
		return "", fmt.Errorf("publish rules to %s: %w", cfg.RulesTopic, err)
	}
	return rs.Version(), nil
}

// firstPartition sends every record to the lowest partition, where the rules watcher reads.
type firstPartition struct{}

func (firstPartition) Balance(_ kafka.Message, partitions ...int) int { return slices.Min(partitions) }

// watchRules follows partition 0 of the rules topic from its newest record and swaps in every pack that
// compiles; a pack that does not keeps the old rules and counts a reload failure. After any error (topic not
// readable yet, broker gone, offset lost) it retries with backoff, forever, resuming after the last pack it
// read. It returns when ctx ends.
func (p *Pipeline) watchRules(ctx context.Context, cl *kafkaio.Cluster) {
	log := p.log.With("component", "rules", "topic", p.cfg.RulesTopic)
	next := int64(-1) // the offset to read next; -1: start from the newest pack
	failures := 0
	for {
		err := p.followRules(ctx, cl, log, &next, func() { failures = 0 })
		if ctx.Err() != nil {
			return
		}
		failures++
		d := watchBackoff.delay(failures)
		p.metrics.errors.WithLabelValues("rules").Inc()
		log.Warn("rules topic unreadable; hot reload retries", "err", err, "attempt", failures, "backoff", d)
		if !sleep(ctx, d) {
			return
		}
	}
}

// followRules reads the rules topic from *next (or its newest record when *next < 0) and applies each pack,
// advancing *next and calling progress after each. It returns the error that stopped it, or ctx's.
func (p *Pipeline) followRules(ctx context.Context, cl *kafkaio.Cluster, log *slog.Logger, next *int64, progress func()) error {
	if *next < 0 {
		resp, err := cl.Client().ListOffsets(ctx, &kafka.ListOffsetsRequest{
			Topics: map[string][]kafka.OffsetRequest{p.cfg.RulesTopic: {kafka.FirstOffsetOf(0), kafka.LastOffsetOf(0)}},
		})
		if err != nil {
			return fmt.Errorf("list offsets: %w", err)
		}
		parts := resp.Topics[p.cfg.RulesTopic]
		if len(parts) == 0 {
			return fmt.Errorf("list offsets: %w", kafka.UnknownTopicOrPartition)
		}
		if parts[0].Error != nil {
			return fmt.Errorf("list offsets: %w", parts[0].Error)
		}
		*next = max(parts[0].FirstOffset, parts[0].LastOffset-1)
	}
	r := kafka.NewReader(kafka.ReaderConfig{
		Brokers:     p.cfg.Brokers,
		Topic:       p.cfg.RulesTopic,
		Partition:   0,
		Dialer:      cl.Dialer(),
		MaxBytes:    2 << 20,
		MaxWait:     500 * time.Millisecond,
		ErrorLogger: kafkaio.Logger(log, slog.LevelDebug),
	})
	defer r.Close()
	if err := r.SetOffset(*next); err != nil {
		return fmt.Errorf("set offset %d: %w", *next, err)
	}
	log.Info("watching for rule packs", "from_offset", *next)
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return fmt.Errorf("read: %w", err)
		}
		*next = m.Offset + 1
		progress()
		p.applyRulePack(m)
	}
}

// applyRulePack compiles one published pack and swaps it in.
func (p *Pipeline) applyRulePack(m kafka.Message) {
	log := p.log.With("component", "rules", "topic", m.Topic, "partition", m.Partition, "offset", m.Offset)
	var pack RulePack
	if err := json.Unmarshal(m.Value, &pack); err != nil {
		p.metrics.reloadFailed()
		log.Error("rule pack is not a JSON {\"files\": {...}} record; keeping the current rules", "err", err)
		return
	}
	loaded, err := rules.LoadFiles(pack.Files)
	install(log, p.reload, p.metrics, loaded, err)
}
