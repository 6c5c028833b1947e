#!/usr/bin/env bash
# The README walk-through as a test (make walkthrough; make test runs it):
# a fresh `make dev` stack (scripts/dev.sh itself) on free ports with its
# state in a temporary folder, then every README block marked
# <!-- walkthrough --> runs as written, each shown answer checked
# (scripts/walkthrough); then the sample events that need make dev's data
# run through the Lambda handler with the sam local environment make dev
# wrote. Everything started here is stopped on exit.
# Needs curl and jq, as the walk-through does.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/ports.sh
source scripts/ports.sh

readonly READY_TIMEOUT_S=120

for tool in curl jq; do
	command -v "$tool" >/dev/null || {
		echo "walkthrough.sh: $tool not found: the README walk-through uses it" >&2
		exit 1
	}
done

work="$(mktemp -d)"
dev_pid=""
cleanup() {
	if [[ -n "$dev_pid" ]]; then
		kill -TERM "$dev_pid" 2>/dev/null || true
		wait "$dev_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

port="$(free_port 9167 9266)"
ddb_port="$(free_port 9267 9366)"
go build -o "$work/walkthrough" ./scripts/walkthrough

PORT="$port" DDB_PORT="$ddb_port" LATCHKEY_DEV_DIR="$work/dev" scripts/dev.sh >"$work/dev.log" 2>&1 &
dev_pid=$!
start=$SECONDS
until grep -qs '^make dev: ready' "$work/dev.log"; do
	if ! kill -0 "$dev_pid" 2>/dev/null || ((SECONDS - start >= READY_TIMEOUT_S)); then
		echo "walkthrough.sh: make dev did not get ready; its output:" >&2
		sed 's/^/    /' "$work/dev.log" >&2
		exit 1
	fi
	sleep 0.2
done
echo "walkthrough.sh: make dev ready on port $port (DynamoDB Local $ddb_port) in $((SECONDS - start)) s"

if ! "$work/walkthrough" -readme "$root/README.md" -env "$work/dev/dev.env"; then
	echo "walkthrough.sh: the server's log:" >&2
	tail -n 30 "$work/dev/dev-server.log" | sed 's/^/    /' >&2
	exit 1
fi

# The README's sam local commands, without Docker: the sample events that
# need make dev's client, user and signing keys get their tokens through
# the Lambda handler, configured from the .cache/sam-env.json make dev wrote.
for event in token-client-credentials token-password; do
	answer="$("$root/.bin/latchkey" invoke TokenFunction -e "events/$event.json" \
		--env-vars "$work/dev/sam-env.json" 2>"$work/invoke.log")" || {
		cat "$work/invoke.log" >&2
		exit 1
	}
	status="$(jq -r .statusCode <<<"$answer")"
	if [[ "$status" != 200 ]]; then
		echo "walkthrough.sh: events/$event.json with .cache/sam-env.json: $status $(jq -r .body <<<"$answer"); want 200" >&2
		exit 1
	fi
done
echo "walkthrough.sh: the sample events get tokens from make dev's stack with its sam-env.json"
