#!/usr/bin/env bash
# Builds a local stand-in for the official Node base image that apps/inference/Dockerfile's
# build stage is FROM, and tags it with exactly that name, so that the unmodified
# Dockerfile builds with podman on a machine that reaches no container registry.
#
#   apps/inference/image/stand-in-base.sh [--force]
#
# The stand-in is a Debian root filesystem made by debootstrap (variant minbase, the suite in
# the tag, e.g. "bookworm"), slimmed like debian:*-slim, plus the official Node.js binaries
# that the npm registry ships as node-linux-<arch>@<version> (the version in the tag), npm,
# corepack and yarn 1 from the npm registry, the user `node` (1000:1000, home /home/node),
# /usr/local/bin/docker-entrypoint.sh as ENTRYPOINT and CMD ["node"], like the official image.
# Differences from the official image are listed in apps/inference/image/README.md.
#
# Cached: if the tag already exists in podman's local storage, nothing is done (--force
# rebuilds). Needs root (debootstrap, chroot), podman, debootstrap and npm.
# Environment: DEBIAN_MIRROR (default: the Debian mirror apt uses on this machine).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dockerfile="$here/../Dockerfile"
force=false
[ "${1-}" = "--force" ] && force=true

log() { printf '[stand-in-base] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# The image reference is read from the Dockerfile so the two cannot drift apart: every FROM
# that names a docker.io/library/node image (the build stage; the runtime stage's distroless
# base has its own stand-in, stand-in-distroless.sh).
mapfile -t refs < <(awk 'toupper($1) == "FROM" && $2 ~ /^docker\.io\/library\/node:/ { print $2 }' \
  "$dockerfile" | sort -u)
[ "${#refs[@]}" -eq 1 ] || die "expected the node FROM lines of $dockerfile to name one image, found: ${refs[*]}"
ref=${refs[0]}
case "$ref" in
  docker.io/library/node:*-slim) ;;
  *) die "FROM names '$ref'; this script only stands in for docker.io/library/node:<version>-<suite>-slim" ;;
esac
tag=${ref#docker.io/library/node:}    # e.g. 22.23.3-bookworm-slim
node_version=${tag%%-*}               # 22.23.3
suite=${tag#"$node_version"-}
suite=${suite%-slim}                  # bookworm
[[ "$node_version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "tag '$tag' does not pin an exact Node version"

if ! $force && podman image exists "$ref"; then
  log "$ref exists (cached); nothing to do"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap and chroot need it)"
for tool in debootstrap podman npm tar; do
  command -v "$tool" >/dev/null || die "'$tool' is not installed"
done

case "$(uname -m)" in
  x86_64) node_arch=x64 ;;
  aarch64) node_arch=arm64 ;;
  *) die "unsupported machine $(uname -m)" ;;
esac

# Versions of the tools the official image bundles beside node. npm: the newest of the
# major line that Node 22 ships (the exact bundled patch release is not on the npm registry).
npm_spec=npm@10
corepack_spec=corepack@0
yarn_version=1.22.22

mirror=${DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(awk '/^URIs:/ { print $2 } /^deb / { print $2 }' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | grep -m1 -E '/debian/?$' || true)
  mirror=${mirror:-http://deb.debian.org/debian}
fi

work=$(mktemp -d "${TMPDIR:-/var/tmp}/node-stand-in.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
rootfs="$work/rootfs"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/modelship/debootstrap-$suite"
mkdir -p "$rootfs" "$cache"

log "debootstrap --variant=minbase $suite from $mirror"
debootstrap --variant=minbase --cache-dir="$cache" \
  --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
  "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log" >&2; die "debootstrap failed (log above)"; }

# Like the official debian:*-slim images: no documentation, manual pages or translations,
# now or for packages installed later; no apt lists or caches.
mkdir -p "$rootfs/etc/dpkg/dpkg.cfg.d"
cat >"$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
path-exclude /usr/share/lintian/*
CFG
find "$rootfs/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$rootfs/usr/share/man/"* "$rootfs/usr/share/info/"* "$rootfs/usr/share/lintian"
find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
rm -rf "$rootfs/var/lib/apt/lists/"* "$rootfs/var/cache/apt/"*.bin "$rootfs/var/cache/apt/archives/"*.deb
find "$rootfs/var/log" -type f -delete
cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: http://deb.debian.org/debian
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
rm -f "$rootfs/etc/apt/sources.list"
# the build host's identity must not leak into the image
: >"$rootfs/etc/hostname"
rm -f "$rootfs/etc/resolv.conf"

log "user node (1000:1000)"
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node

log "node-linux-$node_arch@$node_version, $npm_spec, $corepack_spec, yarn@$yarn_version from the npm registry"
mkdir -p "$work/pack"
(cd "$work/pack" && npm pack --silent "node-linux-$node_arch@$node_version" "$npm_spec" "$corepack_spec" "yarn@$yarn_version" >/dev/null)
unpack() { # unpack TARBALL DEST: a registry tarball's package/ directory into DEST
  mkdir -p "$2"
  tar -xzf "$1" -C "$2" --strip-components=1 --no-same-owner
}
unpack "$work/pack/node-linux-$node_arch-$node_version.tgz" "$work/node"
install -D -m 0755 "$work/node/bin/node" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/include" "$rootfs/usr/local/share"
cp -r "$work/node/include/node" "$rootfs/usr/local/include/"
cp -r "$work/node/share/." "$rootfs/usr/local/share/"
ln -s node "$rootfs/usr/local/bin/nodejs"
for tarball in "$work"/pack/npm-*.tgz "$work"/pack/corepack-*.tgz; do
  name=$(basename "$tarball"); name=${name%%-*}
  unpack "$tarball" "$rootfs/usr/local/lib/node_modules/$name"
done
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
ln -s ../lib/node_modules/corepack/dist/corepack.js "$rootfs/usr/local/bin/corepack"
unpack "$work/pack/yarn-$yarn_version.tgz" "$rootfs/opt/yarn-v$yarn_version"
ln -s "/opt/yarn-v$yarn_version/bin/yarn" "$rootfs/usr/local/bin/yarn"
ln -s "/opt/yarn-v$yarn_version/bin/yarnpkg" "$rootfs/usr/local/bin/yarnpkg"
install -m 0755 "$here/docker-entrypoint.sh" "$rootfs/usr/local/bin/docker-entrypoint.sh"

# Smoke test inside the root filesystem before importing it.
chroot "$rootfs" /usr/local/bin/node --version >/dev/null
chroot "$rootfs" /usr/local/bin/npm --version >/dev/null
chroot "$rootfs" /usr/local/bin/yarn --version >/dev/null

log "podman import as $ref"
tar --numeric-owner --xattrs -C "$rootfs" -cf "$work/rootfs.tar" .
podman import --quiet \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV NODE_VERSION=$node_version" \
  --change "ENV YARN_VERSION=$yarn_version" \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
  --change 'CMD ["node"]' \
  --change "LABEL io.modelship.stand-in=\"debootstrap $suite minbase + node-linux-$node_arch@$node_version (npm registry)\"" \
  --message "modelship stand-in for $ref" \
  "$work/rootfs.tar" "$ref" >/dev/null
log "done: $(podman image inspect --format '{{.Id}} {{.Size}}' "$ref")"
