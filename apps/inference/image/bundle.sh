#!/bin/sh
# Assembles the inference service's production bundle in OUT_DIR: exactly what the container
# image ships, and what the production-bundle test starts on its own.
#
#   sh apps/inference/image/bundle.sh OUT_DIR      (from anywhere inside the workspace)
#
# OUT_DIR/package.json, OUT_DIR/node_modules (the service's production `dependencies` only, as
# `pnpm deploy --prod` installs them from the lockfile; workspace packages are devDependencies
# because esbuild inlines them) and OUT_DIR/dist (server.js and the bundled model; run
# `pnpm --filter @modelship/inference build` first). Sources, tests and build scripts stay
# out. onnxruntime-node's binaries for other platforms are removed (about 245 MB of 290 MB).
#
# pnpm 10's deploy derives a dedicated lockfile from pnpm-lock.yaml, so the image gets exactly
# the locked versions; it insists on inject-workspace-packages, which is set for this command
# only (no workspace package is a production dependency, so nothing is injected; the workspace
# keeps its symlinked packages). `deploy --legacy` would instead re-resolve every version
# range against the registry, ignoring the lockfile. `--offline`: everything comes from the
# store that `pnpm install` / `pnpm fetch` filled, never from the network.
set -eu

[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
out=$1
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
app=$(cd "$(dirname "$0")/.." && pwd)

[ -f "$app/dist/server.js" ] || { echo "$app/dist/server.js is missing: build the service first" >&2; exit 1; }
[ ! -e "$out" ] || [ -z "$(ls -A "$out")" ] || { echo "$out exists and is not empty" >&2; exit 1; }

stage="$out.deploy"
rm -rf "$stage"
(cd "$app" && pnpm --config.inject-workspace-packages=true --filter @modelship/inference \
  deploy --prod --offline "$stage" >&2)

mkdir -p "$out"
mv "$stage/package.json" "$stage/node_modules" "$out/"
rm -rf "$stage"
cp -R "$app/dist" "$out/dist"

# Keep the one onnxruntime-node binary this platform loads (bin/napi-v*/<os>/<cpu>).
platform=$(node -p 'process.platform + "/" + process.arch')
for napi in "$out"/node_modules/.pnpm/onnxruntime-node@*/node_modules/onnxruntime-node/bin/napi-v*; do
  [ -d "$napi/$platform" ] || { echo "onnxruntime-node has no binary for $platform in $napi" >&2; exit 1; }
  for dir in "$napi"/*/*; do
    case "$dir" in "$napi/$platform") ;; *) rm -rf "$dir" ;; esac
  done
  find "$napi" -mindepth 1 -type d -empty -delete
done
