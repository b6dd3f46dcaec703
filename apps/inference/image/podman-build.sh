#!/usr/bin/env bash
# Builds apps/inference/Dockerfile, unmodified, with podman from the repository root.
#
#   apps/inference/image/podman-build.sh [TAG]
#
# TAG defaults to the runtime image's release reference: the repository in
# apps/inference/runtime-image.json and the service's version (apps/inference/package.json),
# the reference `modelship build` layers models onto (and the one to push on a release).
# Adds what a CI pipeline would pass as build arguments: the OCI label values (version from
# apps/inference/package.json, revision = $REVISION or the git commit, source = the git
# remote if any) and, where the machine trusts an extra CA (a TLS-intercepting proxy names it in
# $NODE_EXTRA_CA_CERTS), that bundle mounted read-only into the build (never into a layer).
# podman passes the host's *_PROXY variables to the build by default (--http-proxy).
# A registry other than npm's default (`npm config get registry`) is passed on as
# npm_config_registry. Builds use chroot isolation (no nested namespaces needed) and never
# pull: the base image must be in local storage (see stand-in-base.sh where no registry is
# reachable). Extra arguments after TAG go to `podman build` unchanged.
set -euo pipefail

root=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$root"
version=$(node -p 'require("./apps/inference/package.json").version')
repository=$(node -p 'require("./apps/inference/runtime-image.json").repository')
tag=${1:-$repository:$version}
shift || true

args=(--isolation chroot --pull=never --layers -f apps/inference/Dockerfile -t "$tag")
revision=${REVISION:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}
source_url=$(git remote get-url origin 2>/dev/null || true)
args+=(--build-arg "VERSION=$version" --build-arg "REVISION=$revision")
[ -z "$source_url" ] || args+=(--build-arg "SOURCE=$source_url")
# The same values as --label too: buildah (podman 4.3) reuses the cached layer of the
# Dockerfile's LABEL instruction when only a build-arg value changed (seen when a commit
# touched nothing in the build context: the image kept the previous revision). --label is
# applied when the image is committed, never cached, and sets the same keys.
oci=org.opencontainers.image
args+=(--label "$oci.version=$version" --label "$oci.revision=$revision")
[ -z "$source_url" ] || args+=(--label "$oci.source=$source_url")

if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
  args+=(--volume "$NODE_EXTRA_CA_CERTS:/tmp/extra-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/tmp/extra-ca.crt)
fi
registry=$(npm config get registry 2>/dev/null || true)
case "$registry" in
  "" | https://registry.npmjs.org | https://registry.npmjs.org/) ;;
  *) args+=(--build-arg "npm_config_registry=$registry") ;;
esac

exec podman build "${args[@]}" "$@" .
