#!/usr/bin/env python3
"""Reads `go test -json` on stdin and prints what `go test` would: the output of failed tests, one line per
package (ok / FAIL / no test files) and a closing count line `go test: N passed, M failed, K skipped`.
The raw JSON is kept by the caller (deploy/test.sh) for digging further. Exit code 1 if anything failed."""
import json
import sys

outputs = {}  # (package, test) -> [lines]
failed_tests, packages = [], []
passed = failed = skipped = 0
build_failed = False

for raw in sys.stdin:
    raw = raw.rstrip("\n")
    try:
        ev = json.loads(raw)
    except json.JSONDecodeError:
        # Build errors are printed as plain text between the JSON events.
        print(raw)
        build_failed = build_failed or raw.startswith("FAIL") or ": " in raw
        continue
    action, pkg, test = ev.get("Action"), ev.get("Package", ""), ev.get("Test")
    if action == "output":
        outputs.setdefault((pkg, test), []).append(ev.get("Output", ""))
        if test is None and ev.get("Output", "").startswith("# "):
            print(ev["Output"], end="")
    elif test is not None and action in ("pass", "fail", "skip"):
        if action == "pass":
            passed += 1
        elif action == "skip":
            skipped += 1
        else:
            failed += 1
            failed_tests.append((pkg, test))
    elif test is None and action in ("pass", "fail", "skip"):
        packages.append((action, pkg, ev.get("Elapsed", 0.0)))

for pkg, test in failed_tests:
    print(f"--- FAIL: {test} ({pkg})")
    for line in outputs.get((pkg, test), []):
        print("    " + line, end="" if line.endswith("\n") else "\n")
for action, pkg, elapsed in packages:
    if action == "pass":
        print(f"ok  \t{pkg}\t{elapsed:.3f}s")
    elif action == "skip":
        print(f"?   \t{pkg}\t[no test files]")
    else:
        for line in outputs.get((pkg, None), []):
            print(line, end="" if line.endswith("\n") else "\n")
        print(f"FAIL\t{pkg}\t{elapsed:.3f}s")
pkg_failed = any(a == "fail" for a, _, _ in packages)
print(f"go test: {passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or pkg_failed or build_failed else 0)
