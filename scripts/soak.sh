#!/usr/bin/env bash
# The concurrency soak (issue 5 §1) on a private DynamoDB Local on a free
# port: TestSoak for LATCHKEY_SOAK_ROUNDS rounds (default 1000; make test
# runs 50 as part of go test ./...). Prints the figures as one "soak:" line.
#   scripts/soak.sh                       # 1000 rounds
#   LATCHKEY_SOAK_ROUNDS=200 scripts/soak.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/ports.sh
source scripts/ports.sh


port="${LATCHKEY_TEST_DDB_PORT:-$(free_port 8867 8966)}"

scripts/dynamodb-local.sh start "$port"
trap 'scripts/dynamodb-local.sh stop "$port" || true' EXIT

export LATCHKEY_TEST_DYNAMODB="http://127.0.0.1:$port"
export LATCHKEY_SOAK_ROUNDS="${LATCHKEY_SOAK_ROUNDS:-1000}"
local_aws_env

echo "== TestSoak, $LATCHKEY_SOAK_ROUNDS rounds (DynamoDB Local on port $port)"
go test -count=1 -timeout 60m -run '^TestSoak$' -v ./shared/app/
