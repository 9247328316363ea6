package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tagpipe/tagpipe/internal/rulediff"
	"github.com/tagpipe/tagpipe/internal/samples"
	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/rules"
	"github.com/tagpipe/tagpipe/tagger"
)

// runningService is a `tagpipe run` started by a test.
type runningService struct {
	stop func() (int, string) // cancels it and returns its exit code and stderr
	http string               // its metrics address
}

func startService(ctx context.Context, t *testing.T, args ...string) *runningService {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	var code int
	var stderr string
	go func() {
		defer close(done)
		code, _, stderr = plRun(runCtx, t, "", append([]string{"run", "--http", addr, "--commit-interval", "100ms", "--rules-topic", ""}, args...)...)
	}()
	s := &runningService{http: addr}
	stopped := false
	s.stop = func() (int, string) {
		if !stopped {
			stopped = true
			cancel()
			select {
			case <-done:
			case <-time.After(40 * time.Second):
				t.Fatal("run did not stop within 40s")
			}
		}
		return code, stderr
	}
	t.Cleanup(func() { s.stop() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := s.metrics(); err == nil {
			return s
		}
		select {
		case <-done:
			t.Fatalf("run exited %d:\n%s", code, stderr)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("run's /metrics did not come up within 30s")
		}
	}
}

func (s *runningService) metrics() (string, error) {
	resp, err := http.Get("http://" + s.http + "/metrics")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("/metrics: %s", resp.Status)
	}
	return string(b), err
}

// metric returns the value of the series line that starts with series ("name" or `name{l="v"}`), or "".
func (s *runningService) metric(t *testing.T, series string) string {
	t.Helper()
	m, err := s.metrics()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(m, "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			return v
		}
	}
	return ""
}

type taggedRecord struct {
	ID     string
	Topics []struct{ Label string }
	Tagger struct {
		RulesVersion string `json:"rules_version"`
	}
}

func (r taggedRecord) labels() string {
	var ls []string
	for _, tp := range r.Topics {
		ls = append(ls, tp.Label)
	}
	slices.Sort(ls)
	return strings.Join(ls, ",")
}

// readAll reads topic from its beginning to its current end.
func readAll(ctx context.Context, t *testing.T, conn kafkaio.Conn, topic string) []kafkaio.Message {
	t.Helper()
	var out []kafkaio.Message
	err := kafkaio.Tail(ctx, conn, topic, kafkaio.TailOptions{FromBeginning: true, ToEnd: true}, func(m kafkaio.Message) error {
		out = append(out, m)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// waitTagged waits until topic holds a record of every id and returns the records by id.
func waitTagged(ctx context.Context, t *testing.T, conn kafkaio.Conn, topic string, ids []string) map[string][]taggedRecord {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		got := map[string][]taggedRecord{}
		for _, m := range readAll(ctx, t, conn, topic) {
			var r taggedRecord
			if err := json.Unmarshal(m.Value, &r); err != nil {
				t.Fatalf("%s@%d is not a tagged record: %v", topic, m.Offset, err)
			}
			got[r.ID] = append(got[r.ID], r)
		}
		missing := slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return len(got[id]) > 0 })
		if len(missing) == 0 {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s lacks records of %v after 60s", topic, missing)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func send(ctx context.Context, t *testing.T, conn kafkaio.Conn, topic string, arts ...tagger.Article) []string {
	t.Helper()
	p, err := kafkaio.NewProducer(ctx, conn, topic, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	ids, err := p.Send(ctx, arts...)
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func kafkaTest(t *testing.T) (context.Context, kafkaio.Conn, string) {
	t.Helper()
	brokers := plBrokers(t)
	for _, k := range []string{"TAGPIPE_BROKERS", "TAGPIPE_CONFIG", "TAGPIPE_RULES", "TAGPIPE_SHADOW_RULES", "TAGPIPE_HTTP_TOKEN"} {
		t.Setenv(k, "")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	t.Cleanup(cancel)
	conn := kafkaio.DefaultConn()
	conn.Brokers = []string{brokers}
	return ctx, conn, fmt.Sprintf("rl%d", time.Now().UnixNano()%1e9)
}

const reloadPack = `topics:
  - label: military
    terms:
      - missile
`

// TestRunReloadsWatchedRuleFiles: a changed rule file under a running `tagpipe run --rules DIR` changes the tags
// of the next records within 2 s, nothing lost or tagged twice; a broken file changes nothing and is reported.
func TestRunReloadsWatchedRuleFiles(t *testing.T) {
	ctx, conn, id := kafkaTest(t)
	in, out, dlq := id+".raw", id+".tagged", id+".dlq"
	if err := kafkaio.CreateTopics(ctx, conn, 3, 1, in, out, dlq); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "topics.yaml")
	write := func(src string) {
		if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	version := func() string {
		pack, err := rules.LoadPath(dir)
		if err != nil {
			t.Fatal(err)
		}
		return pack.Rules.Version()
	}
	write(reloadPack)
	v1 := version()
	svc := startService(ctx, t, "--brokers", conn.Brokers[0], "--in", in, "--out", out, "--dlq", dlq, "--group", id, "--rules", dir)

	batch := func(name string) []tagger.Article {
		return []tagger.Article{
			{ID: id + "-" + name + "-drill", Title: "Army drill", Body: "The army held a drill near the border."},
			{ID: id + "-" + name + "-missile", Title: "Missile launch", Body: "A missile was launched."},
		}
	}
	check := func(name, version, drillLabels string) {
		t.Helper()
		ids := send(ctx, t, conn, in, batch(name)...)
		got := waitTagged(ctx, t, conn, out, ids)
		for _, i := range ids {
			r := got[i][0]
			if r.Tagger.RulesVersion != version {
				t.Errorf("%s: rules_version %s, want %s", i, r.Tagger.RulesVersion, version)
			}
			if strings.HasSuffix(i, "-drill") && r.labels() != drillLabels {
				t.Errorf("%s: labels %q, want %q", i, r.labels(), drillLabels)
			}
		}
	}
	check("a", v1, "")

	// Edit: the new rules serve within 2 s of the write.
	write(reloadPack + "      - drill\n")
	v2 := version()
	start := time.Now()
	for svc.metric(t, `tagpipe_rules_info{version="`+v2+`"}`) != "1" {
		if time.Since(start) > 2*time.Second {
			t.Fatalf("rules %s not in use 2s after the write", v2)
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("reload latency (write to new rules in use): %s", time.Since(start).Round(time.Millisecond))
	check("b", v2, "military")

	// Break: nothing changes, the failure is counted and logged with its position.
	write(reloadPack + "      - drill\n      - [oops\n")
	start = time.Now()
	for svc.metric(t, "tagpipe_rules_reload_failures_total") != "1" {
		if time.Since(start) > 2*time.Second {
			t.Fatal("the broken pack was not counted within 2s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if v := svc.metric(t, "tagpipe_rules_last_reload_success"); v != "0" {
		t.Errorf("tagpipe_rules_last_reload_success = %q after a broken pack, want 0", v)
	}
	check("c", v2, "military")

	code, stderr := svc.stop()
	if code != 0 {
		t.Fatalf("run exited %d:\n%s", code, stderr)
	}
	if !regexp.MustCompile(regexp.QuoteMeta(file) + `:\d+:\d+`).MatchString(stderr) {
		t.Errorf("the log lacks the broken file's file:line:col:\n%s", stderr)
	}
	// Nothing lost or tagged twice, nothing dead-lettered.
	all := waitTagged(ctx, t, conn, out, nil)
	if len(all) != 6 {
		t.Errorf("%d distinct records, want 6", len(all))
	}
	for i, rs := range all {
		if len(rs) != 1 {
			t.Errorf("%s tagged %d times", i, len(rs))
		}
	}
	if d := readAll(ctx, t, conn, dlq); len(d) != 0 {
		t.Errorf("%d dead letters", len(d))
	}
}

// TestShadowRunMatchesRulesDiff: a shadow run publishes exactly the differences a `rules diff` over the same
// records finds, and what goes to --out is the main rules' only.
func TestShadowRunMatchesRulesDiff(t *testing.T) {
	ctx, conn, id := kafkaTest(t)
	in, out, dlq, shadow := id+".raw", id+".tagged", id+".dlq", id+".shadow"
	if err := kafkaio.CreateTopics(ctx, conn, 3, 1, in, out, dlq, shadow); err != nil {
		t.Fatal(err)
	}
	// The candidate: the embedded pack without its places gazetteer, and its first topic's threshold raised.
	cand := filepath.Join(t.TempDir(), "cand")
	if code, _, errOut := plRun(ctx, t, "", "rules", "init", cand); code != 0 {
		t.Fatalf("rules init: %s", errOut)
	}
	for _, f := range []string{"entities-places.yaml", "examples.yaml"} {
		if err := os.Remove(filepath.Join(cand, f)); err != nil {
			t.Fatal(err)
		}
	}
	topics := filepath.Join(cand, "topics.yaml")
	src, err := os.ReadFile(topics)
	if err != nil {
		t.Fatal(err)
	}
	weak := bytes.Replace(src, []byte("    threshold: 2\n"), []byte("    threshold: 9\n"), 1)
	if bytes.Equal(weak, src) {
		t.Fatal("topics.yaml has no threshold 2 to raise")
	}
	if err := os.WriteFile(topics, weak, 0o600); err != nil {
		t.Fatal(err)
	}

	var arts []tagger.Article
	if err := tagger.ReadArticles(bytes.NewReader(samples.JSONL()), tagger.FormatJSONL, func(a tagger.Article, err error) error {
		arts = append(arts, tagger.Article{ID: id + "-" + a.ID, Title: a.Title, Body: a.Body})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	corpus := filepath.Join(t.TempDir(), "corpus.jsonl")
	var jsonl bytes.Buffer
	for _, a := range arts {
		b, err := json.Marshal(map[string]string{"id": a.ID, "title": a.Title, "body": a.Body})
		if err != nil {
			t.Fatal(err)
		}
		jsonl.Write(append(b, '\n'))
	}
	if err := os.WriteFile(corpus, jsonl.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}

	svc := startService(ctx, t, "--brokers", conn.Brokers[0], "--in", in, "--out", out, "--dlq", dlq, "--group", id,
		"--shadow-rules", cand, "--shadow-topic", shadow)
	ids := send(ctx, t, conn, in, arts...)
	tagged := waitTagged(ctx, t, conn, out, ids)
	def, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range ids {
		if len(tagged[i]) != 1 || tagged[i][0].Tagger.RulesVersion != def.Version() {
			t.Errorf("%s: %d records on --out, rules %v; want one, by the main rules %s", i, len(tagged[i]), tagged[i], def.Version())
		}
	}
	if v := svc.metric(t, "tagpipe_shadow_records_total"); v != fmt.Sprint(len(arts)) {
		t.Errorf("tagpipe_shadow_records_total = %q, want %d", v, len(arts))
	}
	if code, stderr := svc.stop(); code != 0 {
		t.Fatalf("run exited %d:\n%s", code, stderr)
	}

	diff := func(args ...string) *rulediff.Report {
		t.Helper()
		code, stdout, errOut := plRun(ctx, t, "", append([]string{"rules", "diff", "--format", "json"}, args...)...)
		if code != 0 {
			t.Fatalf("rules diff %v: exit %d\n%s", args, code, errOut)
		}
		var r rulediff.Report
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatalf("rules diff %v: %v\n%s", args, err, stdout)
		}
		slices.SortFunc(r.Changes, func(a, b rulediff.Change) int { return strings.Compare(a.ID, b.ID) })
		return &r
	}
	fromShadow := diff("--from-topic", shadow, "--brokers", conn.Brokers[0])
	fromCorpus := diff("--new", cand, corpus)
	if fromCorpus.Changed == 0 {
		t.Fatalf("the candidate changes nothing in the corpus: the test proves nothing (%+v)", fromCorpus)
	}
	t.Logf("%d of %d articles differ", fromCorpus.Changed, fromCorpus.Articles)
	if fromShadow.Changed != fromCorpus.Changed || fromShadow.Articles != fromCorpus.Changed {
		t.Errorf("shadow: %d changed of %d; corpus diff: %d changed", fromShadow.Changed, fromShadow.Articles, fromCorpus.Changed)
	}
	for name, pair := range map[string][2]any{
		"changes":  {fromShadow.Changes, fromCorpus.Changes},
		"labels":   {fromShadow.Labels, fromCorpus.Labels},
		"entities": {fromShadow.Entities, fromCorpus.Entities},
		"versions": {[]string{fromShadow.OldVersion, fromShadow.NewVersion}, []string{fromCorpus.OldVersion, fromCorpus.NewVersion}},
	} {
		a, _ := json.Marshal(pair[0])
		b, _ := json.Marshal(pair[1])
		if !bytes.Equal(a, b) {
			t.Errorf("%s differ:\nshadow %s\ncorpus %s", name, a, b)
		}
	}
}
