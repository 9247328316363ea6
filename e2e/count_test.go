package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/segmentio/kafka-go"

	"github.com/tagpipe/tagpipe/internal/corpus"
	"github.com/tagpipe/tagpipe/pipeline"
	"github.com/tagpipe/tagpipe/tagger"
)

// articles returns n generated articles of about size bytes (internal/corpus, seeded) as input records keyed
// by id, and their ids.
func articles(seed uint64, n, size int) ([]kafka.Message, []string) {
	return articlesFrom(seed, 0, n, size)
}

// articlesFrom returns n articles of the seeded corpus starting at index from.
func articlesFrom(seed uint64, from, n, size int) ([]kafka.Message, []string) {
	g := corpus.New(seed)
	msgs := make([]kafka.Message, n)
	ids := make([]string, n)
	for i := range n {
		msgs[i], ids[i] = articleRecord(g.Article(from+i, size))
	}
	return msgs, ids
}

// articleRecord is the input record of a: its JSON keyed by its id.
func articleRecord(a tagger.Article) (kafka.Message, string) {
	return kafka.Message{Key: []byte(a.ID), Value: tagger.ArticleJSON(a)}, a.ID
}

// tally is what came out of the pipeline for a set of input ids.
type tally struct {
	in         int      // input records
	out        int      // records in the tagged topic and the DLQ together
	tagged     int      // input ids with at least one tagged record
	dlq        int      // input ids with at least one dead letter
	duplicates int      // output records beyond the first for their id
	lost       int      // input ids with neither
	lostIDs    []string // the first few of them
	stray      []string // output keys that are no input id
	invalid    []string // tagged records that are not valid tagged records, and dead letters without a reason
}

// countOutputs checks every tagged record and dead letter and counts them against the input ids. A tagged
// record's key must be its article id; a dead letter keeps its input record's key.
func countOutputs(ids []string, tagged, dlq []kafka.Message) tally {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	res := tally{in: len(ids), out: len(tagged) + len(dlq)}
	seen := map[string]bool{}
	taggedIDs, dlqIDs := map[string]bool{}, map[string]bool{}
	note := func(list *[]string, format string, args ...any) {
		if len(*list) < 10 {
			*list = append(*list, fmt.Sprintf(format, args...))
		}
	}
	for _, m := range tagged {
		key := string(m.Key)
		var rec tagger.Record
		switch err := rec.UnmarshalJSON(m.Value); {
		case err != nil:
			note(&res.invalid, "tagged %d/%d: %v", m.Partition, m.Offset, err)
		case rec.Article.ID != key:
			note(&res.invalid, "tagged %d/%d: key %q but article id %q", m.Partition, m.Offset, key, rec.Article.ID)
		case rec.Tagger.RulesVersion == "" || headerValue(m, pipeline.HeaderRulesVersion) != rec.Tagger.RulesVersion:
			note(&res.invalid, "tagged %d/%d: rules version %q, header %q", m.Partition, m.Offset, rec.Tagger.RulesVersion, headerValue(m, pipeline.HeaderRulesVersion))
		}
		if seen[key] {
			res.duplicates++
		}
		seen[key], taggedIDs[key] = true, true
	}
	for _, m := range dlq {
		key := string(m.Key)
		if headerValue(m, pipeline.HeaderError) == "" {
			note(&res.invalid, "dead letter %d/%d (key %q) has no %s header", m.Partition, m.Offset, key, pipeline.HeaderError)
		}
		if seen[key] {
			res.duplicates++
		}
		seen[key], dlqIDs[key] = true, true
	}
	for id := range seen {
		if !want[id] {
			note(&res.stray, "%q", id)
		}
	}
	for _, id := range ids {
		if !seen[id] {
			res.lost++
			note(&res.lostIDs, "%s", id)
		}
		if taggedIDs[id] {
			res.tagged++
		}
		if dlqIDs[id] {
			res.dlq++
		}
	}
	slices.Sort(res.stray)
	return res
}

// line is the greppable summary the README quotes.
func (r tally) line(fault string, extra ...string) string {
	s := fmt.Sprintf("RELIABILITY %s: in=%d out=%d tagged=%d dlq=%d duplicates=%d lost=%d", fault, r.in, r.out, r.tagged, r.dlq, r.duplicates, r.lost)
	if len(extra) > 0 {
		s += " " + strings.Join(extra, " ")
	}
	return s
}

// check logs the RELIABILITY line and fails t if anything was lost, unexpected or malformed.
func (r tally) check(t *testing.T, fault string, extra ...string) {
	t.Helper()
	t.Log(r.line(fault, extra...))
	if r.lost > 0 {
		t.Errorf("%s: %d input record(s) are neither tagged nor dead-lettered, e.g. %v", fault, r.lost, r.lostIDs)
	}
	if len(r.stray) > 0 {
		t.Errorf("%s: output records whose key is no input id: %v", fault, r.stray)
	}
	if len(r.invalid) > 0 {
		t.Errorf("%s: malformed output: %v", fault, r.invalid)
	}
}

// headerValue returns the value of m's last header named key.
func headerValue(m kafka.Message, key string) string {
	v := ""
	for _, h := range m.Headers {
		if h.Key == key {
			v = string(h.Value)
		}
	}
	return v
}

// topics holds a test's input, output and dead-letter topics and its consumer group.
type topics struct{ in, out, dlq, group string }

// newTopics creates unique input, output and DLQ topics on a (inParts partitions for the input, 3 for the
// output, 1 for the DLQ).
func newTopics(t *testing.T, a *admin, inParts int) topics {
	t.Helper()
	tp := topics{in: uniqueName(t, "in"), out: uniqueName(t, "out"), dlq: uniqueName(t, "dlq"), group: uniqueName(t, "group")}
	a.createTopic(t, tp.in, inParts)
	a.createTopic(t, tp.out, 3)
	a.createTopic(t, tp.dlq, 1)
	return tp
}

// run returns the arguments of `tagpipe run` on brokers for tp, with JSON logs and the rules hot reload off
// (so that no other test's rule pack can reach it), then more.
func (tp topics) run(brokers string, more ...string) []string {
	return append([]string{"run", "--brokers", brokers, "--in", tp.in, "--out", tp.out, "--dlq", tp.dlq,
		"--group", tp.group, "--rules-topic", "", "--log-format", "json"}, more...)
}
