#!/usr/bin/env bash
# Installs the pinned TypeScript MCP SDK (package.json, package-lock.json)
# into .cache/mcp-ts, once per lockfile, and puts e2e.mjs next to it:
# TestTypeScriptSDK (scripts/examples/mcpserver) runs it before the flow.
# Prints the folder.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dest="$root/.cache/mcp-ts"
stamp="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"
if [[ ! -f "$dest/.installed" || "$(cat "$dest/.installed")" != "$stamp" ]]; then
	mkdir -p "$dest"
	cp "$here/package.json" "$here/package-lock.json" "$dest/"
	(cd "$dest" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
	echo "$stamp" >"$dest/.installed"
fi
cp "$here/e2e.mjs" "$dest/e2e.mjs"
echo "$dest"
