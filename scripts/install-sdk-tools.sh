#!/usr/bin/env bash
# Installs the pinned tools that check generated SDKs (TypeScript's tsc, and
# the Prism mock server the runtime-conformance tests call) into .tools/sdk/,
# from the npm registry only, with `npm ci` from the committed lockfile
# tools/sdk/package-lock.json.
#
# Idempotent: an install that already matches the committed manifest and
# lockfile, with both tools reporting their pinned versions, is left alone.
# Progress goes to stderr; stdout gets one NAME=/abs/path line per tool, so a
# caller can do
#   eval "$(scripts/install-sdk-tools.sh)"; "$TSC" --version; "$PRISM" --version
# Needs node (>= 18.20.1) and npm. Both tools are plain JavaScript, need no
# install scripts (the install runs with --ignore-scripts), and run offline.
#
# Pinning: tools/sdk/package.json pins each tool to an exact version, and
# tools/sdk/package-lock.json freezes the whole tree with sha512 integrity.
#   typescript 5.9.3              the latest 5.9 patch.
#   @stoplight/prism-cli 5.14.2   the newest Prism whose packages still declare
#       Node 18.20+/20 support; 5.15.10 and later declare node >=24.14 (5.16.0:
#       >=24.18). Its caret ranges would pull those newer prism-core and
#       prism-http-server, so `overrides` holds them (and prism-http) on the
#       5.8/5.12 line that 5.14.2 was released with.
# To change a pin: edit tools/sdk/package.json, then rewrite the lockfile with
#   npm install --prefix tools/sdk --package-lock-only --ignore-scripts \
#     --no-audit --no-fund --omit-lockfile-registry-resolved=true
# (the lockfile records integrity hashes but no download addresses; npm ci
# fetches from whichever registry npm is configured to use)
# and update the versions below.
set -euo pipefail
shopt -s inherit_errexit # so failures inside $(...) stop the script

TYPESCRIPT_VERSION=5.9.3
PRISM_VERSION=5.14.2

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
log() { printf 'install-sdk-tools: %s\n' "$*" >&2; }
# shellcheck source=scripts/npm-pinned.sh
source "$root/scripts/npm-pinned.sh"
npm_pinned_setup "$root" sdk
tsc="$dir/node_modules/.bin/tsc"
prism="$dir/node_modules/.bin/prism"

node -e 'const [a, b, c] = process.versions.node.split(".").map(Number);
  process.exit(a > 18 || (a === 18 && (b > 20 || (b === 20 && c >= 1))) ? 0 : 1)' ||
  { log "node $(node --version) is too old: Prism $PRISM_VERSION needs >= 18.20.1"; exit 1; }

# reports EXE EXPECTED: EXE exists and its --version output contains EXPECTED.
reports() { [[ -x $1 && $("$1" --version 2>&1) == *"$2"* ]]; }

# current: .tools/sdk was installed from the committed manifest and lockfile
# and holds both pinned versions.
current() {
  npm_pinned_current &&
    [[ -x $tsc && -x $prism ]] &&
    installed_version typescript "$TYPESCRIPT_VERSION" &&
    installed_version @stoplight/prism-cli "$PRISM_VERSION"
}

if current; then
  log "typescript@$TYPESCRIPT_VERSION and @stoplight/prism-cli@$PRISM_VERSION already in $dir"
else
  log "installing typescript@$TYPESCRIPT_VERSION and @stoplight/prism-cli@$PRISM_VERSION from npm into $dir"
  npm_pinned_install
  reports "$tsc" "Version $TYPESCRIPT_VERSION" ||
    { log "$tsc does not report 'Version $TYPESCRIPT_VERSION'"; exit 1; }
  reports "$prism" "$PRISM_VERSION" ||
    { log "$prism does not report '$PRISM_VERSION'"; exit 1; }
fi

printf 'TSC=%s\nPRISM=%s\n' "$tsc" "$prism"
