#!/usr/bin/env bash
# Local development: DynamoDB Local on 8000, the table from template.yaml,
# a demo client and user (first run only), then every route on 127.0.0.1:8080.
# DynamoDB Local keeps running afterwards (in memory); `make ddb-stop` ends it.
set -euo pipefail

readonly DDB_PORT=8000
readonly ADDR=127.0.0.1:8080

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

scripts/dynamodb-local.sh start "$DDB_PORT"

# One key-encryption key per checkout, kept so signing keys stored in a
# still-running DynamoDB Local stay readable across restarts of the server.
kek_file=.cache/dev-kek
if [[ ! -s "$kek_file" ]]; then
	(
		umask 077
		head -c 32 /dev/urandom | base64 >"$kek_file"
	)
fi
KEY_ENCRYPTION_KEY="$(cat "$kek_file")"

export TABLE_NAME=latchkey-local
export DYNAMODB_ENDPOINT="http://127.0.0.1:$DDB_PORT"
export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
export KEY_ENCRYPTION_KEY
export ISSUER="http://$ADDR"

go build -o .cache/latchkey ./scripts/latchkey
.cache/latchkey table create
.cache/latchkey demo seed
exec .cache/latchkey serve --addr "$ADDR"
