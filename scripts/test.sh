#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it: installs the pinned test tools
# (hadolint, actionlint; tsc and Prism for generated TypeScript SDKs; mypy,
# httpx and pytest for generated Python SDKs; Verdaccio, Node 22, pypiserver
# and a wheelhouse for the publish tests) into .tools/, then runs every test.
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

# The empty-root test (tests/it/empty_root.rs) runs the binary as the image
# ships it: a static release build, glibc linked in.
RUSTFLAGS='-C target-feature=+crt-static' \
  cargo build --release --locked --target "$(uname -m)-unknown-linux-gnu"

cargo test --locked
