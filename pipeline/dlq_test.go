package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/tagpipe/tagpipe/tagger"
)

func TestDeadLetterHeaders(t *testing.T) {
	long := strings.Repeat("x", 5000)
	tests := []struct {
		name       string
		src        kafka.Message
		reason     string
		wantReason string
	}{
		{
			name:       "decode error keeps key, value and headers",
			src:        kafka.Message{Topic: "raw", Partition: 2, Offset: 41, Key: []byte("k1"), Value: []byte("{bad"), Headers: []kafka.Header{{Key: "trace", Value: []byte("abc")}}},
			reason:     "decode: article: not_json: unexpected end",
			wantReason: "decode: article: not_json: unexpected end",
		},
		{
			name:       "tombstone",
			src:        kafka.Message{Topic: "raw", Partition: 0, Offset: 0, Key: []byte("gone")},
			reason:     ReasonEmpty,
			wantReason: ReasonEmpty,
		},
		{
			name:       "long reason truncated",
			src:        kafka.Message{Topic: "raw", Partition: 11, Offset: 1 << 40, Value: []byte("v")},
			reason:     long,
			wantReason: long[:maxReasonBytes-3] + "...",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := deadLetter("raw.dlq", tt.src, tt.reason, 1<<20)
			if m.Topic != "raw.dlq" || !bytes.Equal(m.Key, tt.src.Key) || !bytes.Equal(m.Value, tt.src.Value) {
				t.Errorf("dead letter %s key %q value %q; want the source's unchanged", m.Topic, m.Key, m.Value)
			}
			if (m.Value == nil) != (tt.src.Value == nil) {
				t.Errorf("null-ness of the value changed")
			}
			want := map[string]string{
				HeaderError:           tt.wantReason,
				HeaderSourceTopic:     tt.src.Topic,
				HeaderSourcePartition: strconv.Itoa(tt.src.Partition),
				HeaderSourceOffset:    strconv.FormatInt(tt.src.Offset, 10),
			}
			for k, v := range want {
				if got := string(header(m, k)); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			for _, h := range tt.src.Headers {
				if got := string(header(m, h.Key)); got != string(h.Value) {
					t.Errorf("original header %s = %q, want %q", h.Key, got, h.Value)
				}
			}
		})
	}
}

func TestReasonCodes(t *testing.T) {
	want := map[ReasonCode]string{CodeDecode: "decode", CodeTag: "tag", CodeEmpty: "empty", CodeTooLarge: "too_large", CodeTimeout: "timeout"}
	for _, c := range ReasonCodes() {
		if c.String() != want[c] {
			t.Errorf("%d.String() = %q, want %q", int(c), c.String(), want[c])
		}
		delete(want, c)
	}
	if len(want) != 0 {
		t.Errorf("ReasonCodes lacks %v", want)
	}
	if ReasonTooLarge != tagger.ErrTooLarge.Error() {
		t.Errorf("ReasonTooLarge %q differs from tagger.ErrTooLarge %q", ReasonTooLarge, tagger.ErrTooLarge)
	}
	tests := []struct {
		err  error
		want ReasonCode
	}{
		{&reasonError{code: CodeTimeout, err: errors.New("x")}, CodeTimeout},
		{fmt.Errorf("wrapped: %w", &reasonError{code: CodeDecode, err: errors.New("x")}), CodeDecode},
		{errors.New("plain"), CodeTag},
	}
	for _, tt := range tests {
		if got := reasonCode(tt.err); got != tt.want {
			t.Errorf("reasonCode(%v) = %s, want %s", tt.err, got, tt.want)
		}
	}
}

// bigTagger returns records whose evidence and entity mentions are large.
type bigTagger struct{ mentions, evidence int }

func (b bigTagger) Tag(_ context.Context, a tagger.Article) (*tagger.Record, error) {
	rec := &tagger.Record{Article: a}
	ev := make([]tagger.Evidence, b.evidence)
	for i := range ev {
		ev[i] = tagger.Evidence{Rule: "term", Text: strings.Repeat("e", 100)}
	}
	rec.Topics = []tagger.Topic{{Label: "military", Score: 0.9, Evidence: ev}}
	for i := range b.mentions {
		rec.Entities = append(rec.Entities, tagger.Entity{Text: "North Korea", Canonical: "North Korea", Type: "LOCATION", Start: i})
	}
	return rec, nil
}

func TestProcessTrimsOrRejectsLargeRecords(t *testing.T) {
	article := []byte(`{"id":"big","title":"t","body":"` + strings.Repeat("b", 2000) + `"}`)
	tests := []struct {
		name        string
		tg          bigTagger
		max         int
		wantErr     bool
		wantTrimmed string // substring of the tagpipe_trimmed member, "" for untrimmed
	}{
		{"fits", bigTagger{mentions: 2, evidence: 2}, 100_000, false, ""},
		{"evidence dropped", bigTagger{mentions: 2, evidence: 500}, 10_000, false, `"evidence"`},
		{"repeated mentions dropped", bigTagger{mentions: 500, evidence: 500}, 10_000, false, `"repeated-mentions"`},
		{"article itself too large", bigTagger{mentions: 1, evidence: 1}, 1_500, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := tagProcessor{t: tt.tg}.process(context.Background(), nil, article, tt.max)
			if tt.wantErr {
				if err == nil || !strings.HasPrefix(err.Error(), ReasonTooLarge) || reasonCode(err) != CodeTooLarge {
					t.Fatalf("err = %v, want %s", err, ReasonTooLarge)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(out.value) > tt.max {
				t.Errorf("value is %d bytes, max %d", len(out.value), tt.max)
			}
			var rec tagger.Record
			if err := rec.UnmarshalJSON(out.value); err != nil {
				t.Fatalf("trimmed record does not decode: %v", err)
			}
			trimmed, ok := rec.Article.Field(tagger.TrimmedMember)
			if tt.wantTrimmed == "" && ok {
				t.Errorf("untrimmed record has %s", trimmed)
			}
			if tt.wantTrimmed != "" && !strings.Contains(string(trimmed), tt.wantTrimmed) {
				t.Errorf("%s = %s, want it to mention %s", tagger.TrimmedMember, trimmed, tt.wantTrimmed)
			}
			if string(out.key) != "big" || rec.Labels()[0] != "military" {
				t.Errorf("key %q labels %v", out.key, rec.Labels())
			}
		})
	}
}

func TestProcessErrorsBecomeReasons(t *testing.T) {
	tests := []struct {
		value, prefix string
	}{
		{"not json", "decode: "},
		{`{"title": ["x"]}`, "decode: "},
		{`{"title":"FAIL"}`, "tag: "},
	}
	for _, tt := range tests {
		_, err := tagProcessor{t: &fakeTagger{}}.process(context.Background(), nil, []byte(tt.value), 1<<20)
		if err == nil || !strings.HasPrefix(err.Error(), tt.prefix) || reasonCode(err).String()+": " != tt.prefix {
			t.Errorf("process(%q) = %v (code %s), want prefix %q", tt.value, err, reasonCode(err), tt.prefix)
		}
	}
	var de *tagger.DecodeError
	_, err := tagProcessor{t: &fakeTagger{}}.process(context.Background(), nil, []byte("["), 1<<20)
	if !errors.As(err, &de) {
		t.Errorf("decode error is not a *tagger.DecodeError: %v", err)
	}
}

// stallTagger blocks until its context ends.
type stallTagger struct{}

func (stallTagger) Tag(ctx context.Context, _ tagger.Article) (*tagger.Record, error) {
	<-ctx.Done()
	return nil, fmt.Errorf("stalled: %w", ctx.Err())
}

func TestProcessTimesOut(t *testing.T) {
	value := []byte(`{"id":"slow","title":"t"}`)
	_, err := tagProcessor{t: stallTagger{}, maxTime: 20 * time.Millisecond}.process(context.Background(), nil, value, 1<<20)
	if reasonCode(err) != CodeTimeout || !strings.HasPrefix(err.Error(), "timeout: ") || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("stalled Tag with max-tag-time: err = %v (code %s), want code timeout", err, reasonCode(err))
	}
	// A deadline of the caller's own (shutdown) is not the record's fault: not a timeout.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err = tagProcessor{t: stallTagger{}, maxTime: time.Hour}.process(ctx, nil, value, 1<<20)
	if reasonCode(err) == CodeTimeout {
		t.Errorf("caller's deadline counted as a record timeout: %v", err)
	}
	// The fake tagger answers at once within the budget.
	if _, err := (tagProcessor{t: &fakeTagger{}, maxTime: time.Second}).process(context.Background(), nil, value, 1<<20); err != nil {
		t.Errorf("fast Tag within max-tag-time: %v", err)
	}
}

func TestProcessFillsContentID(t *testing.T) {
	out, err := tagProcessor{t: &fakeTagger{}}.process(context.Background(), nil, []byte(`{"title":"T","body":"B"}`), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	want := tagger.ContentID(tagger.Article{Title: "T", Body: "B"})
	if string(out.key) != want || !strings.Contains(string(out.value), `"id":"`+want+`"`) {
		t.Errorf("key %q value %s; want the content id %s in both", out.key, out.value, want)
	}
}

func TestDeadLetterTruncation(t *testing.T) {
	big := bytes.Repeat([]byte("Seoul. "), 150_000) // 1,050,000 bytes
	src := kafka.Message{Topic: "raw", Partition: 1, Offset: 7, Key: []byte("body-1mb"), Value: big,
		Headers: []kafka.Header{{Key: "trace", Value: bytes.Repeat([]byte("t"), 2000)}}}
	reason := ReasonTooLarge + ": 11000000 bytes, max 1000000"
	tests := []struct {
		name           string
		max            int
		truncated      bool
		headersDropped bool
	}{
		{"fits whole", 1_100_000, false, false},
		{"value cut to fit", 1_000_000, true, false},
		{"value cut to a few bytes", 3000, true, false},
		{"no room for the value", 2500, true, false},
		{"no room for the original headers either", 1500, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := deadLetter("raw.dlq", src, reason, tt.max)
			if size := messageSize(m); size > tt.max {
				t.Errorf("dead letter is %d bytes, over the limit %d", size, tt.max)
			}
			if !bytes.Equal(m.Key, src.Key) {
				t.Errorf("key %q, want %q", m.Key, src.Key)
			}
			if !bytes.HasPrefix(src.Value, m.Value) {
				t.Errorf("value is not a prefix of the original")
			}
			got := string(header(m, HeaderError))
			if !strings.HasPrefix(got, reason) {
				t.Errorf("reason %q, want it to start with %q", got, reason)
			}
			if !tt.truncated {
				if len(m.Value) != len(big) || header(m, HeaderValueTruncated) != nil || header(m, HeaderOriginalSize) != nil {
					t.Errorf("value %d bytes (want %d) with truncation headers %q/%q", len(m.Value), len(big),
						header(m, HeaderValueTruncated), header(m, HeaderOriginalSize))
				}
				return
			}
			if len(m.Value) >= len(big) {
				t.Errorf("value %d bytes: not truncated", len(m.Value))
			}
			if string(header(m, HeaderValueTruncated)) != "true" || string(header(m, HeaderOriginalSize)) != strconv.Itoa(len(big)) {
				t.Errorf("truncation headers %s=%q %s=%q", HeaderValueTruncated, header(m, HeaderValueTruncated),
					HeaderOriginalSize, header(m, HeaderOriginalSize))
			}
			if want := "value truncated to " + strconv.Itoa(len(m.Value)) + " of " + strconv.Itoa(len(big)); !strings.Contains(got, want) {
				t.Errorf("reason %q does not say %q", got, want)
			}
			if dropped := header(m, "trace") == nil; dropped != tt.headersDropped || (string(header(m, HeaderHeadersDropped)) == "true") != tt.headersDropped {
				t.Errorf("original headers dropped = %v (marked %q), want %v", dropped, header(m, HeaderHeadersDropped), tt.headersDropped)
			}
			for _, k := range []string{HeaderSourceTopic, HeaderSourcePartition, HeaderSourceOffset} {
				if header(m, k) == nil {
					t.Errorf("header %s missing", k)
				}
			}
		})
	}
}

// TestDeadLetterFitsWriter checks that messageSize bounds what kafka-go's Writer counts: a dead letter cut to a
// writer's BatchBytes is never refused by it as too large.
func TestDeadLetterFitsWriter(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens: a record that passes the size check fails to connect instead
	for _, size := range []int{0, 1, 1000, 999_000, 1_000_000, 1_010_000, 1_048_588} {
		src := kafka.Message{Topic: "raw", Key: []byte("k"), Value: bytes.Repeat([]byte("v"), size),
			Headers: []kafka.Header{{Key: "h", Value: []byte("x")}}}
		for _, limit := range []int{2048, 100_000, 1_000_000, 1_044_492} {
			m := deadLetter("raw.dlq", src, ReasonTooLarge, limit)
			w := &kafka.Writer{Addr: kafka.TCP(addr), BatchBytes: int64(limit), MaxAttempts: 1}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			err := w.WriteMessages(ctx, m)
			cancel()
			w.Close()
			var tooLarge kafka.MessageTooLargeError
			if errors.As(err, &tooLarge) {
				t.Errorf("value %d, limit %d: the writer refused the dead letter (%d bytes by messageSize): %v", size, limit, messageSize(m), err)
			}
		}
	}
}
