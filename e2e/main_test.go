package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// envBrokers names the shared broker's PLAINTEXT bootstrap address; deploy/kafka/local.sh env exports it.
const envBrokers = "TAGPIPE_KAFKA_BROKERS"

var (
	// tagpipeBin is the binary TestMain built; empty when the Kafka tests are skipped.
	tagpipeBin string
	// repoRoot is the module's root directory (the parent of e2e).
	repoRoot string
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	repoRoot = filepath.Dir(wd)
	if testing.Short() || os.Getenv(envBrokers) == "" {
		return m.Run() // every test skips with its reason
	}
	dir, err := os.MkdirTemp("", "tagpipe-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	tagpipeBin = filepath.Join(dir, "tagpipe")
	build := exec.Command("go", "build", "-o", tagpipeBin, "./cmd/tagpipe")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: go build ./cmd/tagpipe: %v\n%s", err, out)
		return 1
	}
	// The private broker (for the tests that stop it or need a SCRAM user of their own) takes tens of seconds
	// to start: start it now, while the first tests use the shared broker, unless -run selects none of its
	// tests.
	priv := &privateBroker{dir: filepath.Join(dir, "kafka")}
	private = priv
	if priv.needed() {
		go priv.get()
	}
	defer priv.close()
	// The three-node cluster and the ACL broker, likewise, for the tests that use them.
	defer startExtras(dir)()
	return m.Run()
}

// sharedBrokers returns the shared broker's bootstrap address, or skips t under -short or without a broker.
func sharedBrokers(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("e2e: skipped under -short (these tests drive a real Kafka broker)")
	}
	b := os.Getenv(envBrokers)
	if b == "" {
		t.Skipf("e2e: %s is not set; start a broker with `make kafka-start` and `eval \"$(make -s kafka-env)\"`, or run `make test`", envBrokers)
	}
	if tagpipeBin == "" {
		t.Fatal("e2e: tagpipe binary was not built")
	}
	return b
}

// uniqueName returns a topic or group name no other test or run uses.
func uniqueName(t *testing.T, what string) string {
	t.Helper()
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, strings.ToLower(strings.TrimPrefix(t.Name(), "Test")))
	return fmt.Sprintf("e2e.%s.%s.%s", name, what, randomToken(4))
}

// randomToken returns n random bytes as lowercase hex.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return fmt.Sprintf("%x", b)
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// syncBuffer is a bytes.Buffer safe for a subprocess writer and a test reader.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// proc is a running tagpipe subprocess.
type proc struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	stdout syncBuffer
	stderr syncBuffer
	done   chan struct{}
	code   int // exit code once done; -1 when killed by a signal
}

// subprocessEnv is the environment of a subprocess: this process's, without any TAGPIPE_ variable (so that
// a developer's settings cannot leak into a test), plus env.
func subprocessEnv(env []string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TAGPIPE_") {
			out = append(out, kv)
		}
	}
	return append(out, env...)
}

// startTagpipe starts the tagpipe binary with args and the extra environment env. The process is killed at the
// end of the test if it still runs; its output is logged when the test fails.
func startTagpipe(t *testing.T, name string, env []string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, name: name, done: make(chan struct{})}
	p.cmd = exec.Command(tagpipeBin, args...)
	p.cmd.Env = subprocessEnv(env)
	p.cmd.Stdout = &p.stdout
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		defer close(p.done)
		err := p.cmd.Wait()
		var ee *exec.ExitError
		switch {
		case err == nil:
			p.code = 0
		case errors.As(err, &ee):
			p.code = ee.ExitCode()
		default:
			p.code = -2
		}
	}()
	t.Cleanup(func() {
		if p.running() {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			t.Logf("%s (%s) stderr, last 3000 bytes:\n%s", name, strings.Join(args, " "), tail(p.stderr.String(), 3000))
		}
	})
	return p
}

// runTagpipe runs tagpipe to completion within timeout and returns its exit code, stdout and stderr.
func runTagpipe(t *testing.T, timeout time.Duration, stdin []byte, env []string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, tagpipeBin, args...)
	cmd.Env = subprocessEnv(env)
	cmd.Stdin = bytes.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("tagpipe %s: still running after %s\nstderr: %s", strings.Join(args, " "), timeout, tail(stderr.String(), 2000))
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), stdout.String(), stderr.String()
	default:
		t.Fatalf("tagpipe %s: %v", strings.Join(args, " "), err)
		return 0, "", ""
	}
}

func (p *proc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *proc) kill() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil && p.running() {
		p.t.Fatalf("kill -9 %s: %v", p.name, err)
	}
	<-p.done
}

// stop sends SIGTERM and returns the exit code; it fails the test if the process is still running after
// timeout.
func (p *proc) stop(timeout time.Duration) int {
	p.t.Helper()
	if p.running() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
	code, ok := p.wait(timeout)
	if !ok {
		p.t.Fatalf("%s did not exit within %s of SIGTERM", p.name, timeout)
	}
	return code
}

// wait waits up to timeout for the process to exit and returns its exit code and whether it exited.
func (p *proc) wait(timeout time.Duration) (int, bool) {
	select {
	case <-p.done:
		return p.code, true
	case <-time.After(timeout):
		return 0, false
	}
}

// output returns everything the process wrote to stdout and stderr so far.
func (p *proc) output() string { return p.stdout.String() + p.stderr.String() }

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
