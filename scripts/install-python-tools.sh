#!/usr/bin/env bash
# Installs the pinned tools that check generated Python SDKs (mypy, httpx for
# the SDK itself, pytest for the runtime-conformance calls, setuptools to
# build its wheel) into a virtual environment at .tools/python/, from PyPI
# only, exactly as tools/python/requirements.txt pins them (every package of
# the closure, each with its wheels' sha256; see that file for the choices).
#
# Idempotent: an environment made from the same requirements file, whose
# mypy reports its pinned version, is left alone. Progress goes to stderr;
# stdout gets one NAME=/abs/path line per tool, so a caller can do
#   eval "$(scripts/install-python-tools.sh)"; "$MYPY" --version; "$PYTHON" -m pytest --version
# Needs python3 (3.9 or newer) with its venv module (Debian 12:
# python3-venv). Only wheels are installed (--only-binary=:all:), so nothing
# is built and nothing from the registry runs at install time.
set -euo pipefail
shopt -s inherit_errexit # so failures inside $(...) stop the script

MYPY_VERSION=1.20.2

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
requirements="$root/tools/python/requirements.txt"
dir="$tools/python"
python="$dir/bin/python"
mypy="$dir/bin/mypy"

log() { printf 'install-python-tools: %s\n' "$*" >&2; }

command -v python3 >/dev/null || { log "python3 (3.9 or newer) is required"; exit 1; }
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 9) else 1)' ||
  { log "$(python3 --version 2>&1) is too old: 3.9 or newer is required"; exit 1; }
python3 -c 'import venv, ensurepip' 2>/dev/null ||
  { log "python3 cannot make virtual environments (Debian 12: apt-get install python3-venv)"; exit 1; }
[[ -f $requirements ]] || { log "missing $requirements"; exit 1; }

# current: .tools/python was made from the committed requirements and its
# mypy is the pinned one.
current() {
  cmp -s "$requirements" "$dir/requirements.txt" &&
    [[ -x $python && -x $mypy ]] &&
    [[ $("$mypy" --version 2>/dev/null) == "mypy $MYPY_VERSION "* ]]
}

mkdir -p "$tools"
# The folder ignores itself, so nothing here is ever committed.
[[ -f $tools/.gitignore ]] || printf '*\n' >"$tools/.gitignore"

if current; then
  log "mypy $MYPY_VERSION, httpx, pytest and setuptools already in $dir"
else
  log "installing tools/python/requirements.txt (mypy $MYPY_VERSION, httpx, pytest, setuptools) from PyPI into $dir"
  rm -rf "$dir"
  # A venv records its own path in its scripts, so it is made where it stays;
  # the requirements copy that marks it complete is written last.
  python3 -m venv "$dir"
  "$python" -m pip install --quiet --disable-pip-version-check --no-input \
    --require-hashes --only-binary=:all: --no-deps --no-compile \
    -r "$requirements" >&2
  [[ $("$mypy" --version 2>/dev/null) == "mypy $MYPY_VERSION "* ]] ||
    { log "$mypy does not report mypy $MYPY_VERSION"; exit 1; }
  "$python" -c 'import httpx, pytest, setuptools' ||
    { log "the environment cannot import httpx, pytest and setuptools"; exit 1; }
  cp "$requirements" "$dir/requirements.txt"
fi

printf 'MYPY=%s\nPYTHON=%s\n' "$mypy" "$python"
