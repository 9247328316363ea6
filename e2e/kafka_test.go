package e2e

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// admin is the tests' own Kafka client (kafka-go, PLAINTEXT): it creates topics, produces the input, reads
// the outputs back from the beginning and reads the consumer group's committed offsets. brokers may list
// several bootstrap addresses, separated by commas (a cluster).
type admin struct {
	brokers   string
	addrs     []string
	transport *kafka.Transport
	client    *kafka.Client
}

func newAdmin(t *testing.T, brokers string) *admin {
	t.Helper()
	tr := &kafka.Transport{DialTimeout: 5 * time.Second, MetadataTTL: time.Second}
	t.Cleanup(tr.CloseIdleConnections)
	addrs := strings.Split(brokers, ",")
	return &admin{brokers: brokers, addrs: addrs, transport: tr,
		client: &kafka.Client{Addr: kafka.TCP(addrs...), Transport: tr, Timeout: 20 * time.Second}}
}

// createTopic creates topic with the given partitions and topic configs and waits until every partition has a
// leader.
func (a *admin) createTopic(t *testing.T, topic string, partitions int, configs ...kafka.ConfigEntry) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := a.client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{
		Topic: topic, NumPartitions: partitions, ReplicationFactor: 1, ConfigEntries: configs}}})
	if err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	if err := resp.Errors[topic]; err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	for {
		ps, err := a.partitions(ctx, topic)
		if err == nil && len(ps) == partitions {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("topic %s: partitions not ready: %v (%d of %d)", topic, err, len(ps), partitions)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// deleteTopic deletes topic and waits until the broker no longer knows it.
func (a *admin) deleteTopic(t *testing.T, topic string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := a.client.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: []string{topic}})
	if err == nil {
		err = resp.Errors[topic]
	}
	if err != nil {
		t.Fatalf("delete topic %s: %v", topic, err)
	}
	for {
		if _, err := a.partitions(ctx, topic); errors.Is(err, kafka.UnknownTopicOrPartition) {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("topic %s still exists after deletion", topic)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// setTopicConfig changes one config of topic.
func (a *admin) setTopicConfig(t *testing.T, topic, name, value string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	resp, err := a.client.IncrementalAlterConfigs(ctx, &kafka.IncrementalAlterConfigsRequest{
		Resources: []kafka.IncrementalAlterConfigsRequestResource{{
			ResourceType: kafka.ResourceTypeTopic, ResourceName: topic,
			Configs: []kafka.IncrementalAlterConfigsRequestConfig{{Name: name, Value: value, ConfigOperation: kafka.ConfigOperationSet}},
		}}})
	if err == nil {
		for _, r := range resp.Resources {
			err = errors.Join(err, r.Error)
		}
	}
	if err != nil {
		t.Fatalf("set %s=%s on topic %s: %v", name, value, topic, err)
	}
}

// partitions returns the partition ids of topic, each with a leader.
func (a *admin) partitions(ctx context.Context, topic string) ([]int, error) {
	md, err := a.client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, err
	}
	for _, tp := range md.Topics {
		if tp.Name != topic {
			continue
		}
		if tp.Error != nil {
			return nil, tp.Error
		}
		var ps []int
		for _, p := range tp.Partitions {
			if p.Error == nil && p.Leader.Host != "" {
				ps = append(ps, p.ID)
			}
		}
		slices.Sort(ps)
		return ps, nil
	}
	return nil, fmt.Errorf("topic %s: %w", topic, kafka.UnknownTopicOrPartition)
}

// offsets returns each partition's first and end (next) offset.
func (a *admin) offsets(ctx context.Context, topic string) (first, end map[int]int64, err error) {
	ps, err := a.partitions(ctx, topic)
	if err != nil {
		return nil, nil, err
	}
	reqs := make([]kafka.OffsetRequest, 0, 2*len(ps))
	for _, p := range ps {
		reqs = append(reqs, kafka.FirstOffsetOf(p), kafka.LastOffsetOf(p))
	}
	resp, err := a.client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: reqs}})
	if err != nil {
		return nil, nil, err
	}
	first, end = map[int]int64{}, map[int]int64{}
	for _, po := range resp.Topics[topic] {
		if po.Error != nil {
			return nil, nil, fmt.Errorf("offsets of %s/%d: %w", topic, po.Partition, po.Error)
		}
		first[po.Partition], end[po.Partition] = po.FirstOffset, po.LastOffset
	}
	if len(end) != len(ps) {
		return nil, nil, fmt.Errorf("offsets of %s: %d of %d partitions answered", topic, len(end), len(ps))
	}
	return first, end, nil
}

// count returns how many records topic holds.
func (a *admin) count(ctx context.Context, topic string) (int64, error) {
	first, end, err := a.offsets(ctx, topic)
	if err != nil {
		return 0, err
	}
	var n int64
	for p := range end {
		n += end[p] - first[p]
	}
	return n, nil
}

// committed returns group's committed offset of each partition of topic (-1: none).
func (a *admin) committed(ctx context.Context, group, topic string) (map[int]int64, error) {
	ps, err := a.partitions(ctx, topic)
	if err != nil {
		return nil, err
	}
	var resp *kafka.OffsetFetchResponse
	for {
		resp, err = a.client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: group, Topics: map[string][]int{topic: ps}})
		if err == nil {
			err = resp.Error
		}
		// A fresh broker answers these while it creates __consumer_offsets: ask again.
		coordinatorPending := errors.Is(err, kafka.NotCoordinatorForGroup) || errors.Is(err, kafka.GroupCoordinatorNotAvailable) ||
			errors.Is(err, kafka.GroupLoadInProgress)
		if !coordinatorPending {
			break
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("committed offsets of %s: %w (%w)", group, err, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
	if err != nil {
		return nil, err
	}
	out := map[int]int64{}
	for _, p := range resp.Topics[topic] {
		if p.Error != nil {
			return nil, fmt.Errorf("committed offset of %s/%d: %w", topic, p.Partition, p.Error)
		}
		out[p.Partition] = p.CommittedOffset
	}
	return out, nil
}

// produce writes msgs to topic and waits until the broker acknowledged all of them.
func (a *admin) produce(t *testing.T, topic string, msgs []kafka.Message) {
	t.Helper()
	w := &kafka.Writer{
		Addr: kafka.TCP(a.addrs...), Topic: topic, Transport: a.transport,
		Balancer:  &kafka.Murmur2Balancer{},
		BatchSize: 1000, BatchBytes: 1_040_000, BatchTimeout: 5 * time.Millisecond,
		RequiredAcks: kafka.RequireAll, MaxAttempts: 5,
	}
	defer w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	for chunk := range slices.Chunk(msgs, 1000) {
		if err := w.WriteMessages(ctx, chunk...); err != nil {
			t.Fatalf("produce %d records to %s: %v", len(chunk), topic, err)
		}
	}
}

// readAll reads every record of topic, from each partition's first offset to its end offset at the time of
// the call.
func (a *admin) readAll(t *testing.T, topic string) []kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	first, end, err := a.offsets(ctx, topic)
	if err != nil {
		t.Fatalf("read %s: %v", topic, err)
	}
	var out []kafka.Message
	for p := range end {
		if end[p] <= first[p] {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{
			Brokers: a.addrs, Topic: topic, Partition: p,
			MinBytes: 1, MaxBytes: 16 << 20, MaxWait: 200 * time.Millisecond,
		})
		if err := r.SetOffset(first[p]); err != nil {
			r.Close()
			t.Fatalf("read %s/%d: %v", topic, p, err)
		}
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				r.Close()
				t.Fatalf("read %s/%d at %d of %d: %v", topic, p, len(out), end[p], err)
			}
			out = append(out, m)
			if m.Offset >= end[p]-1 {
				break
			}
		}
		r.Close()
	}
	return out
}

// waitProgress polls until cond (given the number of records in the topic watch) holds; it fails the test
// when p exits or timeout passes.
func (a *admin) waitProgress(t *testing.T, p *proc, watch string, timeout time.Duration, what string, cond func(n int64) bool) int64 {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var n int64
	var err error
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		n, err = a.count(ctx, watch)
		cancel()
		if err == nil && cond(n) {
			return n
		}
		if p != nil && !p.running() {
			t.Fatalf("waiting for %s: %s exited with code %d (%s has %d records)", what, p.name, p.code, watch, n)
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: not reached after %s (%s has %d records, last error %v)", what, timeout, watch, n, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitCommitted polls until group has committed every record of topic; it fails the test when p exits or
// timeout passes.
func (a *admin) waitCommitted(t *testing.T, p *proc, group, topic string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		done, total, err := a.committedOf(ctx, group, topic)
		cancel()
		if err == nil && done == total {
			return
		}
		if p != nil && !p.running() {
			t.Fatalf("%s exited with code %d before committing all of %s (%d of %d, %v)", p.name, p.code, topic, done, total, err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("group %s committed %d of %d records of %s after %s (last error %v)", group, done, total, topic, timeout, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// committedOf returns how many records of topic group has committed, and how many there are.
func (a *admin) committedOf(ctx context.Context, group, topic string) (done, total int64, err error) {
	first, end, err := a.offsets(ctx, topic)
	if err != nil {
		return 0, 0, err
	}
	c, err := a.committed(ctx, group, topic)
	if err != nil {
		return 0, 0, err
	}
	for p := range end {
		total += end[p] - first[p]
		if off := c[p]; off > first[p] {
			done += min(off, end[p]) - first[p]
		}
	}
	return done, total, nil
}
