#!/usr/bin/env bash
# Starts the pinned Prism mock server for an OpenAPI spec on 127.0.0.1:PORT
# (request validation is on), waits until it answers, and prints its PID.
#
#   pid=$(scripts/prism-mock.sh SPEC PORT [EXTRA_PRISM_ARGS...])
#   ... call http://127.0.0.1:PORT/... ...
#   kill "$pid"   # SIGTERM; Prism exits at once. To wait for it to be gone:
#                 # while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
#
# From a Node test: `const pid = Number(execFileSync("scripts/prism-mock.sh",
# [spec, String(port)]).toString().trim())`, and `process.kill(pid)` in an
# `after` hook (the server is not a child of the test process, so nothing
# stops it unless the test does).
#
# Prism runs `prism mock SPEC -h 127.0.0.1 -p PORT` (static examples, so
# deterministic), detached from the caller: stdin from /dev/null, its log to
# $PRISM_LOG (default ${TMPDIR:-/tmp}/prism-mock-PORT.log; the path is printed
# on stderr). EXTRA_PRISM_ARGS go on the end of that command line.
#
# Request validation is always on in `prism mock`, with or without --errors:
# parameters, body, content type, and security (a missing credential, or one
# of the wrong scheme, is a 401; its value is not checked). An invalid request
# gets a 4xx: 422 for a bad parameter or body (or the 400 the operation
# declares), 401 for security, 415 for an undeclared content type. If the
# operation declares a response for that status or a `default`, Prism answers
# with that response's example and lists its findings in the `sl-violations`
# header (a JSON array of {location, severity, code, message}); otherwise
# with its own application/problem+json body that lists them in
# `validation`. Prism also validates its own mocked response: findings about
# it ("location": ["response", ...]) go into `sl-violations` on a normal
# 2xx. `--errors` (pass it as an extra argument) turns those response
# findings into 500s as well; it is off by default because the mocked
# response is Prism's doing, not the client's (a recursive schema, for one,
# gives a mock that fails its own schema). Prism also notes what it cannot
# check as a "Warning" (a mutualTLS requirement is passed with one). So a
# conformance test asserts: status < 400, and no `sl-violations` entry with
# "severity": "Error" whose location starts with "request". Paths are served
# at the root: the path part of `servers` (e.g. /v1) is not part of the
# mock's routes, whatever the server variables.
#
# Waits up to PRISM_WAIT seconds (default 30) for Prism to log that it is
# listening and to answer an HTTP request on the port. Exit code: 0 ready
# (the PID is on stdout), 1 Prism failed to start or the port is taken (the
# log's tail is on stderr and the process is stopped), 2 usage error.
# PRISM=/path/to/prism skips the install step (otherwise
# scripts/install-sdk-tools.sh provides the pinned one).
set -euo pipefail
shopt -s inherit_errexit

log() { printf 'prism-mock: %s\n' "$*" >&2; }
usage() { log "usage: $0 SPEC PORT [EXTRA_PRISM_ARGS...]${1:+ ($1)}"; exit 2; }

[[ $# -ge 2 ]] || usage "needs a spec and a port"
spec=$1 port=$2
shift 2
[[ -f $spec ]] || usage "$spec is not a file"
if ! [[ $port =~ ^[1-9][0-9]{0,4}$ ]] || ((port > 65535)); then
  usage "$port is not a port"
fi
wait_s=${PRISM_WAIT:-30}
[[ $wait_s =~ ^[0-9]+$ ]] || usage "PRISM_WAIT=$wait_s is not a number of seconds"
logfile=${PRISM_LOG:-${TMPDIR:-/tmp}/prism-mock-$port.log}

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -z ${PRISM:-} ]]; then
  eval "$("$root/scripts/install-sdk-tools.sh")"
fi
[[ -x $PRISM ]] || { log "no prism at $PRISM"; exit 2; }

# answers: something speaks HTTP on 127.0.0.1:PORT (any status will do; Prism
# logs a NO_PATH_MATCHED error for this probe).
answers() {
  node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) })
    .then(() => process.exit(0), () => process.exit(1));' \
    "http://127.0.0.1:$port/__prism-mock-ready" 2>/dev/null
}

if answers; then
  log "something already answers on 127.0.0.1:$port"
  exit 1
fi

log "starting $PRISM on http://127.0.0.1:$port for $spec (log: $logfile)"
"$PRISM" mock "$spec" -h 127.0.0.1 -p "$port" "$@" \
  </dev/null >"$logfile" 2>&1 &
pid=$!

# fail MESSAGE: stop Prism, show the end of its log, exit 1.
fail() {
  log "$1"
  kill "$pid" 2>/dev/null || true
  tail -n 20 "$logfile" | sed 's/^/prism-mock:   /' >&2
  exit 1
}

deadline=$((SECONDS + wait_s))
until grep -q "Prism is listening on" "$logfile" 2>/dev/null && answers; do
  kill -0 "$pid" 2>/dev/null || fail "Prism exited before it was ready"
  ((SECONDS < deadline)) || fail "Prism did not answer within ${wait_s}s"
  sleep 0.2
done
log "ready: pid $pid"
printf '%s\n' "$pid"
