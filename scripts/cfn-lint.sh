#!/usr/bin/env bash
# Lint the CloudFormation that template.yaml becomes: translate the SAM
# template offline with aws-sam-translator (what CloudFormation's
# AWS::Serverless transform runs), then run cfn-lint on the result, so the
# generated roles, policies, log groups and API resources are checked too,
# not only what the SAM template spells out. Clean means no error and no
# warning (cfn-lint exit 0). make sam-check runs it; make test runs that.
#
#   scripts/cfn-lint.sh                    # template.yaml
#   scripts/cfn-lint.sh path/to/other.yaml
#   CFN_LINT_KEEP=out.json scripts/cfn-lint.sh   # keep the translated template
#
# Both tools are pinned, in a virtualenv under ~/.cache/latchkey
# (scripts/pyvenv.sh): cfn-lint CFN_LINT_VERSION with aws-sam-translator
# SAM_TRANSLATOR_VERSION, the translator scripts/sam.sh's SAM CLI pins.
set -euo pipefail

readonly DEFAULT_CFN_LINT_VERSION="1.58.0"
readonly DEFAULT_SAM_TRANSLATOR_VERSION="1.115.0"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/pyvenv.sh
source "$root/scripts/pyvenv.sh"
cfn_lint_version="${CFN_LINT_VERSION:-$DEFAULT_CFN_LINT_VERSION}"
translator_version="${SAM_TRANSLATOR_VERSION:-$DEFAULT_SAM_TRANSLATOR_VERSION}"
template="${1:-$root/template.yaml}"

die() {
	echo "cfn-lint.sh: $*" >&2
	exit 1
}

# with_translator makes sure the virtualenv holds the pinned translator
# (cfn-lint depends on a range of versions; the pin is what is checked).
with_translator() {
	local venv="$1" marker="$1/.aws-sam-translator-$translator_version"
	[[ -f "$marker" ]] && return 0
	(
		flock 9
		if [[ ! -f "$marker" ]]; then
			echo "cfn-lint.sh: installing aws-sam-translator==$translator_version into $venv" >&2
			"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "aws-sam-translator==$translator_version" ||
				die "pip install aws-sam-translator==$translator_version failed"
			rm -f "$venv"/.aws-sam-translator-*
			touch "$marker"
		fi
	) 9>"$venv.translator.lock"
}

venv="$(pyvenv cfn-lint "$cfn_lint_version")" || die "could not install cfn-lint==$cfn_lint_version"
with_translator "$venv"

[[ -f "$template" ]] || die "no template at $template"
out="${CFN_LINT_KEEP:-}"
if [[ -z "$out" ]]; then
	out="$(mktemp --suffix=.json)"
	trap 'rm -f "$out"' EXIT
fi

# Translation needs a region for the pseudo parameters and nothing else:
# no credentials, no network (managed policies are named by ARN). Local
# code folders become S3 URIs first, as sam package makes them.
AWS_DEFAULT_REGION=us-east-1 "$venv/bin/python" - "$template" "$out" <<'EOF'
import json, sys
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

class NoManagedPolicies:
    """The template names managed policies by ARN, so nothing is looked up."""
    def load(self):
        return {}

with open(sys.argv[1]) as f:
    template = yaml_parse(f.read())
# What sam package does: code in S3, not in a local folder.
template.get("Globals", {}).get("Function", {})["CodeUri"] = "s3://artifacts/latchkey.zip"
for resource in template["Resources"].values():
    if resource["Type"] == "AWS::Serverless::Function" and "CodeUri" in resource.get("Properties", {}):
        resource["Properties"]["CodeUri"] = "s3://artifacts/latchkey.zip"
translated = transform(template, {}, NoManagedPolicies())
with open(sys.argv[2], "w") as f:
    json.dump(translated, f, indent=1, sort_keys=True)
EOF

echo "cfn-lint.sh: cfn-lint $cfn_lint_version on $(basename "$template") as aws-sam-translator $translator_version translates it" >&2
"$venv/bin/cfn-lint" --format parseable -- "$out"
echo "cfn-lint.sh: clean" >&2
