#!/usr/bin/env bash
# Contract test: schemathesis (PyPI, in the project-local virtualenv
# .venv-schemathesis/, installed on first use) generates requests from
# shared/httpapi/openapi.json and runs them against `latchkey serve` on
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
set -euo pipefail

readonly DEFAULT_SCHEMATHESIS_VERSION="4.32.5"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/ports.sh
source scripts/ports.sh
venv="$root/.venv-schemathesis"
version="${SCHEMATHESIS_VERSION:-$DEFAULT_SCHEMATHESIS_VERSION}"
max_time="${SCHEMATHESIS_MAX_TIME:-40}"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-40}"
seed="${SCHEMATHESIS_SEED:-20261122}"

die() {
	echo "schemathesis.sh: $*" >&2
	exit 1
}

installed() {
	[[ -x "$venv/bin/schemathesis" && -f "$venv/.schemathesis-version" ]] &&
		[[ "$(cat "$venv/.schemathesis-version")" == "$version" ]]
}

install_schemathesis() {
	local python
	python="$(command -v python3 || true)"
	[[ -n "$python" ]] || die "python3 not found: schemathesis needs Python 3.9+"
	mkdir -p "$root/.cache"
	exec 8>"$root/.cache/schemathesis-venv.lock"
	flock 8
	if ! installed; then
		echo "schemathesis.sh: installing schemathesis==$version into .venv-schemathesis/" >&2
		rm -rf "$venv"
		"$python" -m venv "$venv" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
		"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$version" ||
			die "pip install schemathesis==$version failed"
		echo "$version" >"$venv/.schemathesis-version"
	fi
	flock -u 8
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

installed || install_schemathesis

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
post_token -d grant_type=password -d username=alice --data-urlencode "password=$user_password" \
	--data-urlencode 'scope=read offline_access' >/dev/null
curl -sS --fail-with-body -H "Authorization: Bearer $ST_ADMIN_TOKEN" -H 'Content-Type: application/json' \
	-d '{"name":"schemathesis","subject":"'"$subject"'","scopes":["read"]}' "$base/tokens" >/dev/null
export ST_CLIENT_ID ST_CLIENT_SECRET ST_ADMIN_TOKEN

# Credentials per security scheme of the document: Basic for the client
# endpoints, the admin bearer token for the others. schemathesis reads the
# values from the environment.
cat >"$work/schemathesis.toml" <<'EOF'
[auth.openapi.clientBasic]
username = "${ST_CLIENT_ID}"
password = "${ST_CLIENT_SECRET}"

[auth.openapi.bearerAuth]
bearer = "${ST_ADMIN_TOKEN}"
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
