#!/usr/bin/env bash
# Contract test: schemathesis (PyPI; in a virtualenv under ~/.cache/latchkey/
# that every checkout shares, installed on first use by scripts/pyvenv.sh)
# generates requests from shared/httpapi/openapi.json and runs them against `latchkey serve` on
# DynamoDB Local, checking that no answer is a 5xx and that every answer
# conforms to the document (status code, content type, headers, schema),
# with every other check schemathesis has (invalid input refused, 405 with
# Allow for other methods, auth not ignored, ...) except
# positive_data_acceptance: generated credentials and tokens are random,
# so valid-looking requests are rightly refused.
#
#   scripts/schemathesis.sh                      # as make test runs it
#   SCHEMATHESIS_MAX_TIME=300 scripts/schemathesis.sh
#   scripts/schemathesis.sh --include-path /oauth2/token   # extra flags go to `schemathesis run`
#
# DynamoDB Local: the one at LATCHKEY_TEST_DYNAMODB when set (scripts/test.sh
# exports it), on a table of its own (left there: DynamoDB Local runs in
# memory); otherwise one started here on a free port. Everything started
# here is stopped on exit. The run is bounded by SCHEMATHESIS_MAX_TIME
# seconds (default 40) and SCHEMATHESIS_MAX_EXAMPLES per operation.
#
# Notes a passing run may print: the stateful phase may say it could not
# follow GET /sessions -> DELETE /sessions/{id} because a page had no
# sessions/0: a sessions page is one DynamoDB query that reads `limit`
# items before the filter, so a page can be short, even empty, and still
# carry a next_cursor (docs/design.md §6). Two warnings are not shown: see
# the configuration below.
set -euo pipefail

readonly DEFAULT_SCHEMATHESIS_VERSION="4.32.5"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/ports.sh
source scripts/ports.sh
# shellcheck source=scripts/pyvenv.sh
source scripts/pyvenv.sh
version="${SCHEMATHESIS_VERSION:-$DEFAULT_SCHEMATHESIS_VERSION}"
max_time="${SCHEMATHESIS_MAX_TIME:-40}"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-40}"
seed="${SCHEMATHESIS_SEED:-20261122}"

die() {
	echo "schemathesis.sh: $*" >&2
	exit 1
}

work="$(mktemp -d)"
ddb_port=""
serve_pid=""
cleanup() {
	if [[ -n "$serve_pid" ]]; then
		kill "$serve_pid" 2>/dev/null || true
		wait "$serve_pid" 2>/dev/null || true
	fi
	if [[ -n "$ddb_port" ]]; then
		"$root/scripts/dynamodb-local.sh" stop "$ddb_port" >&2 || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

venv="$(pyvenv schemathesis "$version")"

local_aws_env
if [[ -n "${LATCHKEY_TEST_DYNAMODB:-}" ]]; then
	export DYNAMODB_ENDPOINT="$LATCHKEY_TEST_DYNAMODB"
else
	ddb_port="$(free_port 8967 9066)"
	scripts/dynamodb-local.sh start "$ddb_port" >&2
	export DYNAMODB_ENDPOINT="http://127.0.0.1:$ddb_port"
fi
serve_port="$(free_port 9067 9166)"
base="http://127.0.0.1:$serve_port"
TABLE_NAME="lk-schemathesis-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export TABLE_NAME
KEY_ENCRYPTION_KEY="$(head -c 32 /dev/urandom | base64)"
export KEY_ENCRYPTION_KEY
export ISSUER="$base" LOG_LEVEL=error

go build -o "$work/latchkey" ./scripts/latchkey
lk="$work/latchkey"
"$lk" table create >/dev/null

# A client that may use every grant, introspect any token and, through its
# client_credentials token (latchkey:admin), call every bearer endpoint.
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
client="$("$lk" client create --name schemathesis --grants client_credentials,password,refresh_token \
	--scopes "read write latchkey:admin" --offline --introspect --json)"
ST_CLIENT_ID="$(json_field client_id <<<"$client")"
ST_CLIENT_SECRET="$(json_field client_secret <<<"$client")"
user_password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
subject="$("$lk" user create --username alice --password-stdin --json <<<"$user_password" | json_field subject)"

"$lk" serve --addr "127.0.0.1:$serve_port" 2>"$work/serve.log" &
serve_pid=$!
for _ in $(seq 1 100); do
	port_open "$serve_port" && break
	kill -0 "$serve_pid" 2>/dev/null || die "latchkey serve exited: $(cat "$work/serve.log")"
	sleep 0.1
done
port_open "$serve_port" || die "latchkey serve did not listen on $serve_port"

post_token() {
	curl -sS --fail-with-body -u "$ST_CLIENT_ID:$ST_CLIENT_SECRET" "$@" "$base/oauth2/token"
}
ST_ADMIN_TOKEN="$(post_token -d grant_type=client_credentials --data-urlencode 'scope=latchkey:admin read' | json_field access_token)"
# One session and one long-lived token, so the sessions page has rows.
session_token="$(post_token -d grant_type=password -d username=alice --data-urlencode "password=$user_password" \
	--data-urlencode 'scope=read offline_access' | json_field access_token)"
ST_SESSION_ID="$(curl -sS --fail-with-body -u "$ST_CLIENT_ID:$ST_CLIENT_SECRET" --data-urlencode "token=$session_token" \
	"$base/oauth2/introspect" | json_field sid)"
curl -sS --fail-with-body -H "Authorization: Bearer $ST_ADMIN_TOKEN" -H 'Content-Type: application/json' \
	-d '{"name":"schemathesis","subject":"'"$subject"'","scopes":["read"]}' "$base/tokens" >/dev/null
export ST_CLIENT_ID ST_CLIENT_SECRET ST_ADMIN_TOKEN ST_SESSION_ID

# Credentials per security scheme of the document: Basic for the client
# endpoints, the admin bearer token for the others. schemathesis reads the
# values from the environment.
cat >"$work/schemathesis.toml" <<'EOF'
# Every warning but "schema validation mismatch" and "low valid-input
# rate", which the OAuth and sign-in endpoints always raise: their forms are
# valid only with a registered client, a genuine token or code, a grant the
# client may use, none of which a document can state, so most generated
# requests are rightly refused with 400 or 401 (the Go tests drive those
# endpoints with real data). schemathesis 4.32.5 reads this setting
# globally only: per operation it is ignored.
warnings = { display = ["missing_auth", "missing_test_data", "base_url_mismatch", "missing_deserializer",
  "unused_openapi_auth", "unsupported_regex", "method_not_allowed", "constants_extraction", "unmatched_filter",
  "unresolvable_reference", "rate_limited", "dictionary_mismatch", "timeout_units"] }

[auth.openapi.clientBasic]
username = "${ST_CLIENT_ID}"
password = "${ST_CLIENT_SECRET}"

[auth.openapi.bearerAuth]
bearer = "${ST_ADMIN_TOKEN}"

# DELETE /sessions/{id} gets a real session's id: random ids only ever
# reach the 404 (schemathesis's "missing test data" warning). The first
# request revokes it; later ones get {"revoked":0}.
[[operations]]
include-name = "DELETE /sessions/{id}"
parameters = { "path.id" = "${ST_SESSION_ID}" }

EOF

# schemathesis and Hypothesis keep their caches (stored crashes for
# `schemathesis replay`, the example database) in the working directory.
mkdir -p .cache/schemathesis
cd .cache/schemathesis
echo "== schemathesis $version against latchkey serve on $base (DynamoDB Local $DYNAMODB_ENDPOINT, table $TABLE_NAME)"
"$venv/bin/schemathesis" --config-file "$work/schemathesis.toml" --no-color run "$base/openapi.json" \
	--checks all --exclude-checks positive_data_acceptance \
	--max-examples "$max_examples" --max-time "$max_time" --seed "$seed" --workers 2 \
	--request-timeout 10 "$@"
