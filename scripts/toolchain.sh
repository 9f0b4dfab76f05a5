# shellcheck shell=bash
# Source this file: it puts a Node >= 22.22.2 and the pnpm pinned in package.json first on PATH.
# Nothing is downloaded from outside the npm registry: Node comes from the registry's `node`
# package, pnpm from its `pnpm` package, both into .tools/ in the repository (git-ignored).
# (no `set -e` here: a sourced file must not change the caller's shell options)
ck_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ck_tools="$ck_root/.tools"

ck_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b,c]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&(b>22||(b===22&&c>=2)))?0:1)'
}

if ! ck_node_ok; then
  if [ ! -x "$ck_tools/node/node_modules/.bin/node" ]; then
    echo "checkout-kit: node $(node --version 2>/dev/null || echo missing) is older than 22.22.2; installing node@24 from the npm registry into .tools/node" >&2
    mkdir -p "$ck_tools/node"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$ck_tools/node" node@24 >&2
  fi
  export PATH="$ck_tools/node/node_modules/.bin:$PATH"
fi

ck_pnpm_version="$(node -p 'require(process.argv[1]).packageManager.split("@")[1]' "$ck_root/package.json")"
if ! { command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$ck_pnpm_version" ]; }; then
  if [ ! -x "$ck_tools/pnpm-$ck_pnpm_version/node_modules/.bin/pnpm" ]; then
    echo "checkout-kit: installing pnpm@$ck_pnpm_version into .tools/" >&2
    mkdir -p "$ck_tools/pnpm-$ck_pnpm_version"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$ck_tools/pnpm-$ck_pnpm_version" "pnpm@$ck_pnpm_version" >&2
  fi
  export PATH="$ck_tools/pnpm-$ck_pnpm_version/node_modules/.bin:$PATH"
fi
export COREPACK_ENABLE_STRICT=0
