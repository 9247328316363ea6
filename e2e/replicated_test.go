package e2e

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// clusterNodes is the size of the test cluster: replication factor 3 with min.insync.replicas=2 survives one
// broker down.
const clusterNodes = 3

// clusterTests use the three-node cluster; aclTests the broker with the StandardAuthorizer.
var (
	clusterTests = []string{"TestClusterLeaderKill9", "TestClusterRollingRestart", "TestClusterScaleGroup"}
	aclTests     = []string{"TestACL"}
)

// lazyKafka starts a broker or cluster with deploy/kafka/local.sh once, on first use (or in the background
// from startExtras), and stops it when the package's tests are done.
type lazyKafka struct {
	name  string
	tests []string
	env   func(dir string) ([]string, error) // local.sh environment for a work dir
	dir   string
	used  atomic.Bool
	once  sync.Once
	k     *localKafka
	err   error
	start time.Duration // how long local.sh start took
}

var (
	cluster  = &lazyKafka{name: "cluster", tests: clusterTests, env: clusterEnv}
	aclKafka = &lazyKafka{name: "acl", tests: aclTests, env: aclEnv}
)

// startExtras starts, in the background and one after the other (five JVMs starting at once on two cores take
// three times as long each), the cluster and the ACL broker when -run selects a test of theirs, and returns
// the function that stops them. Called by TestMain with its temp dir.
func startExtras(dir string) func() {
	var start []*lazyKafka
	for _, l := range []*lazyKafka{cluster, aclKafka} {
		l.dir = filepath.Join(dir, l.name)
		if selected(l.tests) {
			start = append(start, l)
		}
	}
	go func() {
		for _, l := range start {
			_, _ = l.get()
		}
	}()
	return func() {
		for _, l := range []*lazyKafka{cluster, aclKafka} {
			l.close()
		}
	}
}

func (l *lazyKafka) get() (*localKafka, error) {
	l.used.Store(true)
	l.once.Do(func() {
		if err := os.MkdirAll(l.dir, 0o700); err != nil {
			l.err = err
			return
		}
		env, err := l.env(l.dir)
		if err != nil {
			l.err = err
			return
		}
		k := &localKafka{dir: l.dir, env: env}
		t0 := time.Now()
		if l.err = k.sh(4*time.Minute, "start"); l.err != nil {
			_ = k.sh(2*time.Minute, "stop")
			return
		}
		l.start = time.Since(t0)
		l.k = k
		fmt.Fprintf(os.Stderr, "e2e: %s (local.sh start) ready in %s\n", l.name, l.start.Round(100*time.Millisecond))
	})
	return l.k, l.err
}

func (l *lazyKafka) close() {
	if !l.used.Load() {
		return
	}
	if k, _ := l.get(); k != nil {
		if err := k.sh(2*time.Minute, "stop"); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: stopping the %s: %v\n", l.name, err)
		}
	}
}

// use returns the started broker or cluster, or skips t like sharedBrokers.
func (l *lazyKafka) use(t *testing.T) *localKafka {
	t.Helper()
	sharedBrokers(t)
	k, err := l.get()
	if err != nil {
		t.Fatalf("%s: %v", l.name, err)
	}
	t.Logf("%s: local.sh start took %s", l.name, l.start.Round(100*time.Millisecond))
	return k
}

// localKafka is a broker or cluster run by deploy/kafka/local.sh in its own work dir and ports.
type localKafka struct {
	dir string
	env []string // KAFKA_* settings
	// Brokers is the PLAINTEXT bootstrap list, SASL the SASL_SSL one (comma-separated).
	Brokers, SASL string
}

// pickPorts returns n distinct ports on 127.0.0.1 that are free now, below the kernel's ephemeral range
// (32768-60999 on Linux), so that no client connection made meanwhile takes one before the broker binds it.
func pickPorts(n int) ([]int, error) {
	return pickBlock(n, 1)
}

// pickBlock returns nodes blocks of per ports, base + 10*i + j (i < nodes, j < per), all free now, as one list.
func pickBlock(nodes, per int) ([]int, error) {
	for range 200 {
		base := 20000 + mrand.IntN(12000)
		var out []int
		ok := true
		for i := range nodes {
			for j := range per {
				p := base + 10*i + j
				if portInUse(p) {
					ok = false
				}
				out = append(out, p)
			}
		}
		if ok {
			return out, nil
		}
	}
	return nil, errors.New("no free port range below 32768")
}

// clusterEnv lays out three nodes: base ports B, B+1, B+2 (PLAINTEXT, controller, SASL_SSL) and node i at
// B + 10*(i-1), all free and below the ephemeral range.
func clusterEnv(dir string) ([]string, error) {
	ps, err := pickBlock(clusterNodes, 3)
	if err != nil {
		return nil, err
	}
	base := ps[0]
	return []string{"KAFKA_NODES=" + strconv.Itoa(clusterNodes), "KAFKA_PORT_STEP=10",
		"KAFKA_PORT=" + strconv.Itoa(base), "KAFKA_CONTROLLER_PORT=" + strconv.Itoa(base+1),
		"KAFKA_SASL_PORT=" + strconv.Itoa(base+2), "KAFKA_SECURITY=plaintext",
		"KAFKA_HEAP_OPTS=-Xms128m -Xmx384m", "KAFKA_NUM_PARTITIONS=3", "KAFKA_START_TIMEOUT=180"}, nil
}

func portInUse(port int) bool {
	ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return true
	}
	ln.Close()
	return false
}

// sh runs local.sh with args for this work dir; start also records the bootstrap lists from `env`.
func (k *localKafka) sh(timeout time.Duration, args ...string) error {
	out, err := k.run(timeout, args...)
	if err != nil {
		return err
	}
	if args[0] == "start" {
		out, err = k.run(30*time.Second, "env")
		if err != nil {
			return err
		}
		for _, line := range strings.Split(out, "\n") {
			if v, ok := strings.CutPrefix(line, "export TAGPIPE_KAFKA_BROKERS="); ok {
				k.Brokers = strings.ReplaceAll(v, `\,`, ",")
			}
			if v, ok := strings.CutPrefix(line, "export TAGPIPE_KAFKA_SASL_BROKERS="); ok {
				k.SASL = strings.ReplaceAll(v, `\,`, ",")
			}
		}
		if k.Brokers == "" {
			return fmt.Errorf("local.sh env printed no TAGPIPE_KAFKA_BROKERS:\n%s", out)
		}
	}
	return nil
}

// run runs local.sh and returns its stdout; the error carries both outputs.
func (k *localKafka) run(timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(repoRoot, "deploy", "kafka", "local.sh"), args...)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KAFKA_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(append(env, "KAFKA_WORKDIR="+k.dir), k.env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("local.sh %s (work dir %s): %w\n%s%s", strings.Join(args, " "), k.dir, err, stdout.String(), stderr.String())
	}
	return stdout.String(), nil
}

// node runs `local.sh ACTION-node I` (start, stop, kill) and fails t on error.
func (k *localKafka) node(t *testing.T, action string, i int) time.Duration {
	t.Helper()
	t0 := time.Now()
	if _, err := k.run(4*time.Minute, action+"-node", strconv.Itoa(i)); err != nil {
		t.Fatal(err)
	}
	return time.Since(t0)
}

// createReplicated creates topic with partitions, replication factor 3 and min.insync.replicas=2, and waits
// until every partition has a leader and its full ISR.
func (a *admin) createReplicated(t *testing.T, topic string, partitions int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := a.client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{{
		Topic: topic, NumPartitions: partitions, ReplicationFactor: clusterNodes,
		ConfigEntries: []kafka.ConfigEntry{{ConfigName: "min.insync.replicas", ConfigValue: "2"}}}}})
	if err == nil {
		err = resp.Errors[topic]
	}
	if err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	a.waitISR(t, time.Minute, topic)
}

// newReplicatedTopics is newTopics on the cluster: input with inParts partitions, output 3, DLQ 1, all RF 3.
func newReplicatedTopics(t *testing.T, a *admin, inParts int) topics {
	t.Helper()
	tp := topics{in: uniqueName(t, "in"), out: uniqueName(t, "out"), dlq: uniqueName(t, "dlq"), group: uniqueName(t, "group")}
	a.createReplicated(t, tp.in, inParts)
	a.createReplicated(t, tp.out, 3)
	a.createReplicated(t, tp.dlq, 1)
	return tp
}

// underReplicated returns how many partitions of topics lack a leader or have fewer in-sync replicas than
// replicas.
func (a *admin) underReplicated(ctx context.Context, topics ...string) (int, error) {
	md, err := a.client.Metadata(ctx, &kafka.MetadataRequest{Topics: topics})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, tp := range md.Topics {
		if tp.Error != nil {
			return 0, fmt.Errorf("%s: %w", tp.Name, tp.Error)
		}
		for _, p := range tp.Partitions {
			if p.Error != nil || p.Leader.Host == "" || len(p.Isr) < len(p.Replicas) || len(p.Replicas) < clusterNodes {
				n++
			}
		}
	}
	return n, nil
}

// waitISR waits until every partition of topics (and __consumer_offsets) has its full ISR again.
func (a *admin) waitISR(t *testing.T, timeout time.Duration, topics ...string) time.Duration {
	t.Helper()
	t0 := time.Now()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		n, err := a.underReplicated(ctx, topics...)
		cancel()
		if err == nil && n == 0 {
			return time.Since(t0)
		}
		if time.Since(t0) > timeout {
			t.Fatalf("%d partition(s) of %v still under-replicated after %s (last error %v)", n, topics, timeout, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// leaders returns, for each broker id, how many partitions of topics it leads.
func (a *admin) leaders(t *testing.T, topics ...string) map[int]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	md, err := a.client.Metadata(ctx, &kafka.MetadataRequest{Topics: topics})
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]int{}
	for _, tp := range md.Topics {
		for _, p := range tp.Partitions {
			out[p.Leader.ID]++
		}
	}
	return out
}

// loadGen produces generated articles to a topic at a steady rate until stopped, retrying what the brokers
// did not acknowledge (a record whose acknowledgement was lost may be written twice: the input is counted
// from the topic, by id, at the end).
type loadGen struct {
	stopc chan struct{}
	done  chan struct{}
	sent  atomic.Int64
	fails atomic.Int64 // batches that needed a retry
	err   error
}

// startLoad produces rate records a second (in batches every 100 ms) of the seeded corpus to topic.
func startLoad(t *testing.T, a *admin, topic string, seed uint64, rate int) *loadGen {
	t.Helper()
	g := &loadGen{stopc: make(chan struct{}), done: make(chan struct{})}
	w := &kafka.Writer{
		Addr: kafka.TCP(a.addrs...), Topic: topic, Transport: a.transport, Balancer: &kafka.Murmur2Balancer{},
		BatchSize: 1000, BatchTimeout: 2 * time.Millisecond, RequiredAcks: kafka.RequireAll, MaxAttempts: 3,
		WriteBackoffMin: 100 * time.Millisecond, WriteBackoffMax: time.Second,
	}
	per := max(1, rate/10)
	go func() {
		defer close(g.done)
		defer w.Close()
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		next := 0
		for {
			select {
			case <-g.stopc:
				return
			case <-tick.C:
			}
			msgs, _ := articlesFrom(seed, next, per, 600)
			next += per
			deadline := time.Now().Add(2 * time.Minute)
			for len(msgs) > 0 {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				err := w.WriteMessages(ctx, msgs...)
				cancel()
				if err == nil {
					g.sent.Add(int64(len(msgs)))
					break
				}
				g.fails.Add(1)
				var werrs kafka.WriteErrors
				if errors.As(err, &werrs) {
					var again []kafka.Message
					for i, e := range werrs {
						if e != nil {
							again = append(again, msgs[i])
						}
					}
					g.sent.Add(int64(len(msgs) - len(again)))
					msgs = again
				}
				if time.Now().After(deadline) {
					g.err = fmt.Errorf("load: %d records not acknowledged after 2m: %w", len(msgs), err)
					return
				}
				time.Sleep(200 * time.Millisecond)
			}
		}
	}()
	return g
}

// stop stops the load and returns how many records were acknowledged.
func (g *loadGen) stop(t *testing.T) int64 {
	t.Helper()
	close(g.stopc)
	<-g.done
	if g.err != nil {
		t.Fatal(g.err)
	}
	return g.sent.Load()
}

// inputIDs reads the input topic back and returns its distinct record keys and how many records repeat one.
func inputIDs(t *testing.T, a *admin, topic string) ([]string, int) {
	t.Helper()
	seen := map[string]bool{}
	var ids []string
	dups := 0
	for _, m := range a.readAll(t, topic) {
		k := string(m.Key)
		if seen[k] {
			dups++
			continue
		}
		seen[k] = true
		ids = append(ids, k)
	}
	return ids, dups
}

// uncommitted returns the records output (tagged and dead-lettered) minus the records the group committed:
// what a crash or a rebalance at this moment may output again.
func (a *admin) uncommitted(t *testing.T, tp topics) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done, _, err := a.committedOf(ctx, tp.group, tp.in)
	if err != nil {
		t.Fatal(err)
	}
	out, err1 := a.count(ctx, tp.out)
	dlq, err2 := a.count(ctx, tp.dlq)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	return max(0, out+dlq-done)
}

// TestClusterLeaderKill9 kills -9 the broker that leads most input and output partitions while `tagpipe run`
// works through a steady load on the three-node cluster, restarts it 15 s later and checks that nothing is
// lost.
func TestClusterLeaderKill9(t *testing.T) {
	k := cluster.use(t)
	a := newAdmin(t, k.Brokers)
	tp := newReplicatedTopics(t, a, 6)

	load := startLoad(t, a, tp.in, 21, 300)
	run := startTagpipe(t, "tagpipe run", nil, tp.run(k.Brokers, "--replication-factor", "3")...)
	a.waitProgress(t, run, tp.out, 2*time.Minute, "records tagged", func(n int64) bool { return n >= 500 })

	lead := a.leaders(t, tp.in, tp.out)
	victim, most := 0, -1
	for id, n := range lead {
		if n > most {
			victim, most = id, n
		}
	}
	t.Logf("leaders of %s and %s: %v; killing broker %d", tp.in, tp.out, lead, victim)
	windowAtKill := a.uncommitted(t, tp)
	k.node(t, "kill", victim)
	killedAt := time.Now()
	time.Sleep(15 * time.Second)
	// The fault is real: the controller has fenced the broker and the ISRs shrank.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	shrunk, err := a.underReplicated(ctx, tp.in, tp.out)
	cancel()
	if err != nil || shrunk == 0 {
		t.Errorf("15 s after kill -9 of broker %d: %d under-replicated partitions (%v), want some", victim, shrunk, err)
	}
	if !run.running() {
		t.Fatalf("tagpipe run exited (code %d) with one broker of three down", run.code)
	}
	restart := k.node(t, "start", victim)
	down := time.Since(killedAt)
	t.Logf("broker %d down %s (restart took %s)", victim, down.Round(100*time.Millisecond), restart.Round(100*time.Millisecond))
	time.Sleep(5 * time.Second) // steady load goes on after the restart
	sent := load.stop(t)
	isr := a.waitISR(t, 3*time.Minute, tp.in, tp.out, tp.dlq)

	a.waitCommitted(t, run, tp.group, tp.in, 3*time.Minute)
	if code := run.stop(45 * time.Second); code != 0 {
		t.Errorf("tagpipe run exited %d after SIGTERM, want 0", code)
	}
	ids, inDups := inputIDs(t, a, tp.in)
	res := countOutputs(ids, a.readAll(t, tp.out), a.readAll(t, tp.dlq))
	res.check(t, "cluster-leader-kill9", fmt.Sprintf("brokers=3 rf=3 min_isr=2 killed=%d led=%d under_replicated=%d restart_after=15s down=%.0fs acked=%d input_dups=%d isr_restored=%.0fs", victim, most, shrunk, down.Seconds(), sent, inDups, isr.Seconds()))
	if res.dlq != 0 {
		t.Errorf("%d records dead-lettered; a broker failover is no reason to dead-letter", res.dlq)
	}
	if limit := int(windowAtKill) + 2000 + inDups; res.duplicates > limit {
		t.Errorf("duplicates = %d, more than the uncommitted window at the kill (%d) + 2 batches of in-flight records", res.duplicates, windowAtKill)
	}
}

// TestClusterRollingRestart restarts the three brokers one at a time (SIGTERM, controlled shutdown, start,
// wait for the full ISR before the next) under a steady load.
func TestClusterRollingRestart(t *testing.T) {
	k := cluster.use(t)
	a := newAdmin(t, k.Brokers)
	tp := newReplicatedTopics(t, a, 6)

	load := startLoad(t, a, tp.in, 22, 300)
	run := startTagpipe(t, "tagpipe run", nil, tp.run(k.Brokers, "--replication-factor", "3")...)
	a.waitProgress(t, run, tp.out, 2*time.Minute, "records tagged", func(n int64) bool { return n >= 500 })
	t0 := time.Now()
	for i := 1; i <= clusterNodes; i++ {
		stop := k.node(t, "stop", i)
		start := k.node(t, "start", i)
		isr := a.waitISR(t, 3*time.Minute, tp.in, tp.out, tp.dlq, "__consumer_offsets")
		t.Logf("broker %d: stop %s, start %s, full ISR %s later", i, stop.Round(100*time.Millisecond), start.Round(100*time.Millisecond), isr.Round(100*time.Millisecond))
		if !run.running() {
			t.Fatalf("tagpipe run exited (code %d) during the rolling restart", run.code)
		}
	}
	roll := time.Since(t0)
	time.Sleep(3 * time.Second)
	sent := load.stop(t)
	a.waitCommitted(t, run, tp.group, tp.in, 3*time.Minute)
	if code := run.stop(45 * time.Second); code != 0 {
		t.Errorf("tagpipe run exited %d after SIGTERM, want 0", code)
	}
	ids, inDups := inputIDs(t, a, tp.in)
	res := countOutputs(ids, a.readAll(t, tp.out), a.readAll(t, tp.dlq))
	res.check(t, "cluster-rolling-restart", fmt.Sprintf("brokers=3 rf=3 min_isr=2 restarts=3 roll=%.0fs acked=%d input_dups=%d", roll.Seconds(), sent, inDups))
	if res.dlq != 0 {
		t.Errorf("%d records dead-lettered; a rolling restart is no reason to dead-letter", res.dlq)
	}
}

// TestClusterScaleGroup scales the consumer group 1 -> 3 -> 1 instances under a steady load, killing one of
// the three with SIGKILL on the way down. Each rebalance may redo what was output but not committed when it
// began, plus what the instances output while the group rebalanced: the test bounds duplicates by the sum of
// the uncommitted windows measured at each event plus --max-in-flight per instance per rebalance.
func TestClusterScaleGroup(t *testing.T) {
	k := cluster.use(t)
	a := newAdmin(t, k.Brokers)
	tp := newReplicatedTopics(t, a, 6)
	const maxInFlight = 300
	args := tp.run(k.Brokers, "--replication-factor", "3", "--max-in-flight", strconv.Itoa(maxInFlight))

	load := startLoad(t, a, tp.in, 23, 300)
	first := startTagpipe(t, "tagpipe run #1", nil, args...)
	a.waitProgress(t, first, tp.out, 2*time.Minute, "records tagged", func(n int64) bool { return n >= 500 })

	var windows []string
	bound := int64(0)
	event := func(what string, instances int) {
		w := a.uncommitted(t, tp)
		windows = append(windows, fmt.Sprintf("%s:%d", what, w))
		bound += w + int64(instances*maxInFlight)
	}
	progress := func(p *proc, more int64) {
		n := a.waitProgress(t, p, tp.out, time.Minute, "", func(int64) bool { return true })
		a.waitProgress(t, p, tp.out, 2*time.Minute, fmt.Sprintf("%d more records tagged", more), func(m int64) bool { return m >= n+more })
	}

	event("join2", 1)
	second := startTagpipe(t, "tagpipe run #2", nil, args...)
	event("join3", 2)
	third := startTagpipe(t, "tagpipe run #3", nil, args...)
	time.Sleep(8 * time.Second) // the group rebalances to three members
	progress(first, 1000)

	event("kill3", 3)
	third.kill()
	progress(first, 1000)
	event("leave2", 2)
	if code := second.stop(45 * time.Second); code != 0 {
		t.Errorf("tagpipe run #2 exited %d after SIGTERM, want 0", code)
	}
	progress(first, 500)
	sent := load.stop(t)
	a.waitCommitted(t, first, tp.group, tp.in, 3*time.Minute)
	if code := first.stop(45 * time.Second); code != 0 {
		t.Errorf("tagpipe run #1 exited %d after SIGTERM, want 0", code)
	}
	ids, inDups := inputIDs(t, a, tp.in)
	res := countOutputs(ids, a.readAll(t, tp.out), a.readAll(t, tp.dlq))
	res.check(t, "cluster-scale-1-3-1", fmt.Sprintf("brokers=3 partitions=6 instances=1,2,3,2(kill -9),1 acked=%d input_dups=%d dup_bound=%d windows=%s",
		sent, inDups, bound+int64(inDups), strings.Join(windows, ",")))
	if res.duplicates > int(bound)+inDups {
		t.Errorf("duplicates = %d, more than the bound %d (uncommitted windows at each event + --max-in-flight per instance)", res.duplicates, bound+int64(inDups))
	}
}
