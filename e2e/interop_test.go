package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"slices"
	"strconv"
	"testing"
	"time"
)

// consumerPy reads a topic from the beginning with confluent-kafka until it holds argv[3] distinct keys or a
// minute passes, and prints {"ids": [...], "bad": [...]}: the keys, and the records that are not tagged
// records (a JSON object whose id is the key, with topics and entities lists and a tagger object).
const consumerPy = `
import json, sys, time, uuid
from confluent_kafka import Consumer
brokers, topic, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = Consumer({"bootstrap.servers": brokers, "group.id": "e2e-interop-" + uuid.uuid4().hex,
              "auto.offset.reset": "earliest", "enable.auto.commit": False})
c.subscribe([topic])
ids, bad = set(), []
deadline = time.time() + 60
while len(ids) < want and time.time() < deadline:
    m = c.poll(0.5)
    if m is None:
        continue
    if m.error():
        raise SystemExit("consume error: %s" % m.error())
    key = (m.key() or b"").decode("utf-8", "replace")
    ids.add(key)
    try:
        rec = json.loads(m.value())
        ok = (isinstance(rec, dict) and rec.get("id") == key and isinstance(rec.get("topics"), list)
              and isinstance(rec.get("entities"), list) and isinstance(rec.get("tagger"), dict))
    except ValueError:
        ok = False
    if not ok:
        bad.append(key)
c.close()
print(json.dumps({"ids": sorted(ids), "bad": bad}))
`

// TestInteropKcatConfluent has third-party clients on both sides of tagpipe: kcat (librdkafka) produces 50
// raw articles to the input topic, `tagpipe run` tags them, and a Python confluent-kafka consumer reads the
// tagged topic and checks every id and that each value is a tagged record.
func TestInteropKcatConfluent(t *testing.T) {
	brokers := sharedBrokers(t)
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		if kcat, err = exec.LookPath("kafkacat"); err != nil {
			t.Skip("kcat not installed (Debian package kcat; `make setup` installs it)")
		}
	}
	if err := exec.Command("python3", "-c", "import confluent_kafka").Run(); err != nil {
		t.Skip("Python confluent-kafka not importable (`make setup` installs it)")
	}
	a := newAdmin(t, brokers)
	tp := newTopics(t, a, 3)
	const n = 50
	msgs, ids := articles(17, n, 600)
	var in bytes.Buffer
	for _, m := range msgs {
		in.Write(m.Key)
		in.WriteByte('\t')
		in.Write(m.Value)
		in.WriteByte('\n')
	}

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	prod := exec.CommandContext(ctx, kcat, "-P", "-b", brokers, "-t", tp.in, "-K", "\t", "-X", "acks=all")
	prod.Stdin = &in
	if out, err := prod.CombinedOutput(); err != nil {
		t.Fatalf("kcat -P: %v\n%s", err, out)
	}

	run := startTagpipe(t, "tagpipe run", nil, tp.run(brokers)...)
	a.waitCommitted(t, run, tp.group, tp.in, 2*time.Minute)
	if code := run.stop(45 * time.Second); code != 0 {
		t.Errorf("tagpipe run exited %d after SIGTERM, want 0", code)
	}

	cons := exec.CommandContext(ctx, "python3", "-c", consumerPy, brokers, tp.out, strconv.Itoa(n))
	var stderr bytes.Buffer
	cons.Stderr = &stderr
	out, err := cons.Output()
	if err != nil {
		t.Fatalf("confluent-kafka consumer: %v\n%s", err, stderr.String())
	}
	var got struct {
		IDs []string `json:"ids"`
		Bad []string `json:"bad"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("consumer output %q: %v", out, err)
	}
	want := slices.Clone(ids)
	slices.Sort(want)
	if !slices.Equal(got.IDs, want) {
		t.Errorf("confluent-kafka read %d ids, want the %d kcat produced; got %v", len(got.IDs), len(want), got.IDs)
	}
	if len(got.Bad) > 0 {
		t.Errorf("records that are not tagged records: %v", got.Bad)
	}
	res := countOutputs(ids, a.readAll(t, tp.out), a.readAll(t, tp.dlq))
	res.check(t, "interop", "producer=kcat", "consumer=confluent-kafka")
}
