#!/usr/bin/env bash
# acls.sh creates tagpipe's least-privilege ACLs (deploy/kafka/README.md lists the same kafka-acls commands):
#
#   User:tagpipe  read the input and rules topics, write (and describe) the output, DLQ and route topics,
#                 read its consumer group
#   User:analyst  write the rules topic (tagpipe rules publish)
#   User:reader   read the output topic (tagpipe consume, downstream consumers)
#
# The topic names are tagpipe's defaults unless TAGPIPE_IN, TAGPIPE_OUT, TAGPIPE_DLQ, TAGPIPE_RULES_TOPIC,
# TAGPIPE_ROUTE_PREFIX and TAGPIPE_GROUP say otherwise. KAFKA_ACLS is the kafka-acls command to run, e.g.
#
#   KAFKA_ACLS="kafka-acls.sh --bootstrap-server kafka:9093 --command-config admin.properties" deploy/kafka/acls.sh
#   KAFKA_ACLS="deploy/kafka/local.sh acls" deploy/kafka/acls.sh      # the local test broker
set -euo pipefail

IN="${TAGPIPE_IN:-articles.raw}"
OUT="${TAGPIPE_OUT:-articles.tagged}"
DLQ="${TAGPIPE_DLQ:-articles.dlq}"
RULES="${TAGPIPE_RULES_TOPIC:-tagpipe.rules}"
ROUTE="${TAGPIPE_ROUTE_PREFIX:-tagged.}"
GROUP="${TAGPIPE_GROUP:-tagpipe}"
[[ -n "${KAFKA_ACLS:-}" ]] || { echo "acls.sh: set KAFKA_ACLS to the kafka-acls command (see the header)" >&2; exit 2; }
# shellcheck disable=SC2206 # KAFKA_ACLS is a command line.
ACLS=($KAFKA_ACLS)

acl() { "${ACLS[@]}" --add "$@" >/dev/null; }

# tagpipe run: consume the input and the rules topic; produce tagged records, dead letters and route copies.
# DescribeConfigs: it reads the DLQ topic's max.message.bytes to size dead letters.
acl --allow-principal User:tagpipe --operation Read --operation Describe --topic "$IN" --topic "$RULES"
acl --allow-principal User:tagpipe --operation Write --operation Describe --operation DescribeConfigs --topic "$OUT" --topic "$DLQ"
acl --allow-principal User:tagpipe --operation Write --operation Describe --resource-pattern-type prefixed --topic "$ROUTE"
acl --allow-principal User:tagpipe --operation Read --operation Describe --group "$GROUP"
# tagpipe rules publish
acl --allow-principal User:analyst --operation Write --operation Describe --topic "$RULES"
# tagpipe consume and downstream readers (they read partitions directly; a consumer group needs Read on it too)
acl --allow-principal User:reader --operation Read --operation Describe --topic "$OUT"
echo "acls.sh: ACLs for tagpipe, analyst and reader on $IN $OUT $DLQ $RULES ${ROUTE}* (group $GROUP) added" >&2
