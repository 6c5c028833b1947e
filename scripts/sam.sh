#!/usr/bin/env bash
# Run the AWS SAM CLI from a virtualenv in the user's cache (scripts/pyvenv.sh:
# one per version, shared by every checkout), installing it from PyPI on
# first use. Arguments go to `sam` unchanged, e.g.
#   scripts/sam.sh validate --lint
#   scripts/sam.sh build
#   scripts/sam.sh deploy --guided          # see README "Deploy to AWS"
# The build itself lives in functions/Makefile (template.yaml: BuildMethod:
# makefile), so a plain `sam build` builds the same binaries.
# Override the pinned version with SAM_CLI_VERSION (e.g. SAM_CLI_VERSION=1.170.0).
set -euo pipefail

readonly DEFAULT_SAM_CLI_VERSION="1.170.0"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="${SAM_CLI_VERSION:-$DEFAULT_SAM_CLI_VERSION}"
# shellcheck source=scripts/pyvenv.sh
source "$root/scripts/pyvenv.sh"

die() {
	echo "sam.sh: $*" >&2
	exit 1
}

# local_defaults gives `sam local` a region and credentials when the AWS SDK
# finds none: it hands both to the function containers, which talk to
# DynamoDB Local (infra/env.json) and ignore them. The SDK's own chain is
# asked first (environment, profile, SSO, container and web-identity roles;
# the EC2 metadata service is not probed), so real settings always win.
local_defaults() {
	local found
	# botocore reads AWS_DEFAULT_REGION, the Go SDK AWS_REGION: one is enough.
	if [[ -n "${AWS_REGION:-}" && -z "${AWS_DEFAULT_REGION:-}" ]]; then
		export AWS_DEFAULT_REGION="$AWS_REGION"
	fi
	found="$(AWS_EC2_METADATA_DISABLED=true "$venv/bin/python" -c '
import botocore.session
s = botocore.session.Session()
print("region" if s.get_config_variable("region") else "-", "credentials" if s.get_credentials() else "-")
' 2>/dev/null || echo "- -")"
	if [[ "$found" != region* ]]; then
		export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
	elif [[ -z "${AWS_REGION:-}" && -n "${AWS_DEFAULT_REGION:-}" ]]; then
		export AWS_REGION="$AWS_DEFAULT_REGION"
	fi
	if [[ "$found" != *credentials ]]; then
		export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local
	fi
}

venv="$(pyvenv aws-sam-cli "$version")" || die "could not install aws-sam-cli==$version"

export SAM_CLI_TELEMETRY=0
# Only local subcommands get defaults. validate and build need no AWS at all
# (functions/Makefile sets every Go flag), and the commands that reach AWS
# (deploy, sync, package, delete, logs, list, remote, ...) must use exactly
# what the SDK finds: the profile's region, the CI or instance role.
for arg in "$@"; do
	[[ "$arg" == -* ]] && continue
	[[ "$arg" == local ]] && local_defaults
	break
done

cd "$root"
exec "$venv/bin/sam" "$@"
