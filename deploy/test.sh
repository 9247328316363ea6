#!/usr/bin/env bash
# test.sh is `make test`: the project's one test command. It installs missing tools
# (deploy/setup.sh), makes sure a real Kafka broker is running (deploy/kafka/local.sh,
# PLAINTEXT plus a SASL_SSL/SCRAM listener) unless TAGPIPE_KAFKA_BROKERS already points
# at one, then runs go vet, go test (e2e/ starts its own 3-node cluster, ACL broker and
# Prometheus), the client interop and manifest tests, promtool, fuzzing, and prints a summary.
# A broker it started itself is stopped at the end (KEEP_KAFKA=1 keeps it running).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# e2e runs about 6 minutes here (cluster failover, ACL and Prometheus tests included): past go test's
# default 10 minute package timeout on a slow machine.
GO_TEST_FLAGS="${GO_TEST_FLAGS:--count=1 -timeout 30m}"
PYTHON="${PYTHON:-python3}"
export KAFKA_SECURITY="${KAFKA_SECURITY:-sasl_ssl}"

bash deploy/setup.sh

started=0
stop_broker() {
	if ((started)) && [[ "${KEEP_KAFKA:-0}" != 1 ]]; then
		deploy/kafka/local.sh stop || true
	fi
}
trap stop_broker EXIT

if [[ -z "${TAGPIPE_KAFKA_BROKERS:-}" ]]; then
	deploy/kafka/local.sh status >/dev/null || started=1
	deploy/kafka/local.sh start >/dev/null
	eval "$(deploy/kafka/local.sh env)"
fi
echo "test: Kafka at ${TAGPIPE_KAFKA_BROKERS}${TAGPIPE_KAFKA_SASL_BROKERS:+, SASL_SSL at $TAGPIPE_KAFKA_SASL_BROKERS}"

results=()
failed=0
step() {
	local name="$1"
	shift
	echo "=== $name: $*"
	local t0=$SECONDS
	if "$@"; then
		results+=("PASS  $name ($((SECONDS - t0))s)")
	else
		results+=("FAIL  $name ($((SECONDS - t0))s)")
		failed=1
	fi
}

# shellcheck disable=SC2086 # GO_TEST_FLAGS is a list of flags.
step "go vet" go vet ./...
# go test -json keeps every event (in $GO_TEST_JSON) while the summary prints what go test would, failures in
# full, and a closing "go test: N passed, M failed, K skipped" line.
GO_TEST_JSON="${GO_TEST_JSON:-${TMPDIR:-/tmp}/tagpipe-go-test.json}"
go_test() {
	# shellcheck disable=SC2086
	go test $GO_TEST_FLAGS -json ./... 2>&1 | tee "$GO_TEST_JSON" | python3 deploy/gotest-summary.py
}
step "go test" go_test
step "pytest deploy/ (Kafka interop, manifests, kustomize + Kubernetes schemas)" "$PYTHON" -m pytest -q -p no:cacheprovider deploy
promtool_rules() {
	promtool check rules deploy/prometheus/alerts.yaml && promtool test rules deploy/prometheus/alerts_test.yaml
}
step "promtool check/test rules deploy/prometheus" promtool_rules
# A count (Nx) rather than a duration: a duration-bounded run can fail at its deadline with no failing input on
# Go 1.26 (golang/go#75804), and a count also does the same work on a fast and a loaded machine.
step "fuzz (${FUZZTIME:-20000x} per target)" env FUZZTIME="${FUZZTIME:-20000x}" bash deploy/fuzz.sh

echo
echo "=== summary"
printf '  %s\n' "${results[@]}"
if ((failed)); then
	echo "test: FAILED"
	exit 1
fi
echo "test: all steps passed"
