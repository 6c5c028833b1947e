#!/usr/bin/env bash
# Run every Go fuzz target (func FuzzX(f *testing.F) in shared/**/*_test.go)
# for FUZZTIME each, one target at a time (go test -fuzz takes one target per
# run), and print the executions and the result of each.
#
#   scripts/fuzz.sh                         # 60s per target (make fuzz)
#   FUZZTIME=3s scripts/fuzz.sh             # a short run (TEST_FUZZTIME=3s make test adds one)
#   FUZZ_TARGETS='Token|Verify' scripts/fuzz.sh   # only targets matching the regex
#
# Targets that drive handlers need DynamoDB Local: LATCHKEY_TEST_DYNAMODB is
# used when set (scripts/test.sh exports it); otherwise this script starts
# its own on a free port and stops it on exit. A failing input is written to
# the package's testdata/fuzz/FuzzX/: commit it as a regression seed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/ports.sh
source scripts/ports.sh

fuzztime="${FUZZTIME:-60s}"
only="${FUZZ_TARGETS:-.}"

start_dynamodb() {
	local port
	port="$(free_port 8867 8966)"
	scripts/dynamodb-local.sh start "$port" >&2
	ddb_port="$port"
	export LATCHKEY_TEST_DYNAMODB="http://127.0.0.1:$port"
	local_aws_env
}

# targets prints "package-dir target" for every fuzz target, sorted.
targets() {
	grep -rHoE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' shared scripts functions 2>/dev/null |
		sed -E 's#^(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]+).*#./\1 \2#' | sort -u
}

ddb_port=""
log="$(mktemp -d)"
cleanup() {
	rm -rf "$log"
	if [[ -n "$ddb_port" ]]; then
		scripts/dynamodb-local.sh stop "$ddb_port" >&2 || true
	fi
}
trap cleanup EXIT

[[ -n "${LATCHKEY_TEST_DYNAMODB:-}" ]] || start_dynamodb

failed=0
total=0
summary=()
while read -r pkg target; do
	[[ "$target" =~ $only ]] || continue
	total=$((total + 1))
	out="$log/$target.out"
	start=$SECONDS
	if go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg" >"$out" 2>&1; then
		result=ok
	else
		result=FAIL
		failed=$((failed + 1))
	fi
	# The last progress line holds the total; the baseline is the corpus
	# (testdata/fuzz plus what earlier runs kept in the Go cache) run first.
	execs="$(grep -oE 'execs: [0-9]+' "$out" | tail -1 | grep -oE '[0-9]+' || true)"
	corpus="$(grep -oE 'baseline coverage: [0-9]+/[0-9]+' "$out" | tail -1 | cut -d/ -f2 || true)"
	line="$(printf '%-28s %-18s %10s execs  %5s corpus  %4ss  %s' \
		"$target" "$pkg" "${execs:-0}" "${corpus:-0}" "$((SECONDS - start))" "$result")"
	echo "fuzz: $line"
	summary+=("$line")
	if [[ "$result" == FAIL ]]; then
		tail -n 40 "$out" | sed 's/^/    /'
	fi
done < <(targets)

echo "== fuzz summary (FUZZTIME=$fuzztime): $total targets, $failed failed"
printf '%s\n' "${summary[@]}"
[[ "$total" -gt 0 ]] || {
	echo "fuzz.sh: no fuzz target matches '$only'" >&2
	exit 1
}
[[ "$failed" -eq 0 ]]
