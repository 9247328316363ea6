package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/segmentio/kafka-go"

	"github.com/tagpipe/tagpipe/pipeline"
	"github.com/tagpipe/tagpipe/tagger"
)

// poison is one bad input record and what must become of it.
type poison struct {
	name  string
	value []byte // nil: a tombstone
	want  string // "tagged", "dlq" or "either"
	// reason is the start of the dead letter's tagpipe-error header, when want is "dlq".
	reason string
	// check, if set, checks the tagged record.
	check func(t *testing.T, rec *tagger.Record, raw []byte)
}

// poisonRecords returns the bad records of the issue plus a few more. Each is keyed by its name, except the
// article without id, whose key is its content id (what the tagged record will carry).
func poisonRecords() []poison {
	garbage := make([]byte, 4096)
	r := rand.New(rand.NewPCG(7, 7))
	for i := range garbage {
		garbage[i] = byte(r.UintN(256))
	}
	garbage[0] = 0x8f // not the start of any JSON value
	sentence := "Kim Jong-un met Vladimir Putin in Pyongyang and Moscow. "
	dense := strings.Repeat(sentence, 900_000/len(sentence)) // ~900 KB, four entity mentions per sentence
	jsonStr := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	return []poison{
		{name: "invalid-json", value: []byte(`{"id":"invalid-json","title":"Pyongyang says`), want: "dlq", reason: "decode: "},
		{name: "wrong-types", value: []byte(`{"id":"wrong-types","title":42,"body":["Seoul"]}`), want: "dlq", reason: "decode: "},
		{name: "not-an-object", value: []byte(`["id","not-an-object"]`), want: "dlq", reason: "decode: "},
		{name: "json-null", value: []byte(`null`), want: "dlq", reason: "decode: "},
		{name: "empty-value", value: []byte{}, want: "dlq", reason: pipeline.ReasonEmpty},
		{name: "tombstone", value: nil, want: "dlq", reason: pipeline.ReasonEmpty},
		{name: "binary-garbage", value: garbage, want: "dlq", reason: "decode: "},
		{name: "deep-nesting", value: []byte(`{"id":"deep-nesting","title":"x","extra":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`),
			want: "either"},
		{name: "missing-id", value: []byte(`{"title":"Missing id: Moscow and Pyongyang sign a treaty","body":"The two governments signed it in the Kremlin."}`),
			want: "tagged"},
		{name: "numeric-id", value: []byte(`{"id":12345,"title":"Numeric id from Seoul","body":"Officials in Seoul spoke."}`),
			want: "tagged"},
		{name: "invalid-utf8", value: []byte("{\"id\":\"invalid-utf8\",\"title\":\"Pyongyang \xff\xfe statement\",\"body\":\"Seoul \xc3\x28 replied.\"}"),
			want: "tagged", check: func(t *testing.T, rec *tagger.Record, raw []byte) {
				if !utf8.Valid(raw) || !strings.Contains(rec.Article.Title, "\uFFFD") {
					t.Errorf("invalid-utf8: tagged record not repaired: title %q", rec.Article.Title)
				}
			}},
		{name: "body-900kb", value: []byte(`{"id":"body-900kb","title":"A long summit transcript","body":` + jsonStr(dense) + `}`),
			want: "either", reason: pipeline.ReasonTooLarge, check: func(t *testing.T, rec *tagger.Record, raw []byte) {
				if len(raw) > 1_000_000 {
					t.Errorf("body-900kb: tagged record is %d bytes, over the 1,000,000 limit", len(raw))
				}
				if _, ok := rec.Article.Field(tagger.TrimmedMember); !ok {
					t.Errorf("body-900kb: tagged record lacks %s", tagger.TrimmedMember)
				}
			}},
	}
}

// TestPoisonInput sends every kind of bad record between good ones and checks that each is tagged (after
// repair) or dead-lettered with its reason, that the good records keep flowing and that the instance never
// exits because of input.
func TestPoisonInput(t *testing.T) {
	testPoison(t, "poison", poisonRecords())
}

// TestPoisonOverMaxMessageBytes sends an article bigger than max-message-bytes (1,000,000) yet under the
// broker's limit (1,048,588): not even the article fits in a tagged record, so it must be dead-lettered, and
// its dead letter (the original value) is itself over max-message-bytes. The instance must not stop.
func TestPoisonOverMaxMessageBytes(t *testing.T) {
	body, _ := json.Marshal(strings.Repeat("Seoul. ", 1_010_000/7))
	testPoison(t, "poison-over-max", []poison{{name: "body-1010kb",
		value: []byte(`{"id":"body-1010kb","title":"Too long","body":` + string(body) + `}`),
		want:  "dlq", reason: pipeline.ReasonTooLarge}})
}

// testPoison runs cases between 600 good records through `tagpipe run` and checks what became of each.
func testPoison(t *testing.T, fault string, cases []poison) {
	brokers := sharedBrokers(t)
	a := newAdmin(t, brokers)
	tp := newTopics(t, a, 3)

	good, ids := articles(13, 600, 800)
	keyOf := map[string]string{} // expected output id -> case name
	var msgs []kafka.Message
	msgs = append(msgs, good[:300]...)
	for _, c := range cases {
		key := c.name
		if c.name == "missing-id" {
			a, err := tagger.DecodeArticle(c.value)
			if err != nil {
				t.Fatal(err)
			}
			key = tagger.ContentID(a)
		}
		if c.name == "numeric-id" {
			key = "12345"
		}
		keyOf[key] = c.name
		ids = append(ids, key)
		msgs = append(msgs, kafka.Message{Key: []byte(key), Value: c.value})
	}
	msgs = append(msgs, good[300:]...)
	a.produce(t, tp.in, msgs)

	run := startTagpipe(t, "tagpipe run", nil, tp.run(brokers)...)
	a.waitCommitted(t, run, tp.group, tp.in, 3*time.Minute)
	if !run.running() {
		t.Fatalf("tagpipe run exited (code %d) on poison input", run.code)
	}
	if code := run.stop(45 * time.Second); code != 0 {
		t.Errorf("tagpipe run exited %d after SIGTERM, want 0", code)
	}

	tagged, dlq := a.readAll(t, tp.out), a.readAll(t, tp.dlq)
	res := countOutputs(ids, tagged, dlq)
	res.check(t, fault, fmt.Sprintf("poison_kinds=%d", len(cases)))

	outcome := map[string][]string{} // case name -> what became of it
	for _, m := range tagged {
		name, ok := keyOf[string(m.Key)]
		if !ok {
			continue
		}
		outcome[name] = append(outcome[name], "tagged")
		for _, c := range cases {
			if c.name == name && c.check != nil {
				var rec tagger.Record
				if err := rec.UnmarshalJSON(m.Value); err != nil {
					t.Errorf("%s: %v", name, err)
					continue
				}
				c.check(t, &rec, m.Value)
			}
		}
	}
	for _, m := range dlq {
		name, ok := keyOf[string(m.Key)]
		if !ok {
			continue
		}
		reason := headerValue(m, pipeline.HeaderError)
		outcome[name] = append(outcome[name], "dlq: "+reason)
		for _, c := range cases {
			if c.name != name {
				continue
			}
			if c.reason != "" && !strings.HasPrefix(reason, c.reason) {
				t.Errorf("%s: dead letter reason %q, want it to start with %q", name, reason, c.reason)
			}
			if !bytes.Equal(m.Value, c.value) {
				t.Errorf("%s: dead letter value differs from the input (%d bytes, want %d)", name, len(m.Value), len(c.value))
			}
			if headerValue(m, pipeline.HeaderSourceTopic) != tp.in || headerValue(m, pipeline.HeaderSourceOffset) == "" {
				t.Errorf("%s: dead letter lacks its source (topic %q, offset %q)", name, headerValue(m, pipeline.HeaderSourceTopic), headerValue(m, pipeline.HeaderSourceOffset))
			}
		}
	}
	for _, c := range cases {
		got := outcome[c.name]
		t.Logf("poison %-15s -> %s", c.name, strings.Join(got, "; "))
		if len(got) == 0 {
			continue // counted as lost above
		}
		kind := strings.SplitN(got[0], ":", 2)[0]
		if c.want != "either" && kind != c.want {
			t.Errorf("%s: %s, want %s", c.name, got[0], c.want)
		}
	}
	if res.tagged < 600 {
		t.Errorf("only %d of the 600 good records were tagged", res.tagged)
	}
}
