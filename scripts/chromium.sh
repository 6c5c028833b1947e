#!/usr/bin/env bash
# Make sure a Chromium is installed for the real-browser sign-in test
# (shared/app/browser_test.go, TestBrowserSignIn, driven by chromedp).
#
#   scripts/chromium.sh        # exit 0 when a browser is there or was installed
#
# When none is on PATH and this runs as root, it installs Debian's chromium
# package (apt-get install --no-install-recommends, about 300 MB). Otherwise
# it says what to run and exits 0: the test then skips, or fails when
# CI=true, so a CI run never passes without the browser.
set -euo pipefail

for name in chromium chromium-browser google-chrome; do
	if command -v "$name" >/dev/null 2>&1; then
		echo "chromium: $(command -v "$name")"
		exit 0
	fi
done

if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
	echo "chromium: not installed; as root run: apt-get install -y --no-install-recommends chromium" >&2
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1; then
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
echo "chromium: installed $(command -v chromium)"
