package kafkaio

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/segmentio/kafka-go"
)

func TestAccessNamesTopicAndOperation(t *testing.T) {
	tests := []struct {
		name, op, topic, group string
		err                    error
		want                   string // "" : err unchanged
	}{
		{"write refused", OpWrite, "articles.dlq", "", fmt.Errorf("x: %w", kafka.TopicAuthorizationFailed),
			"not authorized to Write topic articles.dlq (Kafka error 29 TOPIC_AUTHORIZATION_FAILED)"},
		{"write refused in a batch", OpWrite, "out", "", kafka.WriteErrors{nil, kafka.TopicAuthorizationFailed},
			"not authorized to Write topic out (Kafka error 29 TOPIC_AUTHORIZATION_FAILED)"},
		{"read refused", OpRead, "articles.tagged", "", kafka.TopicAuthorizationFailed,
			"not authorized to Read topic articles.tagged (Kafka error 29 TOPIC_AUTHORIZATION_FAILED)"},
		{"group refused", OpRead, "articles.raw", "tagpipe", kafka.GroupAuthorizationFailed,
			"not authorized to Read group tagpipe (Kafka error 30 GROUP_AUTHORIZATION_FAILED)"},
		{"unknown or hidden topic", OpRead, "articles.dlq", "", kafka.UnknownTopicOrPartition,
			"topic articles.dlq does not exist or this user may not Describe it (Kafka error 3 UNKNOWN_TOPIC_OR_PARTITION)"},
		{"cluster refused", OpWrite, "t", "", kafka.ClusterAuthorizationFailed,
			"not authorized to Write cluster (Kafka error 31 CLUSTER_AUTHORIZATION_FAILED)"},
		{"not an authorization error", OpWrite, "t", "", kafka.NotEnoughReplicas, ""},
		{"not a Kafka error", OpWrite, "t", "", errors.New("connection refused"), ""},
		{"nil", OpWrite, "t", "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Access(tt.op, tt.topic, tt.group, tt.err)
			if tt.want == "" {
				if IsAccess(got) || fmt.Sprint(got) != fmt.Sprint(tt.err) {
					t.Errorf("Access = %v, want the error unchanged", got)
				}
				return
			}
			var ae *AccessError
			if !errors.As(got, &ae) || got.Error() != tt.want {
				t.Errorf("Access = %q, want %q", got, tt.want)
			}
			var kerr kafka.Error
			if !errors.As(got, &kerr) || !errors.Is(got, kerr) || !strings.Contains(fmt.Sprint(tt.err), kerr.Title()) {
				t.Errorf("Access(%v) does not unwrap to the Kafka error: %v", tt.err, kerr)
			}
			if again := Access(tt.op, "other", tt.group, got); again.Error() != got.Error() {
				t.Errorf("Access of an AccessError = %v, want it unchanged", again)
			}
		})
	}
}
