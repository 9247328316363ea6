package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/tagger"
)

func TestKafkaCommandsUsageErrors(t *testing.T) {
	for _, k := range []string{"TAGPIPE_BROKERS", "TAGPIPE_WORKERS", "TAGPIPE_CONFIG"} {
		t.Setenv(k, "")
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("in: a\nworkerz: 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"run invalid value", []string{"run", "--workers", "0", "--brokers", "h:1"}, "workers 0: must be at least 1"},
		{"run unknown config key", []string{"run", "--config", bad}, "bad.yaml:2:1: field workerz not found"},
		{"run public http without token", []string{"run", "--brokers", "h:1", "--http", "0.0.0.0:9464"}, "requires http-token"},
		{"run args", []string{"run", "extra"}, "takes no arguments"},
		{"ingest without brokers", []string{"ingest", "--topic", "x"}, "--brokers (or TAGPIPE_BROKERS) is required"},
		{"ingest bad format", []string{"ingest", "--brokers", "h:1", "--format", "csv"}, "--format must be"},
		{"consume bad output", []string{"consume", "--brokers", "h:1", "--output", "xml"}, "--output must be jsonl or table"},
		{"consume bad score", []string{"consume", "--brokers", "h:1", "--min-score", "2"}, "--min-score"},
		{"sasl without password", []string{"consume", "--brokers", "h:1", "--sasl-mechanism", "PLAIN", "--sasl-username", "u"}, "needs a password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := plRun(context.Background(), t, "", tt.args...)
			if code != exitUsage || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, errOut, exitUsage, tt.want)
			}
		})
	}
}

func TestRunHelpDocumentsEnvironment(t *testing.T) {
	code, out, _ := plRun(context.Background(), t, "", "run", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"TAGPIPE_BROKERS", "TAGPIPE_IN", "TAGPIPE_SASL_PASSWORD", "TAGPIPE_HTTP_TOKEN", "--shutdown-timeout", "--route-prefix",
		"--shadow-rules", "--shadow-topic", "TAGPIPE_SHADOW_RULES", "file:line:col", "ConfigMap", "tagpipe_shadow_differences_total"} {
		if !strings.Contains(out, want) {
			t.Errorf("run --help lacks %s", want)
		}
	}
}

// plBrokers returns real brokers from TAGPIPE_KAFKA_BROKERS or an embedded broker.
func plBrokers(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("Kafka integration test skipped in -short mode")
	}
	if b := os.Getenv("TAGPIPE_KAFKA_BROKERS"); b != "" {
		return b
	}
	e, err := kafkaio.StartEmbedded(0, 3)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e.Brokers()[0]
}

func TestIngestRunConsumeCommands(t *testing.T) {
	brokers := plBrokers(t)
	t.Setenv("TAGPIPE_BROKERS", "")
	id := fmt.Sprintf("cli%d", time.Now().UnixNano()%1e9)
	in, out, dlq := id+".raw", id+".tagged", id+".dlq"
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	conn := kafkaio.DefaultConn()
	conn.Brokers = []string{brokers}
	if err := kafkaio.CreateTopics(ctx, conn, 3, 1, in, out, dlq); err != nil {
		t.Fatal(err)
	}

	jsonl := `{"id":"c1","title":"North Korea fires two ballistic missiles","body":"The missiles were launched from Pyongyang, the military in Seoul said."}
{"id":"c2","title":
{"id":"c3","title":"Activists send leaflets by balloon across the border","body":"A civic group in South Korea launched propaganda leaflets toward North Korea."}
`
	code, _, errOut := plRun(ctx, t, jsonl, "ingest", "--brokers", brokers, "--topic", in)
	if code != exitFailure || !strings.Contains(errOut, "line 2") || !strings.Contains(errOut, "sent 2 article(s)") {
		t.Fatalf("ingest with a bad line: exit %d, stderr %q; want exit 1, the line number and 2 sent", code, errOut)
	}
	code, _, errOut = plRun(ctx, t, "Russia and North Korea hold talks\nThe foreign ministers met in Moscow.\n",
		"ingest", "--brokers", brokers, "--topic", in, "--format", "text", "--skip-invalid")
	if code != 0 || !strings.Contains(errOut, "sent 1 article(s)") {
		t.Fatalf("ingest text: exit %d, stderr %q", code, errOut)
	}

	runCtx, stopRun := context.WithCancel(ctx)
	runDone := make(chan int, 1)
	var runErr strings.Builder
	go func() {
		code, _, errOut := plRun(runCtx, t, "", "run", "--brokers", brokers, "--in", in, "--out", out, "--dlq", dlq,
			"--group", id, "--rules-topic", "", "--commit-interval", "100ms", "--log-level", "warn")
		runErr.WriteString(errOut)
		runDone <- code
	}()

	code, stdout, errOut := plRun(ctx, t, "", "consume", "--brokers", brokers, "--topic", out, "--from-beginning",
		"--max", "3", "--timeout", "30s")
	if code != 0 {
		t.Fatalf("consume: exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 3 {
		t.Fatalf("consume printed %d lines, want 3:\n%s", len(lines), stdout)
	}
	seen := map[string]bool{}
	for _, l := range lines {
		var rec struct {
			ID     string
			Topics []struct{ Label string }
		}
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("consume line is not JSON: %q", l)
		}
		seen[rec.ID] = true
	}
	if !seen["c1"] || !seen["c3"] || len(seen) != 3 {
		t.Errorf("consumed ids %v, want c1, c3 and the content id of the text article", seen)
	}

	code, stdout, _ = plRun(ctx, t, "", "consume", "--brokers", brokers, "--topic", out, "--from-beginning",
		"--label", "leaflets", "--output", "table", "--timeout", "2s")
	if code != 0 || !strings.Contains(stdout, "ID") || !strings.Contains(stdout, "c3") || strings.Contains(stdout, "c1 ") {
		t.Errorf("consume --label leaflets --output table: exit %d\n%s", code, stdout)
	}

	stopRun()
	select {
	case code := <-runDone:
		if code != 0 {
			t.Errorf("run exited %d after SIGINT-like cancel; stderr:\n%s", code, runErr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop within 30s")
	}
}

func TestIngestMapsFields(t *testing.T) {
	brokers := plBrokers(t)
	t.Setenv("TAGPIPE_BROKERS", "")
	topic := fmt.Sprintf("cli%d.mapped", time.Now().UnixNano()%1e9)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn := kafkaio.DefaultConn()
	conn.Brokers = []string{brokers}
	if err := kafkaio.CreateTopics(ctx, conn, 1, 1, topic); err != nil {
		t.Fatal(err)
	}
	feed := `{"headline":"North Korea fires missiles","content":"<p>Seoul said so.</p>","meta":{"guid":"g-1"}}
{"headline":["wrong"],"meta":{"guid":"g-2"}}
`
	code, _, errOut := plRun(ctx, t, feed, "ingest", "--brokers", brokers, "--topic", topic,
		"--field", "id=/meta/guid", "--field", "title=/headline", "--field", "body=/content")
	if code != exitFailure || !strings.Contains(errOut, `line 2`) || !strings.Contains(errOut, `"/headline"`) || !strings.Contains(errOut, "sent 1 article(s)") {
		t.Fatalf("ingest --field: exit %d, stderr %q; want line 2 refused naming the pointer, 1 sent", code, errOut)
	}
	var got []kafkaio.Message
	err := kafkaio.Tail(ctx, conn, topic, kafkaio.TailOptions{FromBeginning: true, Idle: 3 * time.Second}, func(m kafkaio.Message) error {
		got = append(got, m)
		return kafkaio.ErrStop
	})
	if err != nil || len(got) != 1 {
		t.Fatalf("read %d records: %v", len(got), err)
	}
	a, err := tagger.DecodeArticle(got[0].Value)
	if err != nil || string(got[0].Key) != "g-1" || a.ID != "g-1" || a.Title != "North Korea fires missiles" || a.Body != "<p>Seoul said so.</p>" {
		t.Errorf("produced key %q: %+v (%v); want the mapped fields, the body as received", got[0].Key, a, err)
	}
	if _, ok := a.Field("headline"); !ok {
		t.Errorf("the input object is not produced whole: %s", got[0].Value)
	}
}
