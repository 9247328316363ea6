#!/usr/bin/env bash
# setup.sh installs what `make test` and .ci/run need beyond Go, a JDK and Maven:
# kcat (Debian package), the Python packages confluent-kafka and pytest, and the Go
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

if ! command -v kcat >/dev/null 2>&1; then
	log "installing kcat (apt-get)"
	export DEBIAN_FRONTEND=noninteractive
	quiet as_root apt-get update -q
	quiet as_root apt-get install -y -q --no-install-recommends kcat
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

quiet go mod download
log "ok: kcat, confluent-kafka $("$PYTHON" -c 'from importlib.metadata import version; print(version("confluent-kafka"))'), $(go version | awk '{print $3}'), $(java -version 2>&1 | head -1)"
