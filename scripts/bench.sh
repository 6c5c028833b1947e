#!/usr/bin/env bash
# The load benchmark (make bench; not part of make test). It starts a
# private DynamoDB Local and `latchkey serve` on free ports with a fresh
# table, then scripts/loadgen seeds a client, a user and an admin, records
# the DynamoDB capacity of each operation, drives every endpoint at each
# concurrency, builds every Lambda function as SAM does (sizes) and times
# each one's start-up against a stand-in Lambda Runtime API. It prints the
# tables and writes them into docs/performance.md between the bench markers.
#
#   BENCH_SECONDS=10 BENCH_CONCURRENCY=1,8,32 BENCH_SCENARIOS=token,refresh scripts/bench.sh
#   BENCH_DOC=none scripts/bench.sh   # print only, leave docs/performance.md alone
#   BENCH_LAMBDA=none ...              # skip the Lambda sizes and start-up
#   BENCH_SERVER_ENV="GOMAXPROCS=1 GOGC=400" BENCH_DOC=none scripts/bench.sh   # server runtime settings
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/ports.sh
source scripts/ports.sh

seconds="${BENCH_SECONDS:-10}"
concurrency="${BENCH_CONCURRENCY:-1,8,32}"
scenarios="${BENCH_SCENARIOS:-token,refresh,introspect,revoke,mint,sessions}"
doc="${BENCH_DOC:-docs/performance.md}"
work=.cache/bench
functions=(token refresh revoke mint introspect sessions-list)



mkdir -p "$work/lambda-arm64" "$work/lambda-host"
ddb_port="$(free_port 8970 9070)"
server_port="$(free_port 18080 18180)"
server_pid=""

cleanup() {
	if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	scripts/dynamodb-local.sh stop "$ddb_port" >/dev/null || true
}
trap cleanup EXIT

echo "== building latchkey and loadgen"
go build -o "$work/latchkey" ./scripts/latchkey
go build -o "$work/loadgen" ./scripts/loadgen

lambda_flags=()
if [[ "${BENCH_LAMBDA:-}" != "none" ]]; then
	echo "== building the Lambda functions as SAM does (linux/arm64, -tags lambda.norpc -trimpath -ldflags=-s)"
	for f in "${functions[@]}"; do
		GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags=-s \
			-o "$work/lambda-arm64/$f" "./functions/$f"
		# The same build for this machine, to time its start-up here.
		CGO_ENABLED=0 go build -tags lambda.norpc -trimpath -ldflags=-s -o "$work/lambda-host/$f" "./functions/$f"
	done
	lambda_flags=(-lambda-dir "$work/lambda-arm64" -startup-dir "$work/lambda-host" -functions "$(
		IFS=,
		echo "${functions[*]}"
	)")
fi

scripts/dynamodb-local.sh start "$ddb_port"

TABLE_NAME="latchkey-bench-$(date +%s)"
export TABLE_NAME
export DYNAMODB_ENDPOINT="http://127.0.0.1:$ddb_port"
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
export ISSUER="http://127.0.0.1:$server_port"
export LOG_LEVEL=info
KEY_ENCRYPTION_KEY="$(head -c 32 /dev/urandom | base64)"
export KEY_ENCRYPTION_KEY
unset KEY_ENCRYPTION_SECRET_ARN

"$work/latchkey" table create >/dev/null

# The server's logs go to a file: their size per request is part of the cost.
# BENCH_SERVER_ENV adds variables to the server's environment only (env
# execs the server, so $! is still its pid).
read -r -a server_env <<<"${BENCH_SERVER_ENV:-}"
env ${server_env[@]+"${server_env[@]}"} "$work/latchkey" serve --addr "127.0.0.1:$server_port" 2>"$work/server.log" &
server_pid=$!
for _ in $(seq 1 100); do
	if curl -fsS -o /dev/null "$ISSUER/.well-known/jwks.json" 2>/dev/null; then
		break
	fi
	kill -0 "$server_pid" 2>/dev/null || {
		echo "bench.sh: latchkey serve exited; log:" >&2
		cat "$work/server.log" >&2
		exit 1
	}
	sleep 0.1
done
echo "== latchkey serve pid $server_pid on $ISSUER, DynamoDB Local on $ddb_port, table $TABLE_NAME"

memory_mb="$(awk '/^ *MemorySize:/ {print $2; exit}' template.yaml)"
"$work/loadgen" -url "$ISSUER" -pid "$server_pid" -clk-tck "$(getconf CLK_TCK)" \
	-seconds "$seconds" -concurrency "$concurrency" -scenarios "$scenarios" \
	-server-log "$work/server.log" -lambda-memory-mb "${memory_mb:-256}" \
	${lambda_flags[@]+"${lambda_flags[@]}"} -markdown "$work/results.md"

if [[ "$doc" != "none" ]]; then
	begin='<!-- bench:begin -->'
	end='<!-- bench:end -->'
	if ! grep -qF "$begin" "$doc" || ! grep -qF "$end" "$doc"; then
		echo "bench.sh: $doc has no $begin … $end markers; results are in $work/results.md" >&2
		exit 1
	fi
	awk -v begin="$begin" -v end="$end" -v results="$work/results.md" '
		$0 == begin { print; while ((getline line < results) > 0) print line; skip = 1; next }
		$0 == end { skip = 0 }
		!skip { print }
	' "$doc" >"$work/performance.md"
	mv "$work/performance.md" "$doc"
	echo "== wrote the results into $doc"
fi
