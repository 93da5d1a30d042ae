#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it: installs the pinned test tools
# (hadolint, actionlint; tsc and Prism for generated TypeScript SDKs; mypy,
# httpx and pytest for generated Python SDKs) into .tools/, then runs every
# test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tools="$(scripts/install-test-tools.sh)"
eval "$tools"
export HADOLINT ACTIONLINT
tools="$(scripts/install-sdk-tools.sh)"
eval "$tools"
export TSC PRISM
tools="$(scripts/install-python-tools.sh)"
eval "$tools"
export MYPY PYTHON

cargo test --locked
