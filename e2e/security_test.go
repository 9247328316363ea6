package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSASLSCRAMOverTLS runs ingest, run and consume over the private broker's SASL_SSL listener: SCRAM-SHA-512
// with a user and password made for this test run, TLS verified against the CA the broker got at start. The
// password comes from a file (ingest) or the environment (run, consume) and must appear in no output, even at
// debug level.
func TestSASLSCRAMOverTLS(t *testing.T) {
	b := privateKafka(t)
	a := newAdmin(t, b.Brokers()) // PLAINTEXT side: setup and verification only
	tp := newTopics(t, a, 3)
	pwFile := filepath.Join(t.TempDir(), "sasl-password")
	if err := os.WriteFile(pwFile, []byte(b.password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const n = 200
	msgs, ids := articles(16, n, 600)
	var jsonl bytes.Buffer
	for _, m := range msgs {
		jsonl.Write(m.Value)
		jsonl.WriteByte('\n')
	}
	secure := []string{"--brokers", b.SASLBrokers(), "--sasl-mechanism", "SCRAM-SHA-512", "--sasl-username", b.user,
		"--tls", "--tls-ca", b.CA(), "--log-level", "debug"}
	pwEnv := []string{"TAGPIPE_SASL_PASSWORD=" + b.password}
	var outputs []string

	code, stdout, stderr := runTagpipe(t, 2*time.Minute, jsonl.Bytes(), nil,
		append([]string{"ingest", "--topic", tp.in, "--sasl-password-file", pwFile}, secure...)...)
	outputs = append(outputs, stdout, stderr)
	if code != 0 {
		t.Fatalf("ingest over SASL_SSL: exit %d: %s", code, exitMessage(stderr))
	}

	run := startTagpipe(t, "tagpipe run (SASL_SSL)", pwEnv, append(tp.run(b.SASLBrokers()), secure[2:]...)...)
	a.waitCommitted(t, run, tp.group, tp.in, 2*time.Minute)
	if code := run.stop(45 * time.Second); code != 0 {
		t.Errorf("tagpipe run exited %d after SIGTERM, want 0", code)
	}
	outputs = append(outputs, run.output())

	code, stdout, stderr = runTagpipe(t, 2*time.Minute, nil, pwEnv,
		append([]string{"consume", "--topic", tp.out, "--from-beginning", "--timeout", "5s", "--max", strconv.Itoa(n)}, secure...)...)
	outputs = append(outputs, stdout, stderr)
	if code != 0 {
		t.Fatalf("consume over SASL_SSL: exit %d: %s", code, exitMessage(stderr))
	}
	got := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var rec struct{ ID string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("consume printed a line that is not JSON: %v", err)
		}
		got[rec.ID] = true
	}
	if len(got) != n {
		t.Errorf("consume over SASL_SSL read %d distinct records, want %d", len(got), n)
	}

	res := countOutputs(ids, a.readAll(t, tp.out), a.readAll(t, tp.dlq))
	res.check(t, "sasl-ssl", "mechanism=SCRAM-SHA-512", "tls=verified")
	for i, out := range outputs {
		if strings.Contains(out, b.password) {
			t.Errorf("output %d contains the SASL password", i)
		}
	}
}

// TestSASLRejected checks that wrong credentials and a wrong TLS setup fail fast, with a clear message that
// does not repeat the password, and that a password cannot come from the YAML config file.
func TestSASLRejected(t *testing.T) {
	b := privateKafka(t)
	wrong := "wrong-" + randomToken(8)
	pwFile := filepath.Join(t.TempDir(), "sasl-password")
	if err := os.WriteFile(pwFile, []byte(wrong), 0o600); err != nil {
		t.Fatal(err)
	}
	sasl := []string{"--brokers", b.SASLBrokers(), "--sasl-mechanism", "SCRAM-SHA-512", "--sasl-username", b.user}
	topicsFlags := []string{"--in", "e2e.rejected.in", "--out", "e2e.rejected.out", "--dlq", "e2e.rejected.dlq", "--rules-topic", ""}
	cases := []struct {
		name string
		env  []string
		args []string
		want []string // substrings of the error
	}{
		{"run, wrong password from env", []string{"TAGPIPE_SASL_PASSWORD=" + wrong},
			append(append([]string{"run"}, topicsFlags...), append(sasl, "--tls", "--tls-ca", b.CA())...),
			[]string{"SASL authentication failed", b.user}},
		{"ingest, wrong password from file", nil,
			append([]string{"ingest", "--topic", "e2e.rejected.in", "--sasl-password-file", pwFile}, append(sasl, "--tls", "--tls-ca", b.CA())...),
			[]string{"SASL authentication failed", b.user}},
		{"run, TLS without the test CA", []string{"TAGPIPE_SASL_PASSWORD=" + b.password},
			append(append([]string{"run"}, topicsFlags...), append(sasl, "--tls")...),
			[]string{"certificate"}},
		{"run, no TLS to the SASL_SSL listener", []string{"TAGPIPE_SASL_PASSWORD=" + b.password},
			append(append([]string{"run", "--dial-timeout", "5s"}, topicsFlags...), sasl...),
			[]string{"cannot reach any broker"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			code, _, stderr := runTagpipe(t, time.Minute, []byte("{}\n"), c.env, c.args...)
			took := time.Since(start)
			msg := exitMessage(stderr)
			t.Logf("exit %d after %s: %s", code, took.Round(time.Millisecond), msg)
			if code == 0 {
				t.Errorf("exit 0, want a failure")
			}
			if took > 20*time.Second {
				t.Errorf("took %s to fail, want under 20s", took.Round(time.Second))
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q lacks %q", msg, w)
				}
			}
			if strings.Contains(stderr, wrong) || strings.Contains(stderr, b.password) {
				t.Errorf("stderr contains the password")
			}
		})
	}

	t.Run("password in the config file", func(t *testing.T) {
		cfg := filepath.Join(t.TempDir(), "tagpipe.yaml")
		yaml := fmt.Sprintf("brokers: [%s]\nsasl-mechanism: SCRAM-SHA-512\nsasl-username: %s\nsasl-password: %s\n", b.SASLBrokers(), b.user, b.password)
		if err := os.WriteFile(cfg, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runTagpipe(t, time.Minute, nil, nil, "run", "--config", cfg)
		t.Logf("exit %d: %s", code, exitMessage(stderr))
		if code != 2 || !strings.Contains(stderr, "sasl-password") {
			t.Errorf("a password in the YAML file: exit %d, %q; want exit 2 naming the key", code, exitMessage(stderr))
		}
		if strings.Contains(stderr, b.password) {
			t.Errorf("stderr contains the password")
		}
	})
}

// TestHTTPEndpoint checks the guards of --http: off loopback it needs a token, with a token every request
// but the health probes needs it, on loopback it is open, the token never reaches the logs, and request bodies are size-limited.
func TestHTTPEndpoint(t *testing.T) {
	brokers := sharedBrokers(t)
	a := newAdmin(t, brokers)
	tp := newTopics(t, a, 1)

	for _, addr := range []string{"0.0.0.0:" + strconv.Itoa(freePort(t)), ":" + strconv.Itoa(freePort(t))} {
		code, _, stderr := runTagpipe(t, time.Minute, nil, nil, tp.run(brokers, "--http", addr)...)
		t.Logf("--http %s without a token: exit %d: %s", addr, code, exitMessage(stderr))
		if code != 2 || !strings.Contains(stderr, "http-token") {
			t.Errorf("--http %s without a token: exit %d, want 2 and a message about http-token", addr, code)
		}
	}

	token := "tok-" + randomToken(16)
	port := freePort(t)
	run := startTagpipe(t, "tagpipe run --http 0.0.0.0", []string{"TAGPIPE_HTTP_TOKEN=" + token},
		tp.run(brokers, "--http", "0.0.0.0:"+strconv.Itoa(port), "--log-level", "debug")...)
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	waitHTTP(t, run, base+"/healthz")
	for _, c := range []struct {
		path, auth string
		want       int
	}{
		{"/metrics", "", http.StatusUnauthorized},
		{"/healthz", "", http.StatusOK}, // probes say only up or down and need no token
		{"/readyz", "", http.StatusOK},
		{"/metrics", "Bearer wrong-" + token, http.StatusUnauthorized},
		{"/metrics", token, http.StatusUnauthorized}, // not a bearer token
		{"/healthz", "Bearer " + token, http.StatusOK},
		{"/readyz", "Bearer " + token, http.StatusOK},
		{"/metrics", "Bearer " + token, http.StatusOK},
	} {
		code, body := httpGet(t, base+c.path, c.auth)
		if code != c.want {
			t.Errorf("GET %s with Authorization %q: %d, want %d", c.path, strings.ReplaceAll(c.auth, token, "TOKEN"), code, c.want)
		}
		if c.path == "/metrics" && code == http.StatusOK && !strings.Contains(body, "tagpipe_records_consumed_total") {
			t.Errorf("/metrics lacks tagpipe_records_consumed_total")
		}
	}
	if code := run.stop(45 * time.Second); code != 0 {
		t.Errorf("tagpipe run exited %d after SIGTERM, want 0", code)
	}
	if strings.Contains(run.output(), token) {
		t.Errorf("the HTTP token appears in tagpipe's output")
	}

	// Loopback without a token: open.
	port = freePort(t)
	run = startTagpipe(t, "tagpipe run --http 127.0.0.1", nil, tp.run(brokers, "--http", "127.0.0.1:"+strconv.Itoa(port))...)
	base = "http://127.0.0.1:" + strconv.Itoa(port)
	waitHTTP(t, run, base+"/healthz")
	if code, _ := httpGet(t, base+"/metrics", ""); code != http.StatusOK {
		t.Errorf("GET /metrics on loopback without a token: %d, want 200", code)
	}
	if code := run.stop(45 * time.Second); code != 0 {
		t.Errorf("tagpipe run exited %d after SIGTERM, want 0", code)
	}

	// Request bodies: POST /articles (served with the embedded broker) takes at most 16 MiB.
	port = freePort(t)
	run = startTagpipe(t, "tagpipe run (embedded) --http 127.0.0.1", nil, "run", "--http", "127.0.0.1:"+strconv.Itoa(port))
	base = "http://127.0.0.1:" + strconv.Itoa(port)
	waitHTTP(t, run, base+"/healthz")
	small := `{"id":"http-1","title":"Pyongyang and Moscow","body":"A short article."}`
	if code, body := httpPost(t, base+"/articles", strings.NewReader(small)); code != http.StatusAccepted {
		t.Errorf("POST /articles with one article: %d %s, want 202", code, body)
	}
	big := io.MultiReader(strings.NewReader(`{"id":"big","body":"`), io.LimitReader(repeatReader('a'), 17<<20), strings.NewReader(`"}`))
	if code, body := httpPost(t, base+"/articles", big); code != http.StatusRequestEntityTooLarge {
		t.Errorf("POST /articles with 17 MiB: %d %s, want 413", code, tail(body, 200))
	}
	if code := run.stop(45 * time.Second); code != 0 {
		t.Errorf("tagpipe run (embedded) exited %d after SIGTERM, want 0", code)
	}
}

// repeatReader is an endless stream of one byte.
type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// waitHTTP waits until url answers (any status), failing the test if p exits or a minute passes.
func waitHTTP(t *testing.T, p *proc, url string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			return
		}
		if !p.running() {
			t.Fatalf("%s exited with code %d before serving HTTP", p.name, p.code)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not answer on %s: %v", p.name, url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func httpGet(t *testing.T, url, auth string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return do(t, req)
}

func httpPost(t *testing.T, url string, body io.Reader) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b)
}
