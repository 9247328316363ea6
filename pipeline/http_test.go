package pipeline

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/rules"
)

// startWithHTTP starts a pipeline serving HTTP on a free loopback port and returns its base URL.
func startWithHTTP(t *testing.T, cfg Config, tg Tagger, opts ...Option) (*running, string) {
	t.Helper()
	cfg.HTTP = "127.0.0.1:0"
	addr := make(chan string, 1)
	r := start(t, cfg, tg, append(opts, WithHTTPAddr(addr))...)
	select {
	case a := <-addr:
		return r, "http://" + a
	case err := <-r.done:
		t.Fatalf("pipeline stopped: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("HTTP endpoint did not start")
	}
	return nil, ""
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitFor polls cond until it holds or 20s pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestHTTPEndpoints(t *testing.T) {
	cfg := testConfig(t, testBrokers(t))
	cfg.HTTPToken = "tok"
	_, base := startWithHTTP(t, cfg, &fakeTagger{name: "http"}, WithArticleEndpoint())

	for _, path := range []string{"/metrics", "/articles"} {
		if code, _ := get(t, base+path, ""); code != http.StatusUnauthorized {
			t.Errorf("%s without token: %d, want 401", path, code)
		}
		if code, _ := get(t, base+path, "wrong"); code != http.StatusUnauthorized {
			t.Errorf("%s with a wrong token: %d, want 401", path, code)
		}
	}
	// The probes answer without the token, as kubelet asks them.
	waitFor(t, "readyz", func() bool { code, _ := get(t, base+"/readyz", ""); return code == 200 })
	if code, _ := get(t, base+"/healthz", ""); code != 200 {
		t.Errorf("healthz without token: %d, want 200", code)
	}
	if code, _ := get(t, base+"/metrics", "tok"); code != 200 {
		t.Errorf("metrics with the token: %d, want 200", code)
	}

	post := func(body string) (int, articlesResponse) {
		req, _ := http.NewRequest(http.MethodPost, base+"/articles", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer tok")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var ar articlesResponse
		_ = json.NewDecoder(resp.Body).Decode(&ar)
		return resp.StatusCode, ar
	}
	code, ar := post(`{"id":"h1","title":"Korea","body":"x"}`)
	if code != http.StatusAccepted || ar.Accepted != 1 || ar.IDs[0] != "h1" {
		t.Fatalf("POST one article: %d %+v", code, ar)
	}
	code, ar = post("{\"title\":\"no id\"}\n{broken\n{\"id\":\"h3\"}\n")
	if code != http.StatusAccepted || ar.Accepted != 2 || len(ar.Rejected) != 1 || ar.Rejected[0].Line != 2 {
		t.Fatalf("POST JSONL with a bad line: %d %+v", code, ar)
	}
	if code, _ = post(strings.Repeat("x", maxArticlesBody+10)); code != http.StatusRequestEntityTooLarge && code != http.StatusBadRequest {
		t.Errorf("oversized body: %d", code)
	}
	got := collect(t, cfg, cfg.Out, 3, 0)
	if len(got["h1"]) == 0 || len(got["h3"]) == 0 {
		t.Errorf("posted articles not tagged: %v", keys(got))
	}

	waitFor(t, "tagged counter", func() bool {
		_, m := get(t, base+"/metrics", "tok")
		return strings.Contains(m, "tagpipe_records_tagged_total 3")
	})
	_, m := get(t, base+"/metrics", "tok")
	for _, want := range []string{"tagpipe_records_consumed_total", "tagpipe_tag_duration_seconds_bucket", "tagpipe_consumer_lag{partition=",
		"tagpipe_errors_total", "tagpipe_records_dead_lettered_total", "go_goroutines"} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// defaultPackFiles returns the embedded rule pack as a file map.
func defaultPackFiles(t *testing.T) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := fs.WalkDir(rules.DefaultFS(), ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(rules.DefaultFS(), path)
		files[path] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestRulesHotReload(t *testing.T) {
	cfg := testConfig(t, testBrokers(t))
	cfg.RulesTopic = cfg.In + ".rules"
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := kafkaio.CreateTopics(ctx, cfg.Conn, 1, 1, cfg.RulesTopic); err != nil {
		t.Fatal(err)
	}
	// A pack published before the instance starts is picked up at start (the newest record).
	files := defaultPackFiles(t)
	v1, err := PublishRules(ctx, cfg, files)
	if err != nil {
		t.Fatal(err)
	}
	ft := &fakeTagger{name: "reload"}
	r := start(t, cfg, ft)
	waitFor(t, "first pack", func() bool { rs := ft.Rules(); return rs != nil && rs.Version() == v1 })

	// A broken pack (published raw: PublishRules refuses it) keeps the current rules and counts a failure.
	if _, err := PublishRules(ctx, cfg, map[string]string{"bad.yaml": "topics: [oops\n"}); err == nil {
		t.Fatal("PublishRules accepted a pack that does not compile")
	}
	prod, err := kafkaio.NewProducer(ctx, cfg.Conn, cfg.RulesTopic, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	if err := prod.SendRaw(ctx, kafkaio.Message{Key: []byte("rules"), Value: []byte(`{"files":{"bad.yaml":"entities: [{canonical: X}]\n"}}`)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "reload failure", func() bool { return counterValue(r.p.metrics.reloadFailure) == 1 })
	if rs := ft.Rules(); rs == nil || rs.Version() != v1 {
		t.Fatalf("a failed reload replaced the rules")
	}
	if ok := gaugeValue(r.p.metrics.reloadOK); ok != 0 {
		t.Errorf("tagpipe_rules_last_reload_success = %v after a rejected pack, want 0", ok)
	}
	beforeGood := float64(time.Now().Add(-time.Second).Unix())

	// A good new pack is swapped in, and records are tagged with it.
	files["zz-extra.yaml"] = "topics:\n  - label: test-extra\n    terms: [zebra]\n"
	v2, err := PublishRules(ctx, cfg, files)
	if err != nil {
		t.Fatal(err)
	}
	if v2 == v1 {
		t.Fatal("a changed pack kept its version")
	}
	waitFor(t, "second pack", func() bool { rs := ft.Rules(); return rs != nil && rs.Version() == v2 })
	if ok, ts := gaugeValue(r.p.metrics.reloadOK), gaugeValue(r.p.metrics.reloadTime); ok != 1 || ts < beforeGood {
		t.Errorf("after a good pack: last_reload_success %v (want 1), last_reload_timestamp %v (want >= %v)", ok, ts, beforeGood)
	}
	produce(t, cfg, articles("hr", 1)...)
	got := collect(t, cfg, cfg.Out, 1, 0)
	if h := got["hr-000"][0].Headers[HeaderRulesVersion]; h != v2 {
		t.Errorf("record tagged with rules %q, want %q", h, v2)
	}
	if n := counterValue(r.p.metrics.reloads); n != 2 {
		t.Errorf("reloads = %v, want 2", n)
	}
}

func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return -1
	}
	return m.GetCounter().GetValue()
}

func gaugeValue(g prometheus.Gauge) float64 {
	var m dto.Metric
	if err := g.Write(&m); err != nil {
		return -1
	}
	return m.GetGauge().GetValue()
}

// TestRulesWatcherRetriesUntilTheTopicExists starts an instance whose rules topic does not exist yet: the
// watcher keeps retrying with backoff and picks up the first pack once the topic is created.
func TestRulesWatcherRetriesUntilTheTopicExists(t *testing.T) {
	cfg := testConfig(t, testBrokers(t))
	cfg.CreateTopics = false // the data topics exist; the rules topic must not be created by Run
	cfg.RulesTopic = cfg.In + ".late-rules"
	ft := &fakeTagger{name: "late"}
	r := start(t, cfg, ft)
	waitFor(t, "a failed watch attempt", func() bool { return counterValue(r.p.metrics.errors.WithLabelValues("rules")) >= 1 })

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := kafkaio.CreateTopics(ctx, cfg.Conn, 1, 1, cfg.RulesTopic); err != nil {
		t.Fatal(err)
	}
	v, err := PublishRules(ctx, cfg, defaultPackFiles(t))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the pack published after the watcher's failures", func() bool { rs := ft.Rules(); return rs != nil && rs.Version() == v })
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
}
