#!/usr/bin/env bash
# golangci-lint at a pinned version (staticcheck, errorlint, goimports and
# the depguard import rules of .golangci.yml), installed from the Go module
# proxy on first use into the user's cache (scripts/pyvenv.sh's folder,
# shared by every checkout, so a fresh clone builds it no more).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/pyvenv.sh
source scripts/pyvenv.sh
version=v2.15.0
dir="$(pyvenv_root)/golangci-lint-$version"
bin="$dir/golangci-lint"
if ! "$bin" version 2>/dev/null | grep -q "${version#v}"; then
  echo "installing golangci-lint $version into $dir (once per machine)"
  mkdir -p "$dir"
  GOBIN="$dir" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$version"
fi
exec "$bin" run "$@" ./...
