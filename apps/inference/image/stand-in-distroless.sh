#!/usr/bin/env bash
# Builds a local stand-in for the distroless Node image that apps/inference/Dockerfile's
# runtime stage is FROM (gcr.io/distroless/nodejs22-debian12:nonroot), and tags it with
# exactly that name, so that the unmodified Dockerfile builds with podman on a machine that
# reaches no container registry.
#
#   apps/inference/image/stand-in-distroless.sh [--force]
#
# Like the real image (GoogleContainerTools/distroless, nodejs/README.md, base/README.md),
# its files come from Debian 12 packages unpacked without running their scripts: base-files,
# netbase, tzdata, ca-certificates (the bundle in /etc/ssl/certs/ca-certificates.crt), libc6,
# libgcc-s1, gcc-12-base, libstdc++6 and libssl3; /etc/passwd and /etc/group with root,
# nobody and nonroot (65532); no shell, no package manager. Node is the official build that
# the npm registry ships as node-linux-<arch>@<version>, at /nodejs/bin/node, the version of
# the Dockerfile's build stage (docker.io/library/node:<version>-...). ENTRYPOINT
# ["/nodejs/bin/node"], USER 65532 (the `nonroot` tag), WORKDIR /home/nonroot.
# Differences from the real image are listed in apps/inference/image/README.md.
#
# Cached: if the tag already exists in podman's local storage, nothing is done (--force
# rebuilds). Needs root, podman, apt-get (Debian 12 sources), dpkg-deb, npm and tar.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
dockerfile="$here/../Dockerfile"
force=false
[ "${1-}" = "--force" ] && force=true

log() { printf '[stand-in-distroless] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Both references come from the Dockerfile's FROM lines, so the stand-ins cannot drift from it.
from_lines() { awk -v pattern="$1" 'toupper($1) == "FROM" && $2 ~ pattern { print $2 }' "$dockerfile" | sort -u; }
ref=$(from_lines '^gcr\\.io/distroless/nodejs')
node_ref=$(from_lines '^docker\\.io/library/node:')
[ -n "$ref" ] && [ "$(wc -l <<<"$ref")" -eq 1 ] || die "expected one distroless FROM in $dockerfile, found: ${ref:-none}"
[ -n "$node_ref" ] && [ "$(wc -l <<<"$node_ref")" -eq 1 ] || die "expected one node FROM in $dockerfile, found: ${node_ref:-none}"
case "$ref" in
  gcr.io/distroless/nodejs22-debian12:nonroot) ;;
  *) die "FROM names '$ref'; this script only stands in for gcr.io/distroless/nodejs22-debian12:nonroot" ;;
esac
node_version=${node_ref#docker.io/library/node:}
node_version=${node_version%%-*}
[[ "$node_version" =~ ^22\.[0-9]+\.[0-9]+$ ]] || die "the build stage's node tag does not pin a Node 22 version: $node_ref"

if ! $force && podman image exists "$ref"; then
  log "$ref exists (cached); nothing to do"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || die "must run as root (the files must be owned by root in the image)"
for tool in podman apt-get dpkg-deb npm tar; do
  command -v "$tool" >/dev/null || die "'$tool' is not installed"
done
# apt-get download takes the packages of the host's release: it must be Debian 12.
. /etc/os-release
[ "${ID-}" = debian ] && [ "${VERSION_ID-}" = 12 ] || die "this host is ${PRETTY_NAME-unknown}, not Debian 12: apt-get would fetch other packages"

case "$(uname -m)" in
  x86_64) node_arch=x64 ;;
  aarch64) node_arch=arm64 ;;
  *) die "unsupported machine $(uname -m)" ;;
esac

work=$(mktemp -d "${TMPDIR:-/var/tmp}/distroless-stand-in.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
rootfs="$work/rootfs"
mkdir -p "$rootfs" "$work/debs" "$work/pack"

packages=(base-files netbase tzdata ca-certificates libc6 libgcc-s1 gcc-12-base libstdc++6 libssl3)
log "apt-get download ${packages[*]}"
(cd "$work/debs" && apt-get download "${packages[@]}" >"$work/apt.log" 2>&1) \
  || { tail -n 20 "$work/apt.log" >&2; die "apt-get download failed (log above)"; }
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$rootfs"; done

# What distroless leaves out: documentation (except copyright files), manuals, translations.
find "$rootfs/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$rootfs/usr/share/man" "$rootfs/usr/share/info" "$rootfs/usr/share/lintian" "$rootfs/usr/share/locale"

# ca-certificates' postinst would build the bundle: the same concatenation, done here.
mkdir -p "$rootfs/etc/ssl/certs"
cat "$rootfs"/usr/share/ca-certificates/mozilla/*.crt >"$rootfs/etc/ssl/certs/ca-certificates.crt"

cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
PASSWD
cat >"$rootfs/etc/group" <<'GROUP'
root:x:0:
nobody:x:65534:
tty:x:5:
staff:x:50:
nonroot:x:65532:
GROUP
install -d -m 0700 "$rootfs/root"
install -d -m 0700 -o 65532 -g 65532 "$rootfs/home/nonroot"
install -d -m 1777 "$rootfs/tmp"
ln -sf /usr/share/zoneinfo/Etc/UTC "$rootfs/etc/localtime"

log "node-linux-$node_arch@$node_version from the npm registry"
(cd "$work/pack" && npm pack --silent "node-linux-$node_arch@$node_version" >/dev/null)
mkdir -p "$work/node"
tar -xzf "$work/pack/node-linux-$node_arch-$node_version.tgz" -C "$work/node" --strip-components=1 --no-same-owner
install -D -m 0755 "$work/node/bin/node" "$rootfs/nodejs/bin/node"
[ ! -f "$work/node/LICENSE" ] || install -m 0644 "$work/node/LICENSE" "$rootfs/nodejs/LICENSE"

# Smoke test: node starts against this root's own libraries and finds its CA bundle.
chroot "$rootfs" /nodejs/bin/node -e 'require("node:crypto").createHash("sha256"); require("node:fs").accessSync("/etc/ssl/certs/ca-certificates.crt")' \
  || die "node does not start in the stand-in's root"

log "podman import as $ref"
tar --numeric-owner --xattrs -C "$rootfs" -cf "$work/rootfs.tar" .
podman import --quiet \
  --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  --change "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt" \
  --change 'ENTRYPOINT ["/nodejs/bin/node"]' \
  --change 'USER 65532' \
  --change 'WORKDIR /home/nonroot' \
  --change "LABEL io.modelship.stand-in=\"Debian 12 packages (distroless's set) + node-linux-$node_arch@$node_version (npm registry)\"" \
  --message "modelship stand-in for $ref" \
  "$work/rootfs.tar" "$ref" >/dev/null
log "done: $(podman image inspect --format '{{.Id}} {{.Size}}' "$ref")"
