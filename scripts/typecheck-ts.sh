#!/usr/bin/env bash
# Type-checks a generated TypeScript SDK package with the pinned tsc, as its
# strictest consumers would compile against it.
#
#   scripts/typecheck-ts.sh DIR [CONSUMER_TS]
#
# DIR is the package folder: ES module .js files with .d.ts declarations next
# to them, and a package.json with "name", "type": "module", and "exports" /
# "types". CONSUMER_TS, if given, is a self-contained .ts file that imports
# the package by its name (`import { Client } from "acme-pets"`) and calls it;
# it may import nothing else (no relative imports, no @types/node).
#
# The check, in a temporary project that links DIR as node_modules/<name>:
#   - tsc --noEmit with strict, noUncheckedIndexedAccess,
#     exactOptionalPropertyTypes and skipLibCheck false (skipDefaultLibCheck
#     true: TypeScript's own lib files are not re-checked); module and
#     moduleResolution node16 (how Node resolves an ESM package through its
#     "exports"; TYPECHECK_RESOLUTION=bundler checks as a bundler would, =all
#     runs both); lib ES2022 + DOM (the SDK needs only fetch and its web
#     types) and no @types packages. The root files are every .d.ts in DIR
#     (so declarations no entry point reaches are checked too) and the
#     consumer, copied into the project (whose package.json says "type":
#     "module") so that it resolves the package through node_modules as an
#     ES module does.
#   - node --check on every .js in DIR: tsc does not look at the .js when a
#     .d.ts sits next to it, so this at least proves they parse as modules.
# tsc's diagnostics are printed on stdout with the real paths (the consumer's
# copy is mapped back to CONSUMER_TS).
#
# Exit code: 0 the package type-checks, 1 it does not (diagnostics printed),
# 2 usage error. TSC=/path/to/tsc skips the install step (otherwise
# scripts/install-sdk-tools.sh provides the pinned one).
set -euo pipefail
shopt -s inherit_errexit

log() { printf 'typecheck-ts: %s\n' "$*" >&2; }
usage() { log "usage: $0 DIR [CONSUMER_TS]${1:+ ($1)}"; exit 2; }

[[ $# -ge 1 && $# -le 2 ]] || usage "takes one or two arguments"
[[ -d $1 ]] || usage "$1 is not a directory"
[[ -f $1/package.json ]] || usage "$1 has no package.json"
pkg="$(cd "$1" && pwd)"
consumer=""
if [[ $# -eq 2 ]]; then
  [[ -f $2 ]] || usage "$2 is not a file"
  consumer="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
fi

resolutions=(node16)
case "${TYPECHECK_RESOLUTION:-node16}" in
  node16) ;;
  bundler) resolutions=(bundler) ;;
  all) resolutions=(node16 bundler) ;;
  *) usage "TYPECHECK_RESOLUTION must be node16, bundler or all" ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -z ${TSC:-} ]]; then
  eval "$("$root/scripts/install-sdk-tools.sh")"
fi
[[ -x $TSC ]] || { log "no tsc at $TSC"; exit 2; }

name="$(node -e '
  const m = require(process.argv[1] + "/package.json");
  if (typeof m.name !== "string" || !/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(m.name)) {
    console.error("typecheck-ts: package.json has no valid \"name\""); process.exit(2);
  }
  process.stdout.write(m.name);' "$pkg")" || exit 2

work="$(mktemp -d "${TMPDIR:-/tmp}/typecheck-ts.XXXXXX")"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/node_modules/$(dirname "$name")"
ln -s "$pkg" "$work/node_modules/$name"
printf '{ "private": true, "type": "module" }\n' >"$work/package.json"
copy=""
if [[ -n $consumer ]]; then
  mkdir "$work/consumer"
  copy="$work/consumer/$(basename "$consumer")"
  cp "$consumer" "$copy"
fi

# tsconfig RESOLUTION: the project file for one resolution mode.
tsconfig() {
  RESOLUTION=$1 PKG=$pkg COPY=$copy node -e '
    const e = process.env;
    const options = {
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      skipLibCheck: false,
      // Skips only the lib.*.d.ts bundled with tsc (no-default-lib files):
      // checking lib.dom.d.ts costs ~4 s a run and says nothing about the SDK.
      skipDefaultLibCheck: true,
      noEmit: true,
      target: "ES2022",
      lib: ["ES2022", "DOM", "DOM.Iterable"],
      types: [],
      module: e.RESOLUTION === "bundler" ? "esnext" : e.RESOLUTION,
      moduleResolution: e.RESOLUTION,
      forceConsistentCasingInFileNames: true,
      noErrorTruncation: true,
    };
    const config = {
      compilerOptions: options,
      ...(e.COPY ? { files: [e.COPY] } : {}),
      include: [e.PKG + "/**/*.d.ts", e.PKG + "/**/*.d.mts"],
      exclude: [e.PKG + "/node_modules"],
    };
    process.stdout.write(JSON.stringify(config, null, 2) + "\n");'
}

status=0
for resolution in "${resolutions[@]}"; do
  tsconfig "$resolution" >"$work/tsconfig.json"
  log "tsc $("$TSC" --version) ($resolution resolution) on $pkg${consumer:+ with $consumer}"
  if ! out="$("$TSC" -p "$work/tsconfig.json" --pretty false 2>&1)"; then
    status=1
  fi
  if [[ -n $out ]]; then
    # Name the consumer by its own path, not its temporary copy's (tsc
    # prints paths relative to the current directory where it can).
    if [[ -n $consumer ]]; then
      rel="$(node -p 'const p = require("path"); p.relative(".", process.argv[1])' "$copy")"
      out="${out//"$rel"/"$consumer"}"
      out="${out//"$copy"/"$consumer"}"
    fi
    printf '%s\n' "$out"
  fi
done

# tsc skips a .js that has a .d.ts; check that every one parses as a module.
js=0
while IFS= read -r -d '' f; do
  js=$((js + 1))
  node --check "$f" || status=1
done < <(find "$pkg" -path "$pkg/node_modules" -prune -o \( -name '*.js' -o -name '*.mjs' \) -type f -print0)

if [[ $status -eq 0 ]]; then
  log "OK: $name type-checks (${resolutions[*]}), $js .js files parse"
else
  log "FAILED: $name"
fi
exit "$status"
