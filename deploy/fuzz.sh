#!/usr/bin/env bash
# fuzz.sh is `make fuzz`: it finds every `func FuzzXxx(f *testing.F)` in the module's
# *_test.go files and runs each one briefly (FUZZTIME, default 10s), one at a time
# (go test -fuzz takes a single target per run). Exits non-zero if any target fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

FUZZTIME="${FUZZTIME:-10s}"
failed=()
count=0
while IFS=: read -r file name; do
	[[ -n "$file" ]] || continue
	pkg="./$(dirname "${file#./}")"
	count=$((count + 1))
	echo "=== fuzz $pkg $name ($FUZZTIME)"
	if ! go test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" "$pkg"; then
		failed+=("$pkg $name")
	fi
done < <(grep -rEo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' . |
	sed -E 's/^(.*):func (Fuzz[A-Za-z0-9_]*)\(.*/\1:\2/' | grep -v '/vendor/' | sort -u)

if ((count == 0)); then
	echo "fuzz: no fuzz targets found"
	exit 0
fi
if ((${#failed[@]})); then
	echo "fuzz: failing targets:"
	printf '  %s\n' "${failed[@]}"
	exit 1
fi
echo "fuzz: $count target(s) ran for $FUZZTIME each without a failure"
