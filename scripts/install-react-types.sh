#!/usr/bin/env bash
# Installs the pinned @types/react (and its csstype) that `discover`'s tests
# type-check the generated IntegrationProvider.tsx against, into
# .tools/react-types/, from the npm registry only, with `npm ci` from the
# committed lockfile tools/react-types/package-lock.json, with
# scripts/npm-pinned.sh as scripts/install-sdk-tools.sh does, in its own
# folder so that changing one pin never reinstalls the other tools.
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
log() { printf 'install-react-types: %s\n' "$*" >&2; }
# shellcheck source=scripts/npm-pinned.sh
source "$root/scripts/npm-pinned.sh"
npm_pinned_setup "$root" react-types

if npm_pinned_current && installed_version @types/react "$REACT_TYPES_VERSION"; then
  log "@types/react@$REACT_TYPES_VERSION already in $dir"
else
  log "installing @types/react@$REACT_TYPES_VERSION from npm into $dir"
  npm_pinned_install
  installed_version @types/react "$REACT_TYPES_VERSION" ||
    { log "$dir does not hold @types/react@$REACT_TYPES_VERSION"; exit 1; }
fi

printf 'REACT_TYPES=%s\n' "$dir/node_modules"
