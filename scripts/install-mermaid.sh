#!/usr/bin/env bash
# Installs Mermaid's parser (mermaid 11.9.0 with jsdom 25.0.1 standing in for
# the browser) into .tools/mermaid/ from the npm registry only, with `npm ci`
# from the committed lockfile tools/mermaid/package-lock.json, and no install
# scripts: no browser is downloaded. The tests check every Mermaid diagram
# specrelay writes with it (tests/support/mermaid.rs).
#
# Idempotent: an install that matches the committed lockfile is left alone
# (scripts/npm-pinned.sh, shared with the other npm tool sets).
# Progress goes to stderr; stdout gets one NAME=/abs/path line, so a caller
# can do
#   eval "$(scripts/install-mermaid.sh)"; node "$MERMAID_CHECK" FILE.md
# Needs node (>= 18.20) and npm.
#
# To change a pin: edit tools/mermaid/package.json, then rewrite the lockfile:
#   npm install --prefix tools/mermaid --package-lock-only --ignore-scripts \
#     --no-audit --no-fund --omit-lockfile-registry-resolved=true
set -euo pipefail
shopt -s inherit_errexit

MERMAID_VERSION=11.9.0

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf 'install-mermaid: %s\n' "$*" >&2; }
source "$root/scripts/npm-pinned.sh"
npm_pinned_setup "$root" mermaid

if npm_pinned_current && installed_version mermaid "$MERMAID_VERSION"; then
  log "mermaid@$MERMAID_VERSION already in $dir"
else
  log "installing mermaid@$MERMAID_VERSION and jsdom from npm into $dir"
  npm_pinned_install
  installed_version mermaid "$MERMAID_VERSION" ||
    { log "$dir does not hold mermaid@$MERMAID_VERSION"; exit 1; }
fi
# The checker is ours, not the registry's: always the committed one.
cp "$lock/check.mjs" "$dir/check.mjs"
echo "MERMAID_CHECK=$dir/check.mjs"
