#!/usr/bin/env bash
# Run the AWS SAM CLI from a project-local virtualenv (.venv-sam/), installing
# it from PyPI on first use. Arguments go to `sam` unchanged, e.g.
#   scripts/sam.sh validate --lint
#   scripts/sam.sh build
# Override the pinned version with SAM_CLI_VERSION (e.g. SAM_CLI_VERSION=1.170.0).
set -euo pipefail

readonly DEFAULT_SAM_CLI_VERSION="1.170.0"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv-sam"
version="${SAM_CLI_VERSION:-$DEFAULT_SAM_CLI_VERSION}"

die() {
	echo "sam.sh: $*" >&2
	exit 1
}

# installed: true if the venv holds a working sam of the wanted version.
installed() {
	[[ -x "$venv/bin/sam" && -f "$venv/.sam-cli-version" ]] &&
		[[ "$(cat "$venv/.sam-cli-version")" == "$version" ]]
}

install_sam() {
	local python
	python="$(command -v python3 || true)"
	[[ -n "$python" ]] || die "python3 not found: the SAM CLI needs Python 3.9+"
	mkdir -p "$root/.cache"
	# One installer at a time (make targets may run in parallel).
	exec 9>"$root/.cache/sam-venv.lock"
	flock 9
	if ! installed; then
		echo "sam.sh: installing aws-sam-cli==$version into .venv-sam/" >&2
		rm -rf "$venv"
		"$python" -m venv "$venv" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
		"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "aws-sam-cli==$version" ||
			die "pip install aws-sam-cli==$version failed"
		echo "$version" >"$venv/.sam-cli-version"
	fi
	flock -u 9
}

installed || install_sam

export AWS_REGION="${AWS_REGION:-us-east-1}"
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-$AWS_REGION}"
export SAM_CLI_TELEMETRY=0
# Dummy credentials only when no credentials are configured at all, so local
# commands (validate, build, local invoke) work; real ones are left alone.
if [[ -z "${AWS_ACCESS_KEY_ID:-}" && -z "${AWS_PROFILE:-}" &&
	! -f "${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}" &&
	! -f "${AWS_CONFIG_FILE:-$HOME/.aws/config}" ]]; then
	export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
fi

# Lambda binaries (SAM's go1.x builder passes this environment to `go build`):
# static, no RPC shim (lambda.norpc), symbols stripped (-s, which also drops DWARF).
export CGO_ENABLED=0
case " ${GOFLAGS:-} " in
*lambda.norpc*) ;;
*) export GOFLAGS="${GOFLAGS:+$GOFLAGS }-tags=lambda.norpc -ldflags=-s" ;;
esac

cd "$root"
exec "$venv/bin/sam" "$@"
