#!/usr/bin/env bash
# setup.sh installs what `make test` and .ci/run need beyond Go, a JDK and Maven:
# kcat and prometheus (Debian packages: prometheus and promtool for deploy/prometheus and
# the e2e dashboard test), the Python packages confluent-kafka, pytest, PyYAML and
# kubernetes-validate (offline Kubernetes JSON schemas), kustomize (go install) and the Go
# modules. Idempotent: each step is skipped when its tool is already there. Quiet on
# success; on failure it prints the installer's output and exits non-zero.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
log() { printf 'setup: %s\n' "$*" >&2; }

# quiet runs a command with its output kept in a temp file that is shown on failure.
quiet() {
	local out rc=0
	out="$(mktemp)"
	"$@" >"$out" 2>&1 || rc=$?
	if ((rc != 0)); then
		log "failed ($rc): $*"
		cat "$out" >&2
	fi
	rm -f "$out"
	return "$rc"
}

as_root() {
	if [[ "$(id -u)" == 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo -n "$@"
	else
		log "need root for: $*"
		return 1
	fi
}

for tool in go java javac mvn openssl "$PYTHON"; do
	command -v "$tool" >/dev/null 2>&1 || { log "$tool is required but not on PATH"; exit 1; }
done

apt_updated=0
apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	if ((!apt_updated)); then
		quiet as_root apt-get update -q
		apt_updated=1
	fi
	quiet as_root apt-get install -y -q --no-install-recommends "$@"
}
if ! command -v kcat >/dev/null 2>&1; then
	log "installing kcat (apt-get)"
	apt_install kcat
fi
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
	log "installing prometheus (apt-get; the tests run their own on 127.0.0.1, never the system service)"
	# Keep the package's service from starting on 0.0.0.0:9090 where an init system would start it.
	policy=""
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' | as_root tee "$policy" >/dev/null && as_root chmod 755 "$policy"
	fi
	rc=0
	apt_install prometheus || rc=$?
	[[ -n "$policy" ]] && as_root rm -f "$policy"
	((rc == 0)) || exit "$rc"
fi

# The studio's browser test (internal/studio TestBrowser) drives Debian's chromium with chromedp.
if ! command -v chromium >/dev/null 2>&1; then
	log "installing chromium (apt-get)"
	export DEBIAN_FRONTEND=noninteractive
	quiet as_root apt-get update -q
	quiet as_root apt-get install -y -q --no-install-recommends chromium
fi

pip_install() {
	quiet "$PYTHON" -m pip install -q --disable-pip-version-check --root-user-action=ignore "$@"
}
if ! "$PYTHON" -c 'import confluent_kafka' >/dev/null 2>&1; then
	log "installing confluent-kafka (pip)"
	pip_install 'confluent-kafka>=2.6,<3'
fi
if ! "$PYTHON" -c 'import pytest' >/dev/null 2>&1; then
	log "installing pytest (pip)"
	pip_install 'pytest>=8,<10'
fi

if ! "$PYTHON" -c 'import yaml' >/dev/null 2>&1; then
	log "installing PyYAML (pip)"
	pip_install 'PyYAML>=6,<7'
fi
if ! "$PYTHON" -c 'import kubernetes_validate' >/dev/null 2>&1; then
	log "installing kubernetes-validate (pip)"
	pip_install 'kubernetes-validate==1.37.0'
fi
# kustomize for deploy/k8s (deploy/test_k8s.py): v5.7.1 builds with this Go (newer ones may need a newer one).
KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.7.1}"
if ! command -v kustomize >/dev/null 2>&1 && [[ ! -x "$(go env GOPATH)/bin/kustomize" ]]; then
	log "installing kustomize $KUSTOMIZE_VERSION (go install)"
	quiet env GOTOOLCHAIN=local GOFLAGS= go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
fi

quiet go mod download
log "ok: kcat, $(promtool --version 2>&1 | head -1 | awk '{print "promtool", $3}'), kustomize, confluent-kafka $("$PYTHON" -c 'from importlib.metadata import version; print(version("confluent-kafka"))'), $(go version | awk '{print $3}'), $(java -version 2>&1 | head -1)"
