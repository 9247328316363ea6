package pipeline

import (
	"strconv"
	"strings"

	"github.com/segmentio/kafka-go"
)

// Headers of tagpipe's records.
const (
	HeaderContentType  = "content-type"
	HeaderRulesVersion = "tagpipe-rules-version"

	HeaderError           = "tagpipe-error"
	HeaderSourceTopic     = "tagpipe-source-topic"
	HeaderSourcePartition = "tagpipe-source-partition"
	HeaderSourceOffset    = "tagpipe-source-offset"
)

// Dead-letter reasons that have no error text of their own. The tagpipe-error header starts with one of these
// or with "decode: " / "tag: " followed by the error.
//
// ReasonEmpty covers both an empty value and a null value (a tombstone): kafka-go's Reader returns a nil Value
// for both, so the pipeline cannot tell them apart, and the dead letter of an empty value has a null value.
const (
	ReasonEmpty    = "empty or null value (tombstone)"
	ReasonTooLarge = "tagged record too large"
)

// maxReasonBytes bounds the tagpipe-error header.
const maxReasonBytes = 1024

// deadLetter builds the dead-letter record for src: the original key, value and headers unchanged, plus the
// reason and where the record came from.
func deadLetter(dlqTopic string, src kafka.Message, reason string) kafka.Message {
	if len(reason) > maxReasonBytes {
		reason = reason[:maxReasonBytes-3] + "..."
	}
	headers := make([]kafka.Header, 0, len(src.Headers)+4)
	headers = append(headers, src.Headers...)
	headers = append(headers,
		kafka.Header{Key: HeaderError, Value: []byte(reason)},
		kafka.Header{Key: HeaderSourceTopic, Value: []byte(src.Topic)},
		kafka.Header{Key: HeaderSourcePartition, Value: []byte(strconv.Itoa(src.Partition))},
		kafka.Header{Key: HeaderSourceOffset, Value: []byte(strconv.FormatInt(src.Offset, 10))},
	)
	return kafka.Message{Topic: dlqTopic, Key: src.Key, Value: src.Value, Headers: headers}
}

// reasonClass is the metric label for a dead-letter reason: empty, too_large, or its text up to the first colon
// (decode, tag).
func reasonClass(reason string) string {
	switch {
	case reason == ReasonEmpty:
		return "empty"
	case strings.HasPrefix(reason, ReasonTooLarge):
		return "too_large"
	}
	for i := 0; i < len(reason); i++ {
		if reason[i] == ':' {
			return reason[:i]
		}
	}
	if len(reason) > 40 {
		return "other"
	}
	return reason
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
