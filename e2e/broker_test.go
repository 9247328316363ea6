package e2e

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// private is the broker this package starts for itself (nil when the Kafka tests are skipped): the outage test
// stops and restarts it, the security test uses its SASL_SSL listener with a SCRAM user and a CA made for this
// run. The shared broker is never stopped.
var private *privateBroker

// privateBroker starts one broker on first use and stops it at the end of TestMain.
type privateBroker struct {
	dir  string
	used atomic.Bool // get was called
	once sync.Once
	b    *broker
	err  error
}

// privateTests are the tests that use the private broker.
var privateTests = []string{"TestBrokerOutage", "TestSASLSCRAMOverTLS", "TestSASLRejected"}

// needed reports whether the -run pattern selects a test that uses the private broker.
func (p *privateBroker) needed() bool { return selected(privateTests) }

// selected reports whether the -run pattern selects one of tests.
func selected(tests []string) bool {
	pattern := ""
	if f := flag.Lookup("test.run"); f != nil {
		pattern, _, _ = strings.Cut(f.Value.String(), "/")
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return true
	}
	return slices.ContainsFunc(tests, re.MatchString)
}

// get starts the broker once and returns it.
func (p *privateBroker) get() (*broker, error) {
	p.used.Store(true)
	p.once.Do(func() {
		if err := os.MkdirAll(p.dir, 0o700); err != nil {
			p.err = err
			return
		}
		b := &broker{dir: p.dir, user: "e2e-" + randomToken(3), password: randomToken(12)}
		if p.err = b.pickPorts(); p.err != nil {
			return
		}
		p.b = b
		p.err = b.start()
	})
	return p.b, p.err
}

// close stops the broker, if it was started (waiting for a start still in progress).
func (p *privateBroker) close() {
	if !p.used.Load() {
		return
	}
	b, _ := p.get()
	if b != nil {
		if err := b.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: stopping the private broker:", err)
		}
	}
}

// privateKafka returns the private broker, started, or skips t like sharedBrokers.
func privateKafka(t *testing.T) *broker {
	t.Helper()
	sharedBrokers(t)
	b, err := private.get()
	if err != nil {
		t.Fatalf("private broker: %v", err)
	}
	return b
}

// broker is a real Kafka broker run by deploy/kafka/local.sh in its own work dir, with PLAINTEXT and
// SASL_SSL (SCRAM-SHA-512) listeners, a CA generated at start and a random SCRAM password.
type broker struct {
	dir                      string
	port, ctrlPort, saslPort int
	user, password           string
}

// pickPorts picks three free ports below the ephemeral range (pickPorts in replicated_test.go).
func (b *broker) pickPorts() error {
	ps, err := pickPorts(3)
	if err != nil {
		return err
	}
	b.port, b.ctrlPort, b.saslPort = ps[0], ps[1], ps[2]
	return nil
}

// Brokers is the PLAINTEXT bootstrap address.
func (b *broker) Brokers() string { return "127.0.0.1:" + strconv.Itoa(b.port) }

// SASLBrokers is the SASL_SSL bootstrap address.
func (b *broker) SASLBrokers() string { return "127.0.0.1:" + strconv.Itoa(b.saslPort) }

// CA is the PEM file of the CA that signed the broker's certificate.
func (b *broker) CA() string { return filepath.Join(b.dir, "tls", "ca.pem") }

func (b *broker) start() error { return b.localSh("start", 4*time.Minute) }
func (b *broker) stop() error  { return b.localSh("stop", 2*time.Minute) }

// localSh runs deploy/kafka/local.sh action for this broker.
func (b *broker) localSh(action string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(repoRoot, "deploy", "kafka", "local.sh"), action)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "KAFKA_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env,
		"KAFKA_WORKDIR="+b.dir,
		"KAFKA_PORT="+strconv.Itoa(b.port),
		"KAFKA_CONTROLLER_PORT="+strconv.Itoa(b.ctrlPort),
		"KAFKA_SASL_PORT="+strconv.Itoa(b.saslPort),
		"KAFKA_SECURITY=sasl_ssl",
		"KAFKA_SCRAM_USER="+b.user,
		"KAFKA_SCRAM_PASSWORD="+b.password,
		"KAFKA_HEAP_OPTS=-Xms128m -Xmx384m",
		"KAFKA_START_TIMEOUT=180",
		"KAFKA_NUM_PARTITIONS=3",
	)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("local.sh %s (work dir %s): %w\n%s", action, b.dir, err, out)
	}
	return nil
}

// reachable reports whether the broker's PLAINTEXT port accepts connections.
func (b *broker) reachable() bool {
	c, err := net.DialTimeout("tcp", b.Brokers(), 200*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
