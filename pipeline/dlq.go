package pipeline

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/segmentio/kafka-go"
)

// Headers of tagpipe's records.
const (
	HeaderContentType  = "content-type"
	HeaderRulesVersion = "tagpipe-rules-version"
	HeaderRecord       = "tagpipe-record" // the record format of a tagged record: full or compact

	HeaderError           = "tagpipe-error"
	HeaderSourceTopic     = "tagpipe-source-topic"
	HeaderSourcePartition = "tagpipe-source-partition"
	HeaderSourceOffset    = "tagpipe-source-offset"
)

// Dead-letter reasons that have no error text of their own. The tagpipe-error header starts with one of these
// or with "decode: " / "tag: " / "timeout: " followed by the error.
//
// ReasonEmpty covers both an empty value and a null value (a tombstone): kafka-go's Reader returns a nil Value
// for both, so the pipeline cannot tell them apart, and the dead letter of an empty value has a null value.
const (
	ReasonEmpty    = "empty or null value (tombstone)"
	ReasonTooLarge = "tagged record too large"
)

// maxReasonBytes bounds the tagpipe-error header.
const maxReasonBytes = 1024

// Headers of a dead letter whose original value was too large to carry whole.
const (
	HeaderOriginalSize   = "tagpipe-original-size"   // the original value's length in bytes
	HeaderValueTruncated = "tagpipe-value-truncated" // "true": the value is a prefix of the original
	HeaderHeadersDropped = "tagpipe-headers-dropped" // "true": the original headers were left out
)

// deadLetter builds the dead-letter record for src: the original key, value and headers unchanged, plus the
// reason and where the record came from. If that is over maxBytes (key, value and headers, as kafka-go counts
// them), the value is cut to what fits (possibly nothing), then the original headers are left out, and the
// headers tagpipe-original-size and tagpipe-value-truncated (and tagpipe-headers-dropped) say so, as does the
// reason. An input's size never keeps its dead letter from being written.
func deadLetter(dlqTopic string, src kafka.Message, reason string, maxBytes int) kafka.Message {
	m := buildDeadLetter(dlqTopic, src, clip(reason), src.Value, src.Headers)
	over := messageSize(m) - maxBytes
	if over <= 0 {
		return m
	}
	size := strconv.Itoa(len(src.Value))
	marks := []kafka.Header{
		{Key: HeaderOriginalSize, Value: []byte(size)},
		{Key: HeaderValueTruncated, Value: []byte("true")},
	}
	// The reason grows by the note below and the marks by their headers: leave room for both.
	note := func(kept int) string {
		return fmt.Sprintf("; value truncated to %d of %d bytes to fit the dead-letter topic", kept, len(src.Value))
	}
	extra := len(note(len(src.Value))) + messageSize(kafka.Message{Headers: marks}) + 16
	kept := max(0, len(src.Value)-over-extra)
	headers := src.Headers
	if kept == 0 && messageSize(buildDeadLetter(dlqTopic, src, "", nil, headers))+extra+len(reason) > maxBytes {
		headers = nil
		marks = append(marks, kafka.Header{Key: HeaderHeadersDropped, Value: []byte("true")})
	}
	var value []byte
	if kept > 0 {
		value = src.Value[:kept]
	}
	m = buildDeadLetter(dlqTopic, src, clip(reason)+note(kept), value, headers)
	m.Headers = append(m.Headers, marks...)
	return m
}

// clip bounds a reason to maxReasonBytes.
func clip(reason string) string {
	if len(reason) > maxReasonBytes {
		return reason[:maxReasonBytes-3] + "..."
	}
	return reason
}

func buildDeadLetter(dlqTopic string, src kafka.Message, reason string, value []byte, srcHeaders []kafka.Header) kafka.Message {
	headers := make([]kafka.Header, 0, len(srcHeaders)+6)
	headers = append(headers, srcHeaders...)
	headers = append(headers,
		kafka.Header{Key: HeaderError, Value: []byte(reason)},
		kafka.Header{Key: HeaderSourceTopic, Value: []byte(src.Topic)},
		kafka.Header{Key: HeaderSourcePartition, Value: []byte(strconv.Itoa(src.Partition))},
		kafka.Header{Key: HeaderSourceOffset, Value: []byte(strconv.FormatInt(src.Offset, 10))},
	)
	return kafka.Message{Topic: dlqTopic, Key: src.Key, Value: value, Headers: headers}
}

// messageSize is an upper bound of a record's size as kafka-go's Writer counts it against BatchBytes: key,
// value and each header with their length prefixes.
func messageSize(m kafka.Message) int {
	const lenPrefix = 5                              // a varint length
	n := 4*lenPrefix + len(m.Key) + len(m.Value) + 8 // attributes, timestamp delta, offset delta
	for _, h := range m.Headers {
		n += 2*lenPrefix + len(h.Key) + len(h.Value)
	}
	return n
}

// ReasonCode classifies a dead letter: its String is the reason label of tagpipe_records_dead_lettered_total.
type ReasonCode int

// The dead-letter reason codes.
const (
	CodeDecode   ReasonCode = iota + 1 // the value is not an article: "decode"
	CodeTag                            // the tagger failed: "tag"
	CodeEmpty                          // an empty or null value: "empty"
	CodeTooLarge                       // the tagged record is too large even after trimming: "too_large"
	CodeTimeout                        // tagging took longer than Config.MaxTagTime: "timeout"
)

// ReasonCodes lists every reason code, in order.
func ReasonCodes() []ReasonCode {
	return []ReasonCode{CodeDecode, CodeTag, CodeEmpty, CodeTooLarge, CodeTimeout}
}

// String returns the code's metric label.
func (c ReasonCode) String() string {
	switch c {
	case CodeDecode:
		return "decode"
	case CodeTag:
		return "tag"
	case CodeEmpty:
		return "empty"
	case CodeTooLarge:
		return "too_large"
	case CodeTimeout:
		return "timeout"
	}
	return "unknown"
}

// deadReason is why a record was dead-lettered: the code for the metric and the text for the tagpipe-error
// header.
type deadReason struct {
	code ReasonCode
	text string
}

// reasonError is a processing error with its dead-letter code.
type reasonError struct {
	code ReasonCode
	err  error
}

func (e *reasonError) Error() string { return e.err.Error() }
func (e *reasonError) Unwrap() error { return e.err }

// reasonCode returns the dead-letter code of a processing error: a *reasonError's code, else CodeTag.
func reasonCode(err error) ReasonCode {
	var re *reasonError
	if errors.As(err, &re) {
		return re.code
	}
	return CodeTag
}

// header returns the value of the last header named key, or nil.
func header(m kafka.Message, key string) []byte {
	var v []byte
	for _, h := range m.Headers {
		if h.Key == key {
			v = h.Value
		}
	}
	return v
}
