#!/usr/bin/env bash
# The full check, as CI runs it: go vet, go test against a private DynamoDB
# Local on a free port, then the SAM template check (validate --lint, build).
# Extra `go test` flags: GOTESTFLAGS="-race -run TestRefresh" scripts/test.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/ports.sh
source scripts/ports.sh

port="${LATCHKEY_TEST_DDB_PORT:-$(free_port 8766 8866)}"

scripts/dynamodb-local.sh start "$port"
trap 'scripts/dynamodb-local.sh stop "$port" || true' EXIT

export LATCHKEY_TEST_DYNAMODB="http://127.0.0.1:$port"
local_aws_env

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
