# Shared by the SDK runtime-conformance harnesses (tests/node/run-conformance.sh
# for TypeScript, tests/python/run-conformance.sh for Python): which
# operations to skip, the call synthesis, and a liveness check for Prism.
# Source it from bash.

# Operations that cannot pass for a reason outside the generated client,
# keyed by the end of the spec's path, as {"METHOD /path": "reason"}. Each
# entry says why; conformance.mjs reports them as skipped, never as passed.
# Each was checked by hand (with the TypeScript client; the Python client
# sends the same requests): the client's request is what the spec asks for,
# and the failure is Prism 5.14.2's (a crash in its request deserializer that
# kills the server, a route it cannot match, a response it cannot mock) or
# the spec's own (an operation that declares only an error response).
skips_for() {
  local prism_object_path='Prism 5.14.2 crashes (TypeError in prism-http validator/deserializers/style: the value is not a string) on the non-exploded object path parameter, a segment with a comma, which the client serialises as the spec asks'
  local prism_delimited_object='Prism 5.14.2 crashes ("Space/pipe/comma.. delimited style is only applicable to array parameter") on the object parameter this operation declares with that style'
  case "$1" in
    */readme-oas-examples/3.0/parameters-style.yaml)
      P1="$prism_object_path" P2="$prism_delimited_object" node -e '
        const e = process.env;
        console.log(JSON.stringify({
          "GET /anything/path/{primitive}/{array}/{object}": e.P1 + " (simple: name,string)",
          "GET /anything/path/simple/{primitive}/{array}/{object}": e.P1 + " (simple: name,string)",
          "GET /anything/path/matrix/{primitive}/{array}/{object}": e.P1 + " (matrix: ;object=name,string)",
          "GET /anything/path/label/{primitive}/{array}/{object}": e.P1 + " (label: .name,string)",
          "GET /anything/query/spaceDelimited": e.P2,
          "GET /anything/query/pipeDelimited": e.P2,
          "POST /anything/form-data/spaceDelimited": e.P2 + " (multipart encoding)",
          "POST /anything/form-data/pipeDelimited": e.P2 + " (multipart encoding)",
        }));' ;;
    */mistral/openapi.yaml)
      # Path keys with a "#fragment" (two operations on one real path): a
      # fragment never reaches a server, so Prism routes the request to the
      # operation at the path without it (or to none). NB the generated
      # runtime also appends the query string after the "#", so fetch drops
      # it: query parameters of these operations are never sent (a generator
      # bug, reported; it does not change what Prism answers here).
      P1='Prism cannot route to a path key with a #fragment (fetch never sends the fragment): the request is matched to the operation at the path without it, which has no text/event-stream response, so Prism answers 406' \
      P2='Prism cannot route to a path key with a #fragment (fetch never sends the fragment) and no operation exists at the path without it, so Prism answers 404 NO_PATH_MATCHED' \
      P3='response side: Prism cannot mock this text/event-stream response from its object-shaped example/schema (500 NO_COMPLEX_OBJECT_TEXT) after the request passed validation' \
      node -e '
        const e = process.env;
        console.log(JSON.stringify({
          "POST /v1/conversations#stream": e.P1,
          "POST /v1/conversations/{conversation_id}#stream": e.P1,
          "POST /v1/conversations/{conversation_id}/restart#stream": e.P1,
          "POST /v1/audio/transcriptions#stream": e.P1,
          "GET /v1/connectors/{connector_id_or_name}#idOrName": e.P2,
          "DELETE /v1/connectors/{connector_id}#id": e.P2,
          "PATCH /v1/connectors/{connector_id}#id": e.P2,
          "GET /v1/workflows/executions/{execution_id}/stream": e.P3,
          "GET /v1/workflows/events/stream": e.P3,
        }));' ;;
    */readme-oas-examples/3.0/file-uploads.yaml)
      printf '%s\n' '{"PUT /anything/multipart-formdata": "Prism 5.14.2 reads a repeated multipart field as one value, so an array-of-files property always fails \"must be array\" (curl -F filename=@a -F filename=@b gets the same 422)"}' ;;
    */readme-oas-examples/3.1/security.yaml)
      printf '%s\n' '{"POST /status/401": "the operation declares only a 401 response (\"forcefully return a 401\"), so Prism answers 401 to any valid request; nothing below 400 exists to assert"}' ;;
    *) printf '{}\n' ;;
  esac
}

# alive PID: the process runs. Prism is not our child, so once it exits it can
# stay a zombie (state Z) until its new parent reaps it, and kill -0 still
# succeeds on a zombie.
alive() {
  local state
  state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
  [[ -n $state && $state != Z* ]]
}

# stop_prism PID: SIGTERM, then wait (at most 10 s; Prism exits at once)
# until it is gone.
stop_prism() {
  kill "$1" 2>/dev/null || true
  for _ in $(seq 100); do alive "$1" || return 0; sleep 0.1; done
}

# synthesize_calls BIN SPEC TS_PACKAGE TMP: writes TMP/calls.json, one valid
# call per operation of SPEC (tests/node/synthesize-calls.mjs), with the skips
# above marked. synthesize-calls.mjs reads the bundled canonical JSON, which
# `specrelay ingest` (BIN) stores whatever SPEC's format or file layout, so
# SPEC is first ingested into the temporary workspace TMP/ws.
synthesize_calls() {
  local bin=$1 spec=$2 pkg=$3 tmp=$4 checksum
  printf 'conformance: bundling %s to JSON (specrelay ingest into a temp workspace)\n' "$spec" >&2
  checksum=$(sha256sum "$spec" | cut -d' ' -f1)
  "$bin" ingest --workspace "$tmp/ws" --allow-file-urls --download-url "file://$spec" \
    --version 1.0.0 --checksum "$checksum" --change-type major --source-repo conformance/test \
    --semver-policy off >/dev/null 2>"$tmp/ingest.log" || { cat "$tmp/ingest.log" >&2; return 1; }
  skips_for "$spec" >"$tmp/skips.json"
  node "$(dirname "${BASH_SOURCE[0]}")/synthesize-calls.mjs" \
    "$tmp/ws/openapi/history/openapi-1.0.0.json" "$pkg" "$tmp/skips.json" >"$tmp/calls.json"
}
