package kafkaio

import (
	"errors"
	"fmt"
	"strings"

	"github.com/segmentio/kafka-go"
)

// ACL operations, as Kafka names them, for AccessError.
const (
	OpRead     = "Read"
	OpWrite    = "Write"
	OpDescribe = "Describe"
)

// An AccessError is a broker's refusal of an operation on a resource, said in the words of an ACL: "not
// authorized to Write topic articles.dlq (Kafka error 29 TOPIC_AUTHORIZATION_FAILED)", or, for a topic the
// broker does not report, "topic articles.raw does not exist or this user may not Describe it (Kafka error 3
// UNKNOWN_TOPIC_OR_PARTITION)" (Kafka leaves a topic out of the metadata of a user without Describe, so the two
// cannot be told apart). It unwraps to the kafka.Error.
type AccessError struct {
	Op       string // OpRead, OpWrite, OpDescribe
	Resource string // "topic", "group" or "cluster"
	Name     string // the topic or group; "" for the cluster
	Code     kafka.Error
}

// Error says what was refused, on which resource, and the Kafka error code.
func (e *AccessError) Error() string {
	code := fmt.Sprintf("Kafka error %d %s", int(e.Code), codeName(e.Code))
	if e.Code == kafka.UnknownTopicOrPartition {
		return fmt.Sprintf("topic %s does not exist or this user may not Describe it (%s)", e.Name, code)
	}
	what := e.Resource
	if e.Name != "" {
		what += " " + e.Name
	}
	return fmt.Sprintf("not authorized to %s %s (%s)", e.Op, what, code)
}

// Unwrap returns the kafka.Error, so that errors.Is(err, kafka.TopicAuthorizationFailed) holds.
func (e *AccessError) Unwrap() error { return e.Code }

// IsAccess reports whether err holds an *AccessError.
func IsAccess(err error) bool {
	var ae *AccessError
	return errors.As(err, &ae)
}

// codeName is the protocol's name of a Kafka error code: TOPIC_AUTHORIZATION_FAILED for "Topic Authorization
// Failed".
func codeName(c kafka.Error) string {
	return strings.ToUpper(strings.ReplaceAll(c.Title(), " ", "_"))
}

// Access returns err as an *AccessError when it holds a refusal of op on topic (topic, group or cluster
// authorization failed, or an unknown topic; in kafka.WriteErrors, the first record's that failed), else err
// unchanged. group names the consumer group for a group refusal ("" when none is involved). IsAccess tells which.
func Access(op, topic, group string, err error) error {
	var already *AccessError
	if err == nil || errors.As(err, &already) {
		return err
	}
	var kerr kafka.Error
	var we kafka.WriteErrors
	if errors.As(err, &we) {
		for _, e := range we {
			if e != nil {
				if !errors.As(e, &kerr) {
					return err
				}
				break
			}
		}
	} else if !errors.As(err, &kerr) {
		return err
	}
	switch kerr {
	case kafka.TopicAuthorizationFailed:
		return &AccessError{Op: op, Resource: "topic", Name: topic, Code: kerr}
	case kafka.UnknownTopicOrPartition:
		return &AccessError{Op: OpDescribe, Resource: "topic", Name: topic, Code: kerr}
	case kafka.GroupAuthorizationFailed:
		return &AccessError{Op: OpRead, Resource: "group", Name: group, Code: kerr}
	case kafka.ClusterAuthorizationFailed:
		return &AccessError{Op: op, Resource: "cluster", Code: kerr}
	}
	return err
}
