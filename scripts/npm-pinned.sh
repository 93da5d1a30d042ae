# shellcheck shell=bash
# Sourced, not run: what the scripts that install pinned npm tools share
# (install-sdk-tools.sh, install-react-types.sh). Each tool set is a folder
# .tools/<name>/ installed with `npm ci` from the committed manifest and
# lockfile in tools/<name>/, from the npm registry only, with no install
# scripts, and left alone when it already matches them.
#
#   source "$root/scripts/npm-pinned.sh"
#   npm_pinned_setup "$root" sdk     # sets tools, lock, dir; checks node/npm
#   npm_pinned_current && installed_version typescript 5.9.3 || npm_pinned_install

# npm_pinned_setup ROOT NAME: sets `tools` (the real path of .tools: it may
# be a symlink, and npm ci treats a --prefix reached through one as a linked
# package), `lock` (tools/NAME) and `dir` (.tools/NAME); makes .tools ignore
# itself; fails without node and npm or without the manifest and lockfile.
npm_pinned_setup() {
  mkdir -p "$1/.tools"
  tools="$(cd "$1/.tools" && pwd -P)"
  lock="$1/tools/$2"
  dir="$tools/$2"
  command -v node >/dev/null || { log "node is required, with npm"; return 1; }
  command -v npm >/dev/null || { log "npm is required"; return 1; }
  local f
  for f in package.json package-lock.json; do
    [[ -f $lock/$f ]] || { log "missing $lock/$f"; return 1; }
  done
  # The folder ignores itself, so nothing here is ever committed.
  [[ -f $tools/.gitignore ]] || printf '*\n' >"$tools/.gitignore"
}

# npm_pinned_current: $dir was installed from the committed manifest and lockfile.
npm_pinned_current() {
  cmp -s "$lock/package.json" "$dir/package.json" &&
    cmp -s "$lock/package-lock.json" "$dir/package-lock.json"
}

# installed_version PACKAGE VERSION: $dir/node_modules holds PACKAGE@VERSION
# (read from its package.json: some tools take seconds to print --version).
installed_version() {
  PACKAGE=$1 VERSION=$2 node -e '
    const e = process.env;
    const m = require(process.argv[1] + "/node_modules/" + e.PACKAGE + "/package.json");
    process.exit(m.version === e.VERSION ? 0 : 1);' "$dir" 2>/dev/null
}

# npm_pinned_install: a fresh $dir from the lockfile, built aside and moved
# into place, so an interrupted install never looks current.
npm_pinned_install() {
  rm -rf "$dir" "$dir.partial"
  mkdir -p "$dir.partial"
  cp "$lock/package.json" "$lock/package-lock.json" "$dir.partial/"
  # npm ci installs exactly the lockfile (and fails if it does not match the
  # manifest); --ignore-scripts: nothing from the registry runs at install time.
  npm ci --prefix "$dir.partial" --no-audit --no-fund --no-update-notifier \
    --ignore-scripts --loglevel=error >&2
  # .bin links are relative, so the tree can move into place.
  mv "$dir.partial" "$dir"
}
