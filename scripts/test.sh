#!/usr/bin/env bash
# The full check, as CI runs it (make test), in timed phases: go vet; go
# test against a private DynamoDB Local on a free port (every fuzz target's
# seed corpus runs here as a plain test); the README walk-through against a
# fresh `make dev` stack; the schemathesis contract run; the SAM template
# check (validate --lint, build). golangci-lint runs after go vet. It stops at the first failing phase and
# always ends with one summary line: tests run, skipped and failed, and the
# time of each phase.
#
#   scripts/test.sh
#   GOTESTFLAGS="-race -run TestRefresh" scripts/test.sh   # extra go test flags
#   TEST_FUZZTIME=5s scripts/test.sh   # also fuzz every target that long (make fuzz: 60s)
#   TEST_SKIP="lint,sam" scripts/test.sh   # skip phases by name while iterating
#
# Adding a phase: one line below, `phase NAME command args...`.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/ports.sh
source scripts/ports.sh

work="$(mktemp -d)"
ddb_port=""
timings=()
verdict="FAIL"
skipped_phases=""
started=$SECONDS

# phase NAME COMMAND...: runs the command (or function) in a subshell with
# errexit on, as one timed phase; a failure ends the run (the summary
# still prints). A phase cannot set variables for later ones. A phase named
# in TEST_SKIP (comma-separated) is skipped, and the verdict says so.
phase() {
	local name="$1" start=$SECONDS rc
	shift
	if [[ ",${TEST_SKIP:-}," == *",$name,"* ]]; then
		echo "== $name: skipped (TEST_SKIP)"
		timings+=("$name skipped")
		skipped_phases=1
		return 0
	fi
	echo "== $name"
	set +e
	(
		set -e
		"$@"
	)
	rc=$?
	set -e
	if ((rc != 0)); then
		timings+=("$name $((SECONDS - start))s FAILED")
		echo "== $name failed (exit $rc)" >&2
		exit "$rc"
	fi
	timings+=("$name $((SECONDS - start))s")
}

# summary prints the one-line result; it runs on every exit.
summary() {
	local run="?" skipped="?" failed="?" line
	if [[ -s "$work/counts" ]]; then
		# shellcheck disable=SC1091
		source "$work/counts"
	fi
	line="$(printf '%s · ' "${timings[@]}")"
	echo "== make test: $verdict in $((SECONDS - started))s: $run tests run, $skipped skipped, $failed failed · ${line% · }"
}

cleanup() {
	summary
	if [[ -n "$ddb_port" ]]; then
		scripts/dynamodb-local.sh stop "$ddb_port" >/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# go_tests runs every package's tests with -json and prints them as plain
# go test would, plus the counts (scripts/testsummary).
go_tests() {
	local extra
	read -r -a extra <<<"${GOTESTFLAGS:-}"
	go build -o "$work/testsummary" ./scripts/testsummary
	go test -json -count=1 -timeout 20m "${extra[@]}" ./... | "$work/testsummary" -counts "$work/counts"
}

fuzz() {
	FUZZTIME="$TEST_FUZZTIME" scripts/fuzz.sh
}

ddb_port="${LATCHKEY_TEST_DDB_PORT:-$(free_port 8766 8866)}"
export LATCHKEY_TEST_DYNAMODB="http://127.0.0.1:$ddb_port"
local_aws_env

phase "dynamodb-local" scripts/dynamodb-local.sh start "$ddb_port"
phase "chromium" scripts/chromium.sh
phase "go vet" go vet ./...
phase "lint" scripts/lint.sh
phase "go test" go_tests
if [[ -n "${TEST_FUZZTIME:-}" ]]; then
	phase "fuzz" fuzz
fi
phase "walk-through" scripts/walkthrough.sh
phase "schemathesis" scripts/schemathesis.sh
phase "sam" make --no-print-directory sam-check
verdict="PASS"
[[ -z "$skipped_phases" ]] || verdict="PASS (phases skipped)"
