package e2e

import (
	"testing"

	"github.com/segmentio/kafka-go"

	"github.com/tagpipe/tagpipe/pipeline"
	"github.com/tagpipe/tagpipe/tagger"
)

// TestCountOutputs checks the tally the fault tests rely on (no Kafka needed).
func TestCountOutputs(t *testing.T) {
	tagged := func(id string) kafka.Message {
		rec := &tagger.Record{Article: tagger.Article{ID: id, Title: "Pyongyang"}, Tagger: tagger.Meta{Version: "test", RulesVersion: "r1"}}
		b, err := rec.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		return kafka.Message{Key: []byte(id), Value: b,
			Headers: []kafka.Header{{Key: pipeline.HeaderRulesVersion, Value: []byte(rec.Tagger.RulesVersion)}}}
	}
	dead := func(id string) kafka.Message {
		return kafka.Message{Key: []byte(id), Headers: []kafka.Header{{Key: pipeline.HeaderError, Value: []byte("decode: x")}}}
	}
	notTagged := kafka.Message{Key: []byte("b"), Value: []byte(`{"id":"b"}`)}
	for _, c := range []struct {
		name        string
		ids         []string
		tagged, dlq []kafka.Message
		want        tally
		invalid     bool
	}{
		{"all tagged", []string{"a", "b"}, []kafka.Message{tagged("a"), tagged("b")}, nil,
			tally{in: 2, out: 2, tagged: 2}, false},
		{"one dead-lettered", []string{"a", "b"}, []kafka.Message{tagged("a")}, []kafka.Message{dead("b")},
			tally{in: 2, out: 2, tagged: 1, dlq: 1}, false},
		{"duplicates across topics", []string{"a", "b"}, []kafka.Message{tagged("a"), tagged("a"), tagged("b")}, []kafka.Message{dead("b")},
			tally{in: 2, out: 4, tagged: 2, dlq: 1, duplicates: 2}, false},
		{"lost", []string{"a", "b", "c"}, []kafka.Message{tagged("a")}, []kafka.Message{dead("b")},
			tally{in: 3, out: 2, tagged: 1, dlq: 1, lost: 1, lostIDs: []string{"c"}}, false},
		{"stray key", []string{"a"}, []kafka.Message{tagged("a"), tagged("z")}, nil,
			tally{in: 1, out: 2, tagged: 1, stray: []string{`"z"`}}, false},
		{"not a tagged record", []string{"b"}, []kafka.Message{notTagged}, nil,
			tally{in: 1, out: 1, tagged: 1}, true},
		{"dead letter without reason", []string{"b"}, nil, []kafka.Message{{Key: []byte("b")}},
			tally{in: 1, out: 1, dlq: 1}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := countOutputs(c.ids, c.tagged, c.dlq)
			if (len(got.invalid) > 0) != c.invalid {
				t.Errorf("invalid = %v, want some: %v", got.invalid, c.invalid)
			}
			got.invalid = nil
			if got.line("x") != c.want.line("x") || len(got.lostIDs) != len(c.want.lostIDs) || len(got.stray) != len(c.want.stray) {
				t.Errorf("got %s lost %v stray %v\nwant %s lost %v stray %v", got.line("x"), got.lostIDs, got.stray,
					c.want.line("x"), c.want.lostIDs, c.want.stray)
			}
		})
	}
}
