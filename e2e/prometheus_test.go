package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// TestPrometheusDashboard starts a real Prometheus (Debian's prometheus package) that scrapes a running
// `tagpipe run` under load and loads deploy/prometheus/alerts.yaml, waits for the target to be up, checks the
// tagpipe series over the HTTP API, then runs every panel query of deploy/grafana/tagpipe.json and expects
// data from each.
func TestPrometheusDashboard(t *testing.T) {
	brokers := sharedBrokers(t)
	promBin, err := exec.LookPath("prometheus")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("prometheus is not installed in CI (deploy/setup.sh installs the Debian package)")
		}
		t.Skip("prometheus not installed (apt-get install prometheus, or bash deploy/setup.sh)")
	}
	a := newAdmin(t, brokers)
	tp := newTopics(t, a, 3)
	rulesTopic := uniqueName(t, "rules")

	// A published rule pack (so tagpipe_rules_reloads_total counts one), a little poison (dead letters).
	code, stdout, stderr := runTagpipe(t, 2*time.Minute, nil, nil, "rules", "publish", "--brokers", brokers, "--topic", rulesTopic,
		"--create-topics", filepath.Join(repoRoot, "rules", "pack"))
	if code != 0 {
		t.Fatalf("rules publish: exit %d\n%s%s", code, stdout, stderr)
	}
	var poison []kafka.Message
	for i := range 20 {
		poison = append(poison, kafka.Message{Key: []byte(fmt.Sprintf("prom-poison-%d", i)), Value: []byte("{not json")})
	}
	a.produce(t, tp.in, poison)

	httpPort := freePort(t)
	args := append(tp.run(brokers, "--http", "127.0.0.1:"+strconv.Itoa(httpPort)), "--rules-topic", rulesTopic)
	run := startTagpipe(t, "tagpipe run", nil, args...)
	load := startLoad(t, a, tp.in, 41, 200)
	defer load.stop(t)

	dir := t.TempDir()
	promPort := freePort(t)
	cfg := fmt.Sprintf(`global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - %q
scrape_configs:
  - job_name: tagpipe
    static_configs:
      - targets: ["127.0.0.1:%d"]
`, filepath.Join(repoRoot, "deploy", "prometheus", "alerts.yaml"), httpPort)
	cfgFile := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgFile, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	prom := exec.Command(promBin, "--config.file="+cfgFile, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address=127.0.0.1:"+strconv.Itoa(promPort), "--log.level=warn")
	var promOut syncBuffer
	prom.Stdout, prom.Stderr = &promOut, &promOut
	if err := prom.Start(); err != nil {
		t.Fatal(err)
	}
	promDone := make(chan struct{})
	go func() { _ = prom.Wait(); close(promDone) }()
	t.Cleanup(func() {
		_ = prom.Process.Kill()
		<-promDone
		if t.Failed() {
			t.Logf("prometheus output:\n%s", tail(promOut.String(), 3000))
		}
	})
	api := &promAPI{base: "http://127.0.0.1:" + strconv.Itoa(promPort)}

	// The target is up.
	t0 := time.Now()
	for {
		var targets struct {
			ActiveTargets []struct {
				Health    string `json:"health"`
				LastError string `json:"lastError"`
				Labels    map[string]string
			} `json:"activeTargets"`
		}
		err := api.get("/api/v1/targets", nil, &targets)
		if err == nil && len(targets.ActiveTargets) == 1 && targets.ActiveTargets[0].Health == "up" {
			break
		}
		select {
		case <-promDone:
			t.Fatalf("prometheus exited:\n%s", tail(promOut.String(), 3000))
		default:
		}
		if !run.running() {
			t.Fatalf("tagpipe run exited with code %d", run.code)
		}
		if time.Since(t0) > time.Minute {
			t.Fatalf("target not up after 1m: %+v (%v)", targets, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Logf("prometheus: target up %s after start", time.Since(t0).Round(100*time.Millisecond))

	// The tagpipe series, each from the scrape job.
	want := []string{"tagpipe_commits_total", "tagpipe_consumer_lag", "tagpipe_errors_total", "tagpipe_records_consumed_total",
		"tagpipe_records_dead_lettered_total", "tagpipe_records_in_flight", "tagpipe_records_input_format_total",
		"tagpipe_records_tagged_total", "tagpipe_ready",
		"tagpipe_rules_info", "tagpipe_rules_reload_failures_total", "tagpipe_rules_reloads_total",
		"tagpipe_tag_duration_seconds_bucket", "tagpipe_tag_duration_seconds_count", "tagpipe_tag_duration_seconds_sum"}
	var names []string
	deadline := time.Now().Add(time.Minute)
	for {
		res, err := api.query(`count by (__name__) ({job="tagpipe", __name__=~"tagpipe_.+"})`, time.Now())
		names = names[:0]
		for _, s := range res {
			names = append(names, s.Metric["__name__"])
		}
		slices.Sort(names)
		if err == nil && len(missing(want, names)) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("tagpipe series missing after 1m: %v (have %v, %v)", missing(want, names), names, err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Logf("prometheus: %d tagpipe series names: %v", len(names), names)

	// alerts.yaml loads and evaluates.
	var rules struct {
		Groups []struct {
			Rules []struct {
				Name, Health, LastError string
			} `json:"rules"`
		} `json:"groups"`
	}
	if err := api.get("/api/v1/rules", nil, &rules); err != nil {
		t.Fatal(err)
	}
	nrules := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			nrules++
			if r.Health == "err" {
				t.Errorf("alert %s: %s", r.Name, r.LastError)
			}
		}
	}
	if nrules != 7 {
		t.Errorf("prometheus loaded %d alerting rules from alerts.yaml, want 7", nrules)
	}

	// Every panel of the dashboard returns data: a finite value in the last minutes, with the dashboard's
	// variables as Grafana would set them for this job.
	raw, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "grafana", "tagpipe.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(raw, &dash); err != nil {
		t.Fatalf("deploy/grafana/tagpipe.json: %v", err)
	}
	if len(dash.Panels) < 10 {
		t.Fatalf("dashboard has %d panels", len(dash.Panels))
	}
	vars := strings.NewReplacer("$__rate_interval", "10s", "$job", "tagpipe", "${job}", "tagpipe")
	start := time.Now()
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			expr := vars.Replace(tg.Expr)
			deadline := time.Now().Add(45 * time.Second)
			for {
				n, err := api.finite(expr, start.Add(-3*time.Minute), time.Now())
				if err == nil && n > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Errorf("panel %q: %s returned no data (%d finite points, %v)", p.Title, expr, n, err)
					break
				}
				time.Sleep(time.Second)
			}
		}
	}
	t.Logf("dashboard: %d panels checked in %s", len(dash.Panels), time.Since(start).Round(100*time.Millisecond))
	if code := run.stop(45 * time.Second); code != 0 {
		t.Errorf("tagpipe run exited %d after SIGTERM, want 0", code)
	}
}

func missing(want, have []string) []string {
	var out []string
	for _, w := range want {
		if !slices.Contains(have, w) {
			out = append(out, w)
		}
	}
	return out
}

// promAPI is a minimal client of Prometheus' HTTP API.
type promAPI struct{ base string }

type promSeries struct {
	Metric map[string]string `json:"metric"`
	Value  []any             `json:"value"`
	Values [][]any           `json:"values"`
}

func (p *promAPI) get(path string, q url.Values, data any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	u := p.base + path
	if q != nil {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var env struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return fmt.Errorf("%s: %d %s", path, resp.StatusCode, tail(string(body), 300))
	}
	if env.Status != "success" {
		return fmt.Errorf("%s: %s", path, env.Error)
	}
	return json.Unmarshal(env.Data, data)
}

func (p *promAPI) query(expr string, at time.Time) ([]promSeries, error) {
	var res struct{ Result []promSeries }
	err := p.get("/api/v1/query", url.Values{"query": {expr}, "time": {strconv.FormatInt(at.Unix(), 10)}}, &res)
	return res.Result, err
}

// finite runs expr over [from, to] at a 1 s step and returns how many finite points it gave.
func (p *promAPI) finite(expr string, from, to time.Time) (int, error) {
	var res struct{ Result []promSeries }
	err := p.get("/api/v1/query_range", url.Values{"query": {expr}, "start": {strconv.FormatInt(from.Unix(), 10)},
		"end": {strconv.FormatInt(to.Unix(), 10)}, "step": {"1"}}, &res)
	n := 0
	for _, s := range res.Result {
		for _, v := range s.Values {
			if len(v) == 2 {
				if str, ok := v[1].(string); ok {
					if f, err := strconv.ParseFloat(str, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
						n++
					}
				}
			}
		}
	}
	return n, err
}
