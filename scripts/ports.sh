# shellcheck shell=bash
# Sourced by the scripts that start servers of their own: port helpers and
# the environment DynamoDB Local needs. Not executable on its own.

# port_open PORT: true if something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
	timeout 1 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# port_user PORT: what listens on PORT, as "java (pid 123)", when ss can
# tell (another user's process cannot be named); empty otherwise.
port_user() {
	command -v ss >/dev/null || return 0
	ss -ltnpH "sport = :$1" 2>/dev/null | grep -oE 'users:\(\("[^"]+",pid=[0-9]+' | head -1 |
		sed -E 's/users:\(\("([^"]+)",pid=([0-9]+)/\1 (pid \2)/'
}

# free_port FROM TO: a port in the range nothing answers on, tried in random
# order so that two runs at once rarely pick the same one.
free_port() {
	local p
	for p in $(shuf -i "$1-$2"); do
		if ! port_open "$p"; then
			echo "$p"
			return 0
		fi
	done
	echo "no free port in $1-$2" >&2
	return 1
}

# local_aws_env: the region and credentials DynamoDB Local accepts (any key
# id of letters and digits), unless the environment already has some.
local_aws_env() {
	export AWS_REGION="${AWS_REGION:-us-east-1}"
	export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local}"
	export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local}"
}
