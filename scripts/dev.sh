#!/usr/bin/env bash
# Local development (make dev): DynamoDB Local, the table from template.yaml,
# the README walk-through's clients and user plus the sample events' client
# and user, then every route on 127.0.0.1:PORT with `latchkey serve`.
#
#   scripts/dev.sh                 # PORT=8080 DDB_PORT=8000
#   PORT=9080 DDB_PORT=9000 scripts/dev.sh
#   KEEP=1 scripts/dev.sh          # leave DynamoDB Local (and its data) running on exit
#   scripts/dev.sh stop            # stop a running make dev and its DynamoDB Local (make stop)
#
# Both ports are checked before anything starts. DynamoDB Local on DDB_PORT
# is reused if it is this checkout's own (a KEEP=1 run, make ddb-start) and
# refused if it is anything else. Ctrl-C stops the server and, unless KEEP=1,
# DynamoDB Local (in memory: its data goes with it).
#
# Written for the README and the CLI: .cache/dev.env (export lines: the
# stack's settings, the demo clients' ids and secrets, the user, its
# subject), .cache/sam-env.json (infra/env.json with this DDB_PORT, for
# sam local), and the CLI at .bin/latchkey. LATCHKEY_DEV_DIR moves the
# state files elsewhere (the walk-through test runs its own stack so).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/ports.sh
source scripts/ports.sh

port="${PORT:-8080}"
ddb_port="${DDB_PORT:-8000}"
keep="${KEEP:-}"
dir="${LATCHKEY_DEV_DIR:-$root/.cache}"
env_file="$dir/dev.env"
pid_file="$dir/dev.pid"
log_file="$dir/dev-server.log"
bin="$root/.bin/latchkey"

say() { echo "make dev: $*"; }
die() {
	echo "make dev: $*" >&2
	exit 1
}

# check_ports refuses, before anything starts, a busy server port or a
# DynamoDB Local port held by anything but this checkout's own.
check_ports() {
	local p who
	for p in "$port" "$ddb_port"; do
		[[ "$p" =~ ^[0-9]+$ && "$p" -ge 1 && "$p" -le 65535 ]] || die "'$p' is not a port number"
	done
	[[ "$port" != "$ddb_port" ]] || die "PORT and DDB_PORT are both $port"
	if port_open "$port"; then
		who="$(port_user "$port")"
		die "port $port is in use${who:+ by $who}: stop it or choose another (make dev PORT=...)"
	fi
	local rc=0
	scripts/dynamodb-local.sh status "$ddb_port" >/dev/null || rc=$?
	if ((rc == 3)); then
		scripts/dynamodb-local.sh status "$ddb_port" >&2 || true
		exit 1
	fi
}

# kek prints the key-encryption key of infra/env.json, so make dev and
# sam local seal and unseal signing keys alike. It is public: local only.
kek() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["TokenFunction"]["KEY_ENCRYPTION_KEY"])' infra/env.json
}

# sam_env writes infra/env.json with DynamoDB Local's port set to DDB_PORT.
sam_env() {
	python3 - "$ddb_port" "$dir/sam-env.json" <<'EOF'
import json, sys
port, out = sys.argv[1], sys.argv[2]
env = json.load(open("infra/env.json"))
for fn in env.values():
    fn["DYNAMODB_ENDPOINT"] = "http://host.docker.internal:" + port
json.dump(env, open(out, "w"), indent=2)
EOF
}

server_pid=""
cleanup() {
	trap - INT TERM EXIT
	if [[ -n "$server_pid" ]]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -f "$pid_file"
	if [[ -z "$keep" ]]; then
		scripts/dynamodb-local.sh stop "$ddb_port" >/dev/null 2>&1 || true
		say "stopped the server and DynamoDB Local on port $ddb_port"
	else
		say "stopped the server; DynamoDB Local keeps running on port $ddb_port (KEEP=1; make stop ends it)"
	fi
}

# smoke checks the server end to end: a client_credentials token for the
# demo client. It catches a table whose signing keys were sealed under
# another key-encryption key, which every token request would answer 503.
smoke() {
	local status
	status="$(curl -s -o "$dir/smoke.json" -w '%{http_code}' -u "$CID:$SECRET" \
		-d grant_type=client_credentials -d scope=read "$U/oauth2/token")" || status="none"
	if [[ "$status" != 200 ]]; then
		echo "make dev: a client_credentials request answered $status: $(cat "$dir/smoke.json" 2>/dev/null)" >&2
		tail -n 5 "$log_file" >&2 || true
		die "the stack does not work; make stop && make dev starts afresh"
	fi
}

start() {
	command -v curl >/dev/null || die "curl not found: install it"
	command -v python3 >/dev/null || die "python3 not found: install it"
	check_ports
	mkdir -p "$dir" "$(dirname "$bin")"
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	echo $$ >"$pid_file"
	scripts/dynamodb-local.sh start "$ddb_port"

	export TABLE_NAME=latchkey-local
	export DYNAMODB_ENDPOINT="http://127.0.0.1:$ddb_port"
	KEY_ENCRYPTION_KEY="$(kek)"
	export KEY_ENCRYPTION_KEY
	export ISSUER="http://127.0.0.1:$port"
	# The server notices `latchkey client disable` at once and `latchkey
	# keys rotate` within a second (deployed: 30 s and 5 min).
	export CLIENT_CACHE_TTL=0s KEY_CACHE_TTL=1s

	go build -o "$bin" ./scripts/latchkey
	"$bin" table create
	"$bin" demo seed --env-file "$env_file"
	sam_env
	# shellcheck source=/dev/null
	source "$env_file"

	"$bin" serve --addr "127.0.0.1:$port" 2> >(tee "$log_file" >&2) &
	server_pid=$!
	for _ in $(seq 1 100); do
		port_open "$port" && break
		kill -0 "$server_pid" 2>/dev/null || die "latchkey serve exited (port $port taken since the check?)"
		sleep 0.1
	done
	port_open "$port" || die "latchkey serve is not listening on $port after 10 s"
	smoke
	ready
	wait "$server_pid"
}

ready() {
	local rel="${env_file#"$root"/}" ctrl_c="Ctrl-C stops the server and DynamoDB Local (KEEP=1 keeps DynamoDB Local)"
	[[ -z "$keep" ]] || ctrl_c="Ctrl-C stops the server; DynamoDB Local keeps running (KEEP=1)"
	cat <<EOF
make dev: ready. Every endpoint on $U; DynamoDB Local on port $ddb_port.
In another terminal, from the checkout:
  source $rel                 # TABLE_NAME, DYNAMODB_ENDPOINT, U, CID, SECRET, ADMIN_CID, ...
  export PATH="\$PWD/.bin:\$PATH"       # the latchkey CLI
  curl -s -u "\$CID:\$SECRET" -d grant_type=client_credentials -d scope=read \$U/oauth2/token
$ctrl_c; make stop ends both.
EOF
}

# stop ends a running make dev (its cleanup stops DynamoDB Local), then
# this checkout's DynamoDB Local on DDB_PORT if one is left (KEEP=1).
stop() {
	local pid
	if [[ -f "$pid_file" ]]; then
		pid="$(cat "$pid_file")"
		if [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'scripts/dev.sh'; then
			kill -TERM "$pid"
			while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
			say "stopped make dev (pid $pid)"
		fi
		rm -f "$pid_file"
	fi
	if [[ -f "$env_file" && -z "${DDB_PORT:-}" ]]; then
		ddb_port="$(sed -nE "s#^export DYNAMODB_ENDPOINT='http://127.0.0.1:([0-9]+)'#\1#p" "$env_file")"
		ddb_port="${ddb_port:-8000}"
	fi
	if scripts/dynamodb-local.sh status "$ddb_port" >/dev/null; then
		scripts/dynamodb-local.sh stop "$ddb_port"
	fi
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
*)
	echo "usage: $0 [start|stop]" >&2
	exit 2
	;;
esac
