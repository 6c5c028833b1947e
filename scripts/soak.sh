#!/usr/bin/env bash
# The concurrency soak (issue 5 §1) on a private DynamoDB Local on a free
# port: TestSoak for LATCHKEY_SOAK_ROUNDS rounds (default 1000; make test
# runs 50 as part of go test ./...). Prints the figures as one "soak:" line.
#   scripts/soak.sh                       # 1000 rounds
#   LATCHKEY_SOAK_ROUNDS=200 scripts/soak.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

port_open() {
	timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# First free port from 8867 (or LATCHKEY_TEST_DDB_PORT), apart from test.sh's range.
port="${LATCHKEY_TEST_DDB_PORT:-}"
if [[ -z "$port" ]]; then
	for p in $(seq 8867 8966); do
		if ! port_open "$p"; then
			port="$p"
			break
		fi
	done
fi
[[ -n "$port" ]] || {
	echo "soak.sh: no free port in 8867-8966 for DynamoDB Local" >&2
	exit 1
}

scripts/dynamodb-local.sh start "$port"
trap 'scripts/dynamodb-local.sh stop "$port" || true' EXIT

export LATCHKEY_TEST_DYNAMODB="http://127.0.0.1:$port"
export LATCHKEY_SOAK_ROUNDS="${LATCHKEY_SOAK_ROUNDS:-1000}"
# DynamoDB Local accepts any key id made of letters and digits.
export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local}"

echo "== TestSoak, $LATCHKEY_SOAK_ROUNDS rounds (DynamoDB Local on port $port)"
go test -count=1 -timeout 60m -run '^TestSoak$' -v ./shared/app/
