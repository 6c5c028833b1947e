#!/usr/bin/env bash
# The full check, as CI runs it: go vet, go test against a private DynamoDB
# Local on a free port, then the SAM template check (validate --lint, build).
# Extra `go test` flags: GOTESTFLAGS="-race -run TestRefresh" scripts/test.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

port_open() {
	timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# First free port from 8766 (or LATCHKEY_TEST_DDB_PORT), so a dev instance on 8000 is untouched.
port="${LATCHKEY_TEST_DDB_PORT:-}"
if [[ -z "$port" ]]; then
	for p in $(seq 8766 8866); do
		if ! port_open "$p"; then
			port="$p"
			break
		fi
	done
fi
[[ -n "$port" ]] || {
	echo "test.sh: no free port in 8766-8866 for DynamoDB Local" >&2
	exit 1
}

scripts/dynamodb-local.sh start "$port"
trap 'scripts/dynamodb-local.sh stop "$port" || true' EXIT

export LATCHKEY_TEST_DYNAMODB="http://127.0.0.1:$port"
# DynamoDB Local accepts any key id made of letters and digits.
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local}"

read -r -a extra <<<"${GOTESTFLAGS:-}"

echo "== go vet ./..."
go vet ./...
echo "== go test ./... (DynamoDB Local on port $port)"
go test -count=1 -timeout 20m "${extra[@]}" ./...
echo "== fuzz: every target for ${TEST_FUZZTIME:-2s} (make fuzz: 60s each)"
FUZZTIME="${TEST_FUZZTIME:-2s}" scripts/fuzz.sh
echo "== schemathesis: openapi.json against latchkey serve"
scripts/schemathesis.sh
echo "== sam validate --lint, sam build"
make --no-print-directory sam-check
