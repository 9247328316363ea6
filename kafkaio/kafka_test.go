package kafkaio

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tagpipe/tagpipe/tagger"
)

// testConn returns a connection to the real brokers of TAGPIPE_KAFKA_BROKERS, or to an embedded broker.
func testConn(t *testing.T) Conn {
	t.Helper()
	if testing.Short() {
		t.Skip("skipping Kafka integration test in -short mode")
	}
	c := DefaultConn()
	if b := os.Getenv("TAGPIPE_KAFKA_BROKERS"); b != "" {
		c.Brokers = strings.Split(b, ",")
		return c
	}
	e, err := StartEmbedded(0, 3)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	c.Brokers = e.Brokers()
	return c
}

var seq atomic.Int64

func uniqueTopic(name string) string {
	return fmt.Sprintf("kafkaio-%d-%d.%s", time.Now().UnixNano()%1e9, seq.Add(1), name)
}

func TestProducerTailRoundTrip(t *testing.T) {
	c := testConn(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	topic := uniqueTopic("articles")
	if err := CreateTopics(ctx, c, 3, 1, topic); err != nil {
		t.Fatal(err)
	}
	defer DeleteTopics(context.WithoutCancel(ctx), c, topic)
	p, err := NewProducer(ctx, c, topic, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := p.Send(ctx, tagger.Article{ID: "a1", Title: "T1", Body: "B1"}, tagger.Article{Title: "no id", Body: "B2"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SendRaw(ctx, Message{Key: []byte("raw"), Value: []byte("not json"), Headers: map[string]string{"h": "v"}}); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if ids[0] != "a1" || ids[1] != tagger.ContentID(tagger.Article{Title: "no id", Body: "B2"}) {
		t.Errorf("ids = %v, want a1 and the content id", ids)
	}
	got := map[string]Message{}
	err = Tail(ctx, c, topic, TailOptions{FromBeginning: true}, func(m Message) error {
		got[string(m.Key)] = m
		if len(got) == 3 {
			return ErrStop
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := tagger.DecodeArticle(got["a1"].Value)
	if err != nil || a.Title != "T1" || got["a1"].Headers[HeaderContentType] != "application/json" {
		t.Errorf("a1: %+v, %v, headers %v", a, err, got["a1"].Headers)
	}
	if b, err := tagger.DecodeArticle(got[ids[1]].Value); err != nil || b.ID != ids[1] {
		t.Errorf("article without id: id %q written into the record? %v", b.ID, err)
	}
	if m := got["raw"]; string(m.Value) != "not json" || m.Headers["h"] != "v" {
		t.Errorf("raw record: %q %v", m.Value, m.Headers)
	}
}

func TestNewProducerRefusesMissingTopic(t *testing.T) {
	c := testConn(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := NewProducer(ctx, c, uniqueTopic("never-created"), nil)
	if err == nil || !strings.Contains(err.Error(), "never-created") {
		t.Errorf("NewProducer on a missing topic: %v, want an error naming it", err)
	}
	if _, err := NewProducer(ctx, c, "bad topic", nil); err == nil {
		t.Error("NewProducer accepted an invalid topic name")
	}
}

func TestConnectFailsFastOnUnreachableBrokers(t *testing.T) {
	c := DefaultConn()
	c.Brokers = []string{"127.0.0.1:1"}
	c.DialTimeout = 2 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	began := time.Now()
	_, err := Connect(ctx, c)
	if err == nil || !strings.Contains(err.Error(), "cannot reach any broker") || errors.Is(err, ErrAuth) {
		t.Errorf("Connect to a closed port: %v", err)
	}
	if d := time.Since(began); d > 5*time.Second {
		t.Errorf("failing took %s", d)
	}
}

func TestDeleteTopics(t *testing.T) {
	c := testConn(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	in, out := uniqueTopic("in"), uniqueTopic("out")
	if err := CreateTopics(ctx, c, 1, 1, in, out); err != nil {
		t.Fatal(err)
	}
	if err := DeleteTopics(ctx, c, in, out, in+".never-created"); err != nil {
		t.Fatalf("DeleteTopics: %v (a missing topic is not an error)", err)
	}
	cl, err := Connect(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for _, topic := range []string{in, out} {
		// Deletion completes asynchronously on a real broker.
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
			if _, err := cl.Partitions(ctx, topic); err != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("topic %s still exists after DeleteTopics", topic)
			}
		}
	}
}

// TestTailToEnd: with ToEnd, Tail returns once it has read what the topic held when it started, every record
// once, and at once for an empty topic.
func TestTailToEnd(t *testing.T) {
	c := testConn(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	topic := uniqueTopic("toend")
	if err := CreateTopics(ctx, c, 3, 1, topic); err != nil {
		t.Fatal(err)
	}
	defer DeleteTopics(context.WithoutCancel(ctx), c, topic)
	count := func() map[string]int {
		got := map[string]int{}
		if err := Tail(ctx, c, topic, TailOptions{FromBeginning: true, ToEnd: true}, func(m Message) error {
			got[string(m.Key)]++
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := count(); len(got) != 0 {
		t.Fatalf("empty topic: %v", got)
	}
	p, err := NewProducer(ctx, c, topic, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var arts []tagger.Article
	for i := range 25 {
		arts = append(arts, tagger.Article{ID: fmt.Sprintf("k%02d", i), Body: "b"})
	}
	if _, err := p.Send(ctx, arts...); err != nil {
		t.Fatal(err)
	}
	got := count()
	if len(got) != len(arts) {
		t.Fatalf("read %d distinct records, want %d", len(got), len(arts))
	}
	for k, n := range got {
		if n != 1 {
			t.Errorf("%s read %d times", k, n)
		}
	}
}
