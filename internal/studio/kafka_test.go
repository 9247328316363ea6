package studio

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tagpipe/tagpipe/kafkaio"
	"github.com/tagpipe/tagpipe/pipeline"
)

// TestLiveKafka feeds the live view from a real broker (TAGPIPE_KAFKA_BROKERS) through the same Tail reader that
// `tagpipe studio --brokers` wires, and reads the records back from the SSE stream.
func TestLiveKafka(t *testing.T) {
	brokers := os.Getenv("TAGPIPE_KAFKA_BROKERS")
	if brokers == "" || testing.Short() {
		t.Skip("set TAGPIPE_KAFKA_BROKERS (and drop -short) to run against real Kafka")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn := pipeline.DefaultConfig().Conn
	conn.Brokers = strings.Split(brokers, ",")
	topic := fmt.Sprintf("studio-live-%d", time.Now().UnixNano())
	if err := kafkaio.CreateTopics(ctx, conn, 2, 1, topic); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = kafkaio.DeleteTopics(context.Background(), conn, topic) })

	live := func(ctx context.Context, fn func([]byte) error) error {
		return kafkaio.Tail(ctx, conn, topic, kafkaio.TailOptions{}, func(m kafkaio.Message) error { return fn(m.Value) })
	}
	s, _ := newTestServer(t, Config{Live: live}, true)
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	go s.live.run(ctx)
	req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/live?entity=north+korea", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got := make(chan liveRecord, 16)
	go func() {
		sc := bufio.NewScanner(resp.Body)
		record := false
		for sc.Scan() {
			line := sc.Text()
			if e, ok := strings.CutPrefix(line, "event: "); ok {
				record = e == "record"
			} else if d, ok := strings.CutPrefix(line, "data: "); ok && record {
				var lr liveRecord
				if json.Unmarshal([]byte(d), &lr) == nil {
					got <- lr
				}
			}
		}
	}()

	prod, err := kafkaio.NewProducer(ctx, conn, topic, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer prod.Close()
	// The reader starts at the topic's end once it is connected: send until a record comes through.
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for i := 0; ; i++ {
		other := fmt.Sprintf(`{"id":"o%d","title":"Rain","topics":[],"entities":[]}`, i)
		nk := fmt.Sprintf(`{"id":"k%d","title":"Missiles","topics":[{"label":"military","score":0.9,"evidence":[]}],`+
			`"entities":[{"text":"DPRK","canonical":"North Korea","type":"LOCATION","source":"gazetteer","field":"title","start":0,"end":4}]}`, i)
		if err := prod.SendRaw(ctx, kafkaio.Message{Key: []byte("o"), Value: []byte(other)}, kafkaio.Message{Key: []byte("k"), Value: []byte(nk)}); err != nil {
			t.Fatal(err)
		}
		select {
		case lr := <-got:
			if !strings.HasPrefix(lr.ID, "k") || lr.Labels[0] != "military" {
				t.Errorf("record through the entity filter: %+v", lr)
			}
			return
		case <-tick.C:
		case <-ctx.Done():
			t.Fatal("no record reached the live stream")
		}
	}
}
