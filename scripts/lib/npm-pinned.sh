# Sourced by scripts/deps.d steps that install a pinned npm tree.
#
#   npm_pinned PIN DIR MARKER
#
# Runs `npm ci --ignore-scripts` of PIN/package-lock.json in DIR (copying PIN's package.json and lock
# file there when DIR is elsewhere), unless DIR/node_modules was made from the same lock file (a stamp
# holding its sha256) and DIR/node_modules/MARKER exists. Install scripts are never needed.
npm_pinned() {
  local pin=$1 dir=$2 marker=$3 stamp want
  command -v npm >/dev/null || { echo "npm is required (Node.js 20 or later)" >&2; return 1; }
  mkdir -p "$dir"
  if [ "$(cd "$dir" && pwd)" != "$(cd "$pin" && pwd)" ]; then
    cp "$pin/package.json" "$pin/package-lock.json" "$dir/"
  fi
  stamp="$dir/node_modules/.pinned-lock.sha256"
  want="$(sha256sum "$pin/package-lock.json" | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -e "$dir/node_modules/$marker" ]; then
    echo "$pin: already installed in $dir"
    return 0
  fi
  (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) || return 1
  echo "$want" > "$stamp"
  echo "$pin: installed in $dir"
}
