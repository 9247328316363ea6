#!/usr/bin/env bash
# same-output.sh OLD NEW: checks that two tagpipe binaries write the same records (full and compact, less
# tagged_at) on every eval set, the devset when ../shared is there, and 2,000 generated corpus articles. Used
# for each step of a speed change: build the old binary first (git stash; go build -o /tmp/old ./cmd/tagpipe).
set -euo pipefail
old=$1 new=$2
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$new" bench --write-corpus "$work/corpus.jsonl" --articles 2000 >/dev/null
inputs=("$root"/testdata/eval/*.jsonl "$work/corpus.jsonl")
[ -f "$root/../shared/devset/seed-articles.jsonl" ] && inputs+=("$root/../shared/devset/seed-articles.jsonl")
status=0
for f in "${inputs[@]}"; do
	for rec in full compact; do
		a=$("$old" tag --record "$rec" "$f" 2>/dev/null | sed -E 's/"tagged_at":"[^"]*",?//' | md5sum)
		b=$("$new" tag --record "$rec" "$f" 2>/dev/null | sed -E 's/"tagged_at":"[^"]*",?//' | md5sum)
		if [ "$a" = "$b" ]; then echo "same      $rec $(basename "$f")"; else echo "DIFFERENT $rec $(basename "$f")"; status=1; fi
	done
done
exit $status
