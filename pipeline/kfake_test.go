package pipeline

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Tests in this file steer the embedded broker (kfake) to inject failures, so they run only without
// TAGPIPE_KAFKA_BROKERS.

// startSASLBroker starts a kfake broker that requires SCRAM-SHA-256 admin/secret.
func startSASLBroker() (*testBroker, error) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.DefaultNumPartitions(3), kfake.AllowAutoTopicCreation(),
		kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-256", "admin", "secret"))
	if err != nil {
		return nil, err
	}
	return &testBroker{c}, nil
}

func embeddedOnly(t *testing.T) *testBroker {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a broker")
	}
	// Failures are injected through kfake's control hooks, so these tests always run on an embedded broker of
	// their own, beside the real-Kafka tests when TAGPIPE_KAFKA_BROKERS is set.
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.DefaultNumPartitions(3), kfake.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return &testBroker{c}
}

// testBroker is a kfake broker that tests steer through its control hooks.
type testBroker struct{ *kfake.Cluster }

// Brokers returns the bootstrap address.
func (b *testBroker) Brokers() []string { return b.ListenAddrs() }

// failProduce makes the broker answer produce requests to topic with errCode while fail() is true.
func failProduce(e *testBroker, topic string, errCode int16, fail func() bool) {
	e.Cluster.ControlKey(int16(kmsg.Produce), func(r kmsg.Request) (kmsg.Response, error, bool) {
		e.Cluster.KeepControl()
		req := r.(*kmsg.ProduceRequest)
		hit := false
		for _, t := range req.Topics {
			hit = hit || t.Topic == topic
		}
		if !hit || !fail() {
			return nil, nil, false
		}
		resp := req.ResponseKind().(*kmsg.ProduceResponse)
		for _, t := range req.Topics {
			rt := kmsg.NewProduceResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewProduceResponseTopicPartition()
				rp.Partition = p.Partition
				rp.ErrorCode = errCode
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		return resp, nil, true
	})
}

func TestTransientProduceErrorsAreRetried(t *testing.T) {
	e := embeddedOnly(t)
	cfg := testConfig(t, e.Brokers())
	var failures atomic.Int64
	const notLeader = 6 // NOT_LEADER_OR_FOLLOWER: retriable
	failProduce(e, cfg.Out, notLeader, func() bool { return failures.Add(1) <= 3 })
	ids := produce(t, cfg, articles("tr", 10)...)
	r := start(t, cfg, &fakeTagger{name: "one"})
	got := collect(t, cfg, cfg.Out, len(ids), 0)
	for _, id := range ids {
		if len(got[id]) == 0 {
			t.Errorf("%s missing after transient errors", id)
		}
	}
	if failures.Load() < 3 {
		t.Errorf("broker failed %d produce requests, want the test to inject 3", failures.Load())
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("Run = %v after recovering from transient errors", err)
	}
}

// TestLongTransientOutageDoesNotStop: transient produce errors for longer than MaxAttempts rounds (a broker
// outage, as the pipeline sees it) are waited out; the instance neither stops nor loses records.
func TestLongTransientOutageDoesNotStop(t *testing.T) {
	e := embeddedOnly(t)
	cfg := testConfig(t, e.Brokers())
	cfg.MaxAttempts = 2
	const notEnoughReplicas = 19 // NOT_ENOUGH_REPLICAS: retriable
	var requests atomic.Int64
	until := time.Now().Add(3 * time.Second)
	failProduce(e, cfg.Out, notEnoughReplicas, func() bool {
		requests.Add(1)
		return time.Now().Before(until)
	})
	ids := produce(t, cfg, articles("lt", 20)...)
	r := start(t, cfg, &fakeTagger{name: "one"})
	got := collect(t, cfg, cfg.Out, len(ids), 0)
	for _, id := range ids {
		if len(got[id]) == 0 {
			t.Errorf("%s missing after a 3 s outage", id)
		}
	}
	if n := requests.Load(); n <= int64(cfg.MaxAttempts) {
		t.Errorf("%d produce requests during the outage, want more than MaxAttempts (%d)", n, cfg.MaxAttempts)
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("Run = %v after a transient outage, want nil", err)
	}
}

func TestPersistentProduceFailureStopsWithoutCommitting(t *testing.T) {
	e := embeddedOnly(t)
	cfg := testConfig(t, e.Brokers())
	cfg.MaxAttempts = 2
	const topicAuthFailed = 29 // TOPIC_AUTHORIZATION_FAILED: not retriable
	var failing atomic.Bool
	failing.Store(true)
	failProduce(e, cfg.Out, topicAuthFailed, failing.Load)
	produce(t, cfg, articles("pf", 5)...)
	r := start(t, cfg, &fakeTagger{name: "one"})
	var err error
	select {
	case err = <-r.done:
		r.cancel = nil
	case <-time.After(30 * time.Second):
		t.Fatal("pipeline kept running after a persistent produce failure")
	}
	want := "produce to " + cfg.Out + " (record from " // then: not authorized to Write topic OUT (Kafka error 29 ...)
	if err == nil || !strings.Contains(err.Error(), want) ||
		!strings.Contains(err.Error(), "not authorized to Write topic "+cfg.Out+" (Kafka error 29 TOPIC_AUTHORIZATION_FAILED)") {
		t.Fatalf("Run = %v, want a produce error naming the topic and the missing Write", err)
	}
	if v := gaugeValue(r.p.metrics.ready); v != 0 {
		t.Errorf("tagpipe_ready = %v after a persistent failure, want 0", v)
	}
	// Nothing was acknowledged, so nothing may be committed: a healthy instance gets all 5 again.
	failing.Store(false)
	ft := &fakeTagger{name: "two"}
	start(t, cfg, ft)
	deadline := time.Now().Add(20 * time.Second)
	for ft.calls.Load() < 5 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	if c := ft.calls.Load(); c < 5 {
		t.Fatalf("restarted instance tagged %d records, want all 5 (offsets were committed despite the failure?)", c)
	}
}

func TestShutdownDrainsInFlight(t *testing.T) {
	e := embeddedOnly(t)
	cfg := testConfig(t, e.Brokers())
	cfg.CommitInterval = time.Hour // only the final commit at shutdown counts
	ft := &fakeTagger{name: "slow", delay: 20 * time.Millisecond}
	ids := produce(t, cfg, articles("sd", 40)...)
	r := start(t, cfg, ft)
	deadline := time.Now().Add(20 * time.Second)
	for ft.calls.Load() < 5 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	tagged := collect(t, cfg, cfg.Out, 0, time.Second)
	// A second instance must tag exactly what the first did not get to.
	ft2 := &fakeTagger{name: "second"}
	start(t, cfg, ft2)
	all := collect(t, cfg, cfg.Out, len(ids), 0)
	for _, id := range ids {
		if len(all[id]) == 0 {
			t.Errorf("%s lost across the shutdown", id)
		}
	}
	time.Sleep(500 * time.Millisecond)
	if got, want := ft2.calls.Load(), int64(len(ids)-len(tagged)); got != want {
		t.Errorf("second instance tagged %d, want %d (= %d not tagged before the shutdown)", got, want, len(ids)-len(tagged))
	}
}
