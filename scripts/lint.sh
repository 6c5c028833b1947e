#!/usr/bin/env bash
# golangci-lint at a pinned version (staticcheck, errorlint, goimports and
# the depguard import rules of .golangci.yml), installed from the Go module
# proxy into .cache/bin on first use.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
version=v2.15.0
bin="$root/.cache/bin/golangci-lint"
if ! "$bin" version 2>/dev/null | grep -q "${version#v}"; then
  echo "installing golangci-lint $version into .cache/bin (once)"
  GOBIN="$root/.cache/bin" go install "github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$version"
fi
exec "$bin" run "$@" ./...
