#!/usr/bin/env bash
# Installs the peer OpenAPI diff tools that `cargo bench --bench diff` compares
# specrelay with, into .tools/bench/, from the npm registry only.
#
# Idempotent: a tool already installed at its pinned version is left alone.
# Progress goes to stderr; stdout gets one NAME=/abs/path line per tool, so a
# caller can do
#   eval "$(scripts/install-bench-tools.sh)"; "$OPTIC" diff a.yaml b.yaml --json
# Needs node (>= 18) and npm. The tools are plain JavaScript and run offline
# once installed (the bench turns off Optic's telemetry and update check).
#
# Pinning: each tool's own package is pinned to an exact version and its
# tarball's sha512 integrity is checked against the lockfile npm writes; the
# transitive dependencies are frozen by resolving them as the registry stood
# on NPM_BEFORE, so a rerun resolves the same tree.
set -euo pipefail
shopt -s inherit_errexit # so failures inside $(install ...) stop the script

NPM_BEFORE=2026-11-15T00:00:00Z

# Optic (useoptic/optic): OpenAPI diff and breaking-change checks, `optic diff
# base head --json`. Its dependency ranges let npm install two copies of ajv,
# and ajv-errors then generates code for the wrong one ("Error compiling
# schema" at start-up), so one ajv is forced for the whole tree.
OPTIC_PACKAGE=@useoptic/optic
OPTIC_VERSION=1.0.9
OPTIC_INTEGRITY=sha512-a/pjJIXqwYAGAgWqCbCP3uJId328srMO2QshxADdcn3rdGTzw/O/EublRAzT6ppET34FX6Q/eOKUHrUovGm5ow==
OPTIC_OVERRIDES='{"ajv": "8.20.0"}'

# openapi-diff (Atlassian): classifies changes as breaking or not by set
# theory over the JSON schemas; `openapi-diff base head` prints JSON.
OPENAPI_DIFF_PACKAGE=openapi-diff
OPENAPI_DIFF_VERSION=0.24.1
OPENAPI_DIFF_INTEGRITY=sha512-6DE6XIDm9PunxtZ9BS1hU9WPnupv2SMqjzBpcNyhKwOYUsPJFErjNPZXA66W0nVDYzxGNtvaPF+QbJOhx8eBeQ==
OPENAPI_DIFF_OVERRIDES='{}'

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
bench="$tools/bench"

log() { printf 'install-bench-tools: %s\n' "$*" >&2; }

command -v node >/dev/null || { log "node is required (and npm)"; exit 1; }
command -v npm >/dev/null || { log "npm is required"; exit 1; }

# manifest PACKAGE VERSION OVERRIDES: the package.json of a tool's folder.
manifest() {
  PACKAGE=$1 VERSION=$2 OVERRIDES=$3 node -e '
    const e = process.env;
    const m = { private: true, dependencies: { [e.PACKAGE]: e.VERSION },
                overrides: JSON.parse(e.OVERRIDES) };
    process.stdout.write(JSON.stringify(m, null, 2) + "\n");'
}

# installed DIR PACKAGE VERSION INTEGRITY: DIR holds PACKAGE@VERSION, installed
# from the tarball with that integrity.
installed() {
  [[ -f $1/package-lock.json ]] && PACKAGE=$2 VERSION=$3 INTEGRITY=$4 node -e '
    const e = process.env;
    const lock = require(process.argv[1] + "/package-lock.json");
    const entry = lock.packages["node_modules/" + e.PACKAGE] || {};
    const actual = require(process.argv[1] + "/node_modules/" + e.PACKAGE + "/package.json");
    process.exit(entry.version === e.VERSION && entry.integrity === e.INTEGRITY
      && actual.version === e.VERSION ? 0 : 1);' "$1" 2>/dev/null
}

# install NAME BIN PACKAGE VERSION INTEGRITY OVERRIDES
# Installs PACKAGE@VERSION into .tools/bench/NAME-VERSION unless it is already
# there, and prints the path of its executable BIN.
install() {
  local name=$1 bin=$2 package=$3 version=$4 integrity=$5 overrides=$6
  local dir="$bench/$name-$version"
  local exe="$dir/node_modules/.bin/$bin"
  local want
  want=$(manifest "$package" "$version" "$overrides")

  if [[ -x $exe && $(<"$dir/package.json") == "$want" ]] &&
    installed "$dir" "$package" "$version" "$integrity"; then
    log "$name: $package@$version already in $dir"
  else
    log "$name: installing $package@$version from npm into $dir"
    rm -rf "$bench/$name-"*
    mkdir -p "$dir.partial"
    printf '%s\n' "$want" >"$dir.partial/package.json"
    # --ignore-scripts: nothing from the registry runs at install time.
    (cd "$dir.partial" && npm install --no-audit --no-fund --no-update-notifier \
      --ignore-scripts --omit=dev --before="$NPM_BEFORE" --loglevel=error >&2)
    installed "$dir.partial" "$package" "$version" "$integrity" || {
      log "$name: $package@$version in $dir.partial does not have integrity $integrity"
      exit 1
    }
    mv "$dir.partial" "$dir"
    [[ -x $exe ]] || { log "$name: no executable at $exe"; exit 1; }
  fi
  printf '%s\n' "$exe"
}

mkdir -p "$bench"
# The folder ignores itself, so nothing here is ever committed.
[[ -f $tools/.gitignore ]] || printf '*\n' >"$tools/.gitignore"

optic=$(install optic optic "$OPTIC_PACKAGE" "$OPTIC_VERSION" \
  "$OPTIC_INTEGRITY" "$OPTIC_OVERRIDES")
openapi_diff=$(install openapi-diff openapi-diff "$OPENAPI_DIFF_PACKAGE" \
  "$OPENAPI_DIFF_VERSION" "$OPENAPI_DIFF_INTEGRITY" "$OPENAPI_DIFF_OVERRIDES")

printf 'OPTIC=%s\nOPENAPI_DIFF=%s\n' "$optic" "$openapi_diff"
