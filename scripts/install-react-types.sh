#!/usr/bin/env bash
# Installs the pinned @types/react (and its csstype) that `discover`'s tests
# type-check the generated IntegrationProvider.tsx against, into
# .tools/react-types/, from the npm registry only, with `npm ci` from the
# committed lockfile tools/react-types/package-lock.json. The same pattern as
# scripts/install-sdk-tools.sh, in its own folder so that changing one pin
# never reinstalls the other tools.
#
# Idempotent: an install that matches the committed manifest and lockfile is
# left alone. Progress goes to stderr; stdout gets one line,
#   REACT_TYPES=/abs/path/.tools/react-types/node_modules
# the folder to give tsc as `typeRoots` / `paths` root:
#   eval "$(scripts/install-react-types.sh)"
#
# Pinning: tools/react-types/package.json pins @types/react 19.2.7 exactly;
# the lockfile freezes csstype with sha512 integrity. To change the pin, edit
# the manifest and rewrite the lockfile with
#   npm install --prefix tools/react-types --package-lock-only --ignore-scripts \
#     --no-audit --no-fund --omit-lockfile-registry-resolved=true
set -euo pipefail
shopt -s inherit_errexit

REACT_TYPES_VERSION=19.2.7

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The real path: .tools may be a symlink, and npm ci treats a --prefix
# reached through one as a linked package ("Missing: ...@ from lock file").
mkdir -p "$root/.tools"
tools="$(cd "$root/.tools" && pwd -P)"
lock="$root/tools/react-types"
dir="$tools/react-types"

log() { printf 'install-react-types: %s\n' "$*" >&2; }

command -v node >/dev/null || { log "node is required, with npm"; exit 1; }
command -v npm >/dev/null || { log "npm is required"; exit 1; }

installed() {
  VERSION=$REACT_TYPES_VERSION node -e '
    const m = require(process.argv[1] + "/node_modules/@types/react/package.json");
    process.exit(m.version === process.env.VERSION ? 0 : 1);' "$dir" 2>/dev/null
}

current() {
  cmp -s "$lock/package.json" "$dir/package.json" &&
    cmp -s "$lock/package-lock.json" "$dir/package-lock.json" &&
    installed
}

[[ -f $tools/.gitignore ]] || printf '*\n' >"$tools/.gitignore"

if current; then
  log "@types/react@$REACT_TYPES_VERSION already in $dir"
else
  log "installing @types/react@$REACT_TYPES_VERSION from npm into $dir"
  rm -rf "$dir" "$dir.partial"
  mkdir -p "$dir.partial"
  cp "$lock/package.json" "$lock/package-lock.json" "$dir.partial/"
  npm ci --prefix "$dir.partial" --no-audit --no-fund --no-update-notifier \
    --ignore-scripts --loglevel=error >&2
  mv "$dir.partial" "$dir"
  installed || { log "$dir does not hold @types/react@$REACT_TYPES_VERSION"; exit 1; }
fi

printf 'REACT_TYPES=%s\n' "$dir/node_modules"
