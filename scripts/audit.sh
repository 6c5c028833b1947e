#!/usr/bin/env bash
# Security audit of template.yaml with checkov (make audit; not part of make
# test: checkov's rules change with its version and some want a judgement).
# checkov is pinned, in a virtualenv under ~/.cache/latchkey
# (scripts/pyvenv.sh). It fails on any failed check that is not skipped
# below; every skip says why it does not apply to Latchkey.
#
#   scripts/audit.sh                  # template.yaml
#   scripts/audit.sh other.yaml       # another template
#   CHECKOV_VERSION=3.3.30 scripts/audit.sh
set -euo pipefail

readonly DEFAULT_CHECKOV_VERSION="3.3.30"

# The checks skipped, one per line: id, then the reason.
readonly SKIPS='
CKV_AWS_116 Dead-letter queue: API Gateway invokes every function synchronously and gets the error back; a DLQ only receives failed asynchronous invocations, and there are none.
CKV_AWS_117 VPC: the functions reach only DynamoDB, Secrets Manager and CloudWatch, all over TLS with IAM; a VPC would add NAT gateways or endpoints (cost, cold starts) and protect nothing.
CKV_AWS_173 Environment encryption with a customer key: the variables hold names, ARNs and lifetimes, no secret (the key-encryption key is in Secrets Manager, under the stack'"'"'s KMS key); Lambda encrypts them at rest with its own key.
'

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/pyvenv.sh
source "$root/scripts/pyvenv.sh"
version="${CHECKOV_VERSION:-$DEFAULT_CHECKOV_VERSION}"
template="${1:-$root/template.yaml}"

venv="$(pyvenv checkov "$version")" || {
	echo "audit.sh: could not install checkov==$version" >&2
	exit 1
}
skip="$(awk 'NF {print $1}' <<<"$SKIPS" | paste -sd, -)"
echo "audit.sh: checkov $version on $(basename "$template"), skipping:" >&2
awk 'NF' <<<"$SKIPS" | sed 's/^/  /' >&2
"$venv/bin/checkov" --quiet --compact --skip-download --framework cloudformation --skip-check "$skip" -f "$template"
