# shellcheck shell=bash
# Sourced by the scripts that run a Python tool: one virtualenv per tool
# and version, in the user's cache (shared by every checkout, so a fresh
# clone installs nothing it has installed before). Not executable on its own.
#
#   source scripts/pyvenv.sh
#   venv="$(pyvenv schemathesis 4.32.5)" || exit 1   # installs on first use
#   "$venv/bin/schemathesis" ...

# pyvenv_root is where the virtualenvs live: LATCHKEY_TOOLS_DIR, or
# latchkey/ in the XDG cache folder.
pyvenv_root() {
	echo "${LATCHKEY_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/latchkey}"
}

# pyvenv PACKAGE VERSION: prints the virtualenv holding PACKAGE==VERSION,
# creating it first if needed (one installer at a time, whoever asks).
pyvenv() {
	local package="$1" version="$2" dir
	dir="$(pyvenv_root)/$package-$version"
	if [[ ! -f "$dir/.installed" ]]; then
		command -v python3 >/dev/null || {
			echo "pyvenv: python3 not found: $package needs Python 3.9+" >&2
			return 1
		}
		mkdir -p "$(pyvenv_root)"
		(
			flock 9
			if [[ ! -f "$dir/.installed" ]]; then
				echo "pyvenv: installing $package==$version into $dir" >&2
				rm -rf "$dir"
				python3 -m venv "$dir" || {
					echo "pyvenv: python3 -m venv failed (on Debian: apt-get install python3-venv)" >&2
					exit 1
				}
				"$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$package==$version" || {
					echo "pyvenv: pip install $package==$version failed" >&2
					rm -rf "$dir"
					exit 1
				}
				touch "$dir/.installed"
			fi
		) 9>"$(pyvenv_root)/$package.lock" || return 1
	fi
	echo "$dir"
}
