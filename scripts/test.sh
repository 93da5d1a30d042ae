#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it: installs the pinned test tools
# (hadolint, actionlint; tsc and Prism for generated SDKs) into .tools/, then
# runs every test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tools="$(scripts/install-test-tools.sh)"
eval "$tools"
export HADOLINT ACTIONLINT
tools="$(scripts/install-sdk-tools.sh)"
eval "$tools"
export TSC PRISM

cargo test --locked
