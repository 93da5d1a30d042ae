#!/usr/bin/env bash
# Runtime conformance for one spec: generates the TypeScript SDK, starts Prism
# (request validation on) from the same spec on 127.0.0.1:PORT, calls every
# operation through the generated client, and fails unless each call gets a
# status < 400 with no request-side "Error" in Prism's sl-violations header.
#
#   tests/node/run-conformance.sh SPEC PORT
#
# Assumes target/debug/specrelay is built (`cargo build`); SPECRELAY=path
# overrides it. Steps:
#   1. `specrelay generate --spec SPEC --languages typescript` into a temp dir;
#   2. `specrelay ingest` of SPEC into a temp workspace (file:// URL), only to
#      get the bundled canonical JSON (openapi/history/openapi-X.json) that
#      synthesize-calls.mjs reads, whatever SPEC's format or file layout, and
#      tests/node/synthesize-calls.mjs -> calls.json, with the skips of
#      tests/node/conformance-common.sh marked (synthesize_calls there);
#   3. scripts/prism-mock.sh SPEC PORT (stopped by the EXIT trap);
#   4. tests/node/conformance.mjs PACKAGE calls.json http://127.0.0.1:PORT,
#      whose JSON report goes to stdout (and $CONFORMANCE_REPORT if set).
# Exit: conformance.mjs's status (0 all passed, 1 a call failed), 2 usage.
set -euo pipefail
shopt -s inherit_errexit

log() { printf 'run-conformance: %s\n' "$*" >&2; }
[[ $# -eq 2 && -f $1 ]] || { log "usage: $0 SPEC PORT"; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
spec="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
port=$2
bin=${SPECRELAY:-$root/target/debug/specrelay}
[[ -x $bin ]] || { log "no $bin: run cargo build first"; exit 2; }

# skips_for SPEC (the documented Prism skips), synthesize_calls, alive PID and
# stop_prism PID.
# shellcheck source=tests/node/conformance-common.sh
source "$root/tests/node/conformance-common.sh"

tmp=$(mktemp -d)
prism_pid=
cleanup() {
  if [[ -n $prism_pid ]]; then
    stop_prism "$prism_pid"
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

log "generating the SDK for $spec"
"$bin" generate --spec "$spec" --languages typescript --sdk-dir "$tmp/sdk" --workspace "$tmp/gen" >/dev/null 2>"$tmp/generate.log" ||
  { cat "$tmp/generate.log" >&2; exit 1; }
pkg=$(dirname "$(find "$tmp/sdk" -name index.js -print -quit)")
[[ -f $pkg/client.js ]] || { log "no generated package under $tmp/sdk"; exit 1; }

synthesize_calls "$bin" "$spec" "$pkg" "$tmp"
prism_pid=$(PRISM_LOG="$tmp/prism.log" "$root/scripts/prism-mock.sh" "$spec" "$port")

status=0
node "$root/tests/node/conformance.mjs" "$pkg" "$tmp/calls.json" "http://127.0.0.1:$port" >"$tmp/report.json" || status=$?
if ! alive "$prism_pid"; then
  log "Prism is no longer running: it crashed during the run (calls after the crash fail to connect); its log ends:"
  tail -n 15 "$tmp/prism.log" | sed 's/^/run-conformance:   /' >&2
  prism_pid=
  status=1
fi
cat "$tmp/report.json"
[[ -z ${CONFORMANCE_REPORT:-} ]] || cp "$tmp/report.json" "$CONFORMANCE_REPORT"
node -e 'const r = require(process.argv[1]);
  console.error(`run-conformance: ${r.passed}/${r.total} passed, ${r.failed} failed, ${r.skipped} skipped`);
  for (const c of r.calls) if (c.outcome !== "passed") console.error(`  ${c.outcome}: ${c.operation} (${c.resource}.${c.method}) ${c.reason ?? (c.problems ?? []).join("; ")}`);' \
  "$tmp/report.json" || true
exit "$status"
