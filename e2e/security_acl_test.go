package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/tagpipe/tagpipe/rules"
)

// aclPasswords are the SCRAM-SHA-512 passwords of the ACL broker's users, made for this run.
var aclPasswords = map[string]string{}

// aclEnv is a single broker with the StandardAuthorizer (nothing allowed without an ACL), a SASL_SSL
// listener and the SCRAM users tagpipe, analyst, reader and admin (a super user).
func aclEnv(string) ([]string, error) {
	ps, err := pickPorts(3)
	if err != nil {
		return nil, err
	}
	var extra []string
	for _, u := range []string{"tagpipe", "analyst", "reader", "admin"} {
		aclPasswords[u] = randomToken(12)
		if u != "tagpipe" {
			extra = append(extra, u+"="+aclPasswords[u])
		}
	}
	return []string{"KAFKA_PORT=" + strconv.Itoa(ps[0]), "KAFKA_CONTROLLER_PORT=" + strconv.Itoa(ps[1]),
		"KAFKA_SASL_PORT=" + strconv.Itoa(ps[2]), "KAFKA_SECURITY=sasl_ssl", "KAFKA_AUTHORIZER=standard",
		"KAFKA_SUPER_USERS=admin", "KAFKA_SCRAM_USER=tagpipe", "KAFKA_SCRAM_PASSWORD=" + aclPasswords["tagpipe"],
		"KAFKA_EXTRA_SCRAM_USERS=" + strings.Join(extra, " "),
		"KAFKA_HEAP_OPTS=-Xms128m -Xmx384m", "KAFKA_NUM_PARTITIONS=3", "KAFKA_START_TIMEOUT=180"}, nil
}

// TestACL runs tagpipe against a broker that allows nothing without an ACL, with the ACLs of
// deploy/kafka/acls.sh (the kafka-acls commands of deploy/kafka/README.md): each user can do its job, and
// each thing it must not do is refused with an error that names the topic.
func TestACL(t *testing.T) {
	k := aclKafka.use(t)
	a := newAdmin(t, k.Brokers) // PLAINTEXT: the nodes' own listener (super user), setup and checks only
	ca := filepath.Join(k.dir, "tls", "ca.pem")
	as := func(user string) ([]string, []string) {
		return []string{"--brokers", k.SASL, "--sasl-mechanism", "SCRAM-SHA-512", "--sasl-username", user, "--tls", "--tls-ca", ca},
			[]string{"TAGPIPE_SASL_PASSWORD=" + aclPasswords[user]}
	}

	// The production names: this broker is the test's own.
	const in, out, dlq, rulesTopic, route, group = "articles.raw", "articles.tagged", "articles.dlq", "tagpipe.rules", "tagged.", "tagpipe"
	rs, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, topic := range []string{in, out, dlq, "articles.dlq.locked"} {
		a.createTopic(t, topic, 3)
	}
	a.createTopic(t, rulesTopic, 1)
	for _, label := range rs.Labels() {
		a.createTopic(t, route+label, 1)
	}
	acls := exec.Command(filepath.Join(repoRoot, "deploy", "kafka", "acls.sh"))
	acls.Env = append(os.Environ(), "KAFKA_WORKDIR="+k.dir, "KAFKA_ACLS="+filepath.Join(repoRoot, "deploy", "kafka", "local.sh")+" acls")
	t0 := time.Now()
	if b, err := acls.CombinedOutput(); err != nil {
		t.Fatalf("deploy/kafka/acls.sh: %v\n%s", err, b)
	}
	t.Logf("acls.sh took %s", time.Since(t0).Round(100*time.Millisecond))
	// Describe without Write on a second DLQ, for the refusal below.
	if _, err := k.run(time.Minute, "acls", "--add", "--allow-principal", "User:tagpipe", "--operation", "Describe",
		"--operation", "DescribeConfigs", "--topic", "articles.dlq.locked"); err != nil {
		t.Fatal(err)
	}

	// What each user needs works.
	const n = 100
	msgs, ids := articles(31, n, 600)
	msgs = append(msgs, kafka.Message{Key: []byte("acl-poison"), Value: []byte(`{"id":"acl-poison","title":`)})
	ids = append(ids, "acl-poison")
	a.produce(t, in, msgs)

	args, env := as("analyst")
	code, stdout, stderr := runTagpipe(t, 2*time.Minute, nil, env, append([]string{"rules", "publish", "--topic", rulesTopic}, append(args, filepath.Join(repoRoot, "rules", "pack"))...)...)
	if code != 0 {
		t.Fatalf("rules publish as analyst: exit %d\n%s%s", code, stdout, stderr)
	}

	args, env = as("tagpipe")
	run := startTagpipe(t, "tagpipe run as tagpipe", env, append([]string{"run", "--in", in, "--out", out, "--dlq", dlq, "--group", group,
		"--rules-topic", rulesTopic, "--route-prefix", route, "--log-format", "json"}, args...)...)
	a.waitCommitted(t, run, group, in, 2*time.Minute)
	if code := run.stop(45 * time.Second); code != 0 {
		t.Errorf("tagpipe run as tagpipe exited %d after SIGTERM, want 0", code)
	}
	res := countOutputs(ids, a.readAll(t, out), a.readAll(t, dlq))
	res.check(t, "acl", "users=tagpipe,analyst,reader authorizer=StandardAuthorizer")
	if res.dlq != 1 {
		t.Errorf("dead-lettered ids = %d, want 1 (the poison record)", res.dlq)
	}
	var routed int64
	for _, label := range rs.Labels() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		c, err := a.count(ctx, route+label)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		routed += c
	}
	if routed == 0 {
		t.Errorf("no record in any %s* route topic", route)
	}

	args, env = as("reader")
	code, stdout, stderr = runTagpipe(t, 2*time.Minute, nil, env, append([]string{"consume", "--topic", out, "--from-beginning",
		"--timeout", "5s", "--max", strconv.Itoa(n)}, args...)...)
	if code != 0 || strings.Count(stdout, "\n") != n {
		t.Errorf("consume as reader: exit %d, %d lines, want %d\n%s", code, strings.Count(stdout, "\n"), n, tail(stderr, 2000))
	}

	// And nothing else: each refusal must name the topic (or group) and the operation the user lacks, in the
	// words of an ACL (kafkaio.AccessError).
	poison := []kafka.Message{{Key: []byte("acl-poison-2"), Value: []byte("not json")}}
	hidden := func(topic string) string {
		return "topic " + topic + " does not exist or this user may not Describe it (Kafka error 3 UNKNOWN_TOPIC_OR_PARTITION)"
	}
	refused := func(op, topic string) string {
		return "not authorized to " + op + " topic " + topic + " (Kafka error 29 TOPIC_AUTHORIZATION_FAILED)"
	}
	for _, tc := range []struct {
		name, user, want string
		args             []string
		before           func()
	}{
		{name: "run without Write on the DLQ", user: "tagpipe", want: refused("Write", "articles.dlq.locked"),
			args:   []string{"run", "--in", in, "--out", out, "--dlq", "articles.dlq.locked", "--group", group, "--rules-topic", ""},
			before: func() { a.produce(t, in, poison) }},
		{name: "run in a group without an ACL", user: "tagpipe", want: "not authorized to Read group other-group (Kafka error 30 GROUP_AUTHORIZATION_FAILED)",
			args: []string{"run", "--in", in, "--out", out, "--dlq", dlq, "--group", "other-group", "--rules-topic", ""}},
		{name: "rules publish as tagpipe", user: "tagpipe", want: refused("Write", rulesTopic),
			args: []string{"rules", "publish", "--topic", rulesTopic, filepath.Join(repoRoot, "rules", "pack")}},
		{name: "consume the output as tagpipe (Write, no Read)", user: "tagpipe", want: refused("Read", out),
			args: []string{"consume", "--topic", out, "--from-beginning", "--timeout", "5s"}},
		{name: "consume the DLQ as reader (no ACL)", user: "reader", want: hidden(dlq),
			args: []string{"consume", "--topic", dlq, "--from-beginning", "--timeout", "5s"}},
		{name: "consume the output as analyst", user: "analyst", want: hidden(out),
			args: []string{"consume", "--topic", out, "--from-beginning", "--timeout", "5s"}},
		{name: "ingest into the output as reader", user: "reader", want: refused("Write", out),
			args: []string{"ingest", "--topic", out}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.before != nil {
				tc.before()
			}
			args, env := as(tc.user)
			var stdin []byte
			if tc.args[0] == "ingest" {
				stdin = append(bytes.Clone(msgs[0].Value), '\n')
			}
			t0 := time.Now()
			code, stdout, stderr := runTagpipe(t, 90*time.Second, stdin, env, append(tc.args, args...)...)
			msg := exitMessage(stderr)
			t.Logf("%s: exit %d after %s: %s", tc.name, code, time.Since(t0).Round(100*time.Millisecond), msg)
			if code == 0 {
				t.Fatalf("exit 0, want a refusal\nstdout: %s\nstderr: %s", tail(stdout, 1000), tail(stderr, 2000))
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("the error does not say %q: %q", tc.want, msg)
			}
			if strings.Contains(stdout+stderr, aclPasswords[tc.user]) {
				t.Errorf("the password of %s appears in the output", tc.user)
			}
		})
	}
}
