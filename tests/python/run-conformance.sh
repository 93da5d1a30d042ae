#!/usr/bin/env bash
# Runtime conformance of the generated Python SDK for one spec: generates the
# Python SDK (and the TypeScript one, which only the call synthesis reads),
# starts Prism (request validation on) from the same spec on 127.0.0.1:PORT,
# and runs tests/python/conformance_test.py with pytest: every operation is
# called through the generated Client and again through the AsyncClient.
# A call passes when the status is < 400, Prism's sl-violations header holds
# no request-side "Error", and the response parsed into its type and writes
# back as the JSON that came (see conformance_test.py).
#
#   tests/python/run-conformance.sh SPEC PORT
#
# Needs target/debug/specrelay (`cargo build`; SPECRELAY=path overrides it),
# node (for the call synthesis and Prism), PRISM (scripts/install-sdk-tools.sh)
# and PYTHON, a Python with httpx and pytest (scripts/install-python-tools.sh);
# either is installed when unset. Steps:
#   1. `specrelay generate --spec SPEC` into a temp dir (both languages);
#   2. synthesize_calls (tests/node/conformance-common.sh): `specrelay ingest`
#      of SPEC into a temp workspace for the bundled JSON, and
#      tests/node/synthesize-calls.mjs -> calls.json: one valid call per
#      operation, read from the TypeScript package, with the values by their
#      spec names too; the skips are the TypeScript harness's, each with its
#      reason;
#   3. scripts/prism-mock.sh SPEC PORT (stopped by the EXIT trap);
#   4. pytest, at most CONFORMANCE_TIMEOUT seconds (default 600).
# Exit: pytest's status (0 all passed), 1 setup failed, 2 usage.
set -euo pipefail
shopt -s inherit_errexit

log() { printf 'run-conformance (python): %s\n' "$*" >&2; }
[[ $# -eq 2 && -f $1 ]] || { log "usage: $0 SPEC PORT"; exit 2; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
spec="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
port=$2
bin=${SPECRELAY:-$root/target/debug/specrelay}
[[ -x $bin ]] || { log "no $bin: run cargo build first"; exit 2; }
if [[ -z ${PYTHON:-} ]]; then
  eval "$("$root/scripts/install-python-tools.sh")"
fi
[[ -x $PYTHON ]] || { log "no python at $PYTHON"; exit 2; }

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

log "generating the SDKs for $spec"
"$bin" generate --spec "$spec" --sdk-dir "$tmp/sdk" --workspace "$tmp/gen" >/dev/null 2>"$tmp/generate.log" ||
  { cat "$tmp/generate.log" >&2; exit 1; }
ts_pkg="$tmp/sdk/typescript"
py_pkg="$tmp/sdk/python"
[[ -f $ts_pkg/client.js && -f $py_pkg/pyproject.toml ]] || { log "no generated packages under $tmp/sdk"; exit 1; }

synthesize_calls "$bin" "$spec" "$ts_pkg" "$tmp"
prism_pid=$(PRISM_LOG="$tmp/prism.log" "$root/scripts/prism-mock.sh" "$spec" "$port")

status=0
CONFORMANCE_PACKAGE="$py_pkg" CONFORMANCE_CALLS="$tmp/calls.json" \
  CONFORMANCE_BASE_URL="http://127.0.0.1:$port" PYTHONDONTWRITEBYTECODE=1 \
  timeout "${CONFORMANCE_TIMEOUT:-600}" "$PYTHON" -m pytest -q -p no:cacheprovider -rfEs \
  --rootdir "$root/tests/python" "$root/tests/python/conformance_test.py" >&2 || status=$?
if ! alive "$prism_pid"; then
  log "Prism is no longer running: it crashed during the run (calls after the crash fail to connect); its log ends:"
  tail -n 15 "$tmp/prism.log" | sed 's/^/run-conformance (python):   /' >&2
  prism_pid=
  status=1
fi
exit "$status"
