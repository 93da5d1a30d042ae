#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it: installs the pinned test tools
# (hadolint, actionlint; tsc and Prism for generated TypeScript SDKs; mypy,
# httpx and pytest for generated Python SDKs; Verdaccio, Node 22, pypiserver
# and a wheelhouse for the publish tests; Mermaid's parser for the diagrams
# specrelay writes) into .tools/, then runs every test and prints one
# summary line: "specrelay tests: N passed, M skipped: <names>".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tools="$(scripts/install-test-tools.sh)"
eval "$tools"
export HADOLINT ACTIONLINT SHELLCHECK
tools="$(scripts/install-sdk-tools.sh)"
eval "$tools"
export TSC PRISM
tools="$(scripts/install-registries.sh)"
eval "$tools"
export NODE22 VERDACCIO PYPISERVER REGISTRIES_PYTHON WHEELHOUSE
tools="$(scripts/install-python-tools.sh)"
eval "$tools"
export MYPY PYTHON
tools="$(scripts/install-mermaid.sh)"
eval "$tools"
export MERMAID_CHECK

# The empty-root test (tests/it/empty_root.rs) runs the binary as the image
# ships it: a static release build, glibc linked in.
RUSTFLAGS='-C target-feature=+crt-static' \
  cargo build --release --locked --target "$(uname -m)-unknown-linux-gnu"

# Tests that could not check anything (the corpus is missing, say) register
# themselves here (tests/support/skip.rs); libtest counts them as passed, so
# the summary below moves them to "skipped". With CI=true a missing corpus
# fails those tests instead.
skips="$(mktemp)"
results="$(mktemp)"
trap 'rm -f "$skips" "$results"' EXIT
export SPECRELAY_SKIP_LOG="$skips"

# Extra arguments go to cargo test (a filter: `scripts/test.sh corpus`).
status=0
cargo test --locked "$@" | tee "$results" || status=$?

passed="$(sed -n 's/^test result: .* \([0-9][0-9]*\) passed;.*/\1/p' "$results" | awk '{n += $1} END {print n + 0}')"
skipped_names="$(cut -f1 "$skips" | sort -u)"
skipped="$(printf '%s' "$skipped_names" | grep -c . || true)"
line="specrelay tests: $((passed - skipped)) passed, $skipped skipped"
if [ "$skipped" -gt 0 ]; then
    line="$line: $(printf '%s' "$skipped_names" | paste -sd, - | sed 's/,/, /g')"
fi
if [ "$status" -ne 0 ]; then
    line="$line; FAILED (cargo test exited $status)"
fi
echo "$line"
exit "$status"
