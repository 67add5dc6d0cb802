#!/usr/bin/env bash
# Builds the container images of the real e2e node from Debian packages of this machine (no registry is
# reachable): docker-archive tarballs, one per image name, into a cache dir keyed by this script, the package
# versions and the pause binary. Prints that directory as its last line of stdout (progress goes to stderr).
#   usage: bash e2e/images.sh BINDIR        (BINDIR: e2e/build.sh's output, for the static `pause`)
# Images (the names kdbg's built-in profiles, the fixtures and the scenarios use):
#   docker.io/library/busybox:1.36, :1.36.1   busybox-static 1.35 with its applet links, root/nobody users
#   docker.io/nicolaka/netshoot:v0.13         the busybox one plus bash (also its sh), tcpdump, curl, ip/ss, ps, with their libraries
#   docker.io/example/noshell:1               only a static /app (no shell, no tools)
#   docker.io/example/nonroot:1               busybox, user 1000:1000
#   registry.k8s.io/pause:3.10.1              the sandbox image (our static pause)
# Needs: busybox-static tcpdump curl iproute2 procps bash umoci skopeo (e2e/lib/node.sh installs them).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${1:?usage: images.sh BINDIR}
PKGS=(busybox-static tcpdump curl iproute2 procps bash libpcap0.8)
# contents only (no paths), so every checkout shares the cache
KEY=$( { sha256sum <"$HERE/images.sh"; sha256sum <"$BIN/pause"; dpkg-query -W -f '${Package} ${Version}\n' "${PKGS[@]}"; } | sha256sum | cut -c1-16)
OUT="${KDBG_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kdbg-e2e}/images-$KEY"
NAMES=(busybox-1.36 busybox-1.36.1 netshoot noshell nonroot pause)
have=1
for n in "${NAMES[@]}"; do [ -s "$OUT/$n.tar" ] || have=; done
if [ -n "$have" ] && [ -z "${KDBG_E2E_REBUILD:-}" ]; then
  echo "images.sh: reusing $OUT" >&2
  echo "$OUT"
  exit 0
fi

start=$(date +%s.%N)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kdbg-images.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
LAYOUT=$WORK/oci
umoci init --layout "$LAYOUT"
PATH_ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# a rootfs with busybox-static and its applets in /bin, /etc/passwd and /etc/group; $2: extra passwd lines
busybox_rootfs() {
  local root=$1 a
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,root,tmp,home,var/tmp,proc,sys,dev}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  chmod 700 "$root/root"
  cp /bin/busybox "$root/bin/busybox"
  for a in $(/bin/busybox --list); do
    [ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n%s' "${2:-}" >"$root/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\n%s' "${3:-}" >"$root/etc/group"
  echo 'hosts: files dns' >"$root/etc/nsswitch.conf"
}

# copies host executables and the shared libraries ldd lists for them into root, at the same paths
copy_with_libs() {
  local root=$1 f lib
  shift
  for f in "$@"; do
    mkdir -p "$root$(dirname "$f")"
    cp -L "$f" "$root$f"
    for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*'); do
      [ -e "$root$lib" ] && continue
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  done
}

# pack ROOT as image TAG of the layout, with a default command, then write docker-archive tarballs for NAMES...
pack() {
  local tag=$1 root=$2 user=$3 cmd=$4 name
  shift 4
  umoci new --image "$LAYOUT:$tag"
  umoci insert --image "$LAYOUT:$tag" "$root" / >/dev/null
  local cfg=(--image "$LAYOUT:$tag" --config.env "$PATH_ENV" --config.cmd "$cmd" --config.workingdir /
    --author kdbg-e2e --os linux --architecture amd64)
  [ -n "$user" ] && cfg+=(--config.user "$user")
  umoci config "${cfg[@]}"
  for name in "$@"; do
    skopeo copy -q "oci:$LAYOUT:$tag" "docker-archive:$WORK/out/${name%%=*}.tar:${name#*=}"
  done
}
mkdir -p "$WORK/out"

busybox_rootfs "$WORK/busybox"
pack busybox "$WORK/busybox" "" sh busybox-1.36=docker.io/library/busybox:1.36 busybox-1.36.1=docker.io/library/busybox:1.36.1

busybox_rootfs "$WORK/nonroot" 'app:x:1000:1000:app:/home/app:/bin/sh
' 'app:x:1000:
'
mkdir -p "$WORK/nonroot/home/app" && chown 1000:1000 "$WORK/nonroot/home/app"
pack nonroot "$WORK/nonroot" 1000:1000 sh nonroot=docker.io/example/nonroot:1

busybox_rootfs "$WORK/netshoot" 'tcpdump:x:104:109::/nonexistent:/usr/sbin/nologin
' 'tcpdump:x:109:
'
copy_with_libs "$WORK/netshoot" $(for t in bash tcpdump curl ip ss ps; do readlink -f "$(command -v "$t")"; done)
ln -sf /usr/bin/bash "$WORK/netshoot/bin/bash"
# its sh looks commands up on PATH, as the real image's (Alpine's busybox ash) does: Debian's static busybox sh runs
# its own applets first, so `ip -brief address` would be busybox's ip, which has no -brief
ln -sf /usr/bin/bash "$WORK/netshoot/bin/sh"
mkdir -p "$WORK/netshoot/etc/ssl/certs"
[ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$WORK/netshoot/etc/ssl/certs/"
pack netshoot "$WORK/netshoot" "" bash netshoot=docker.io/nicolaka/netshoot:v0.13

mkdir -p "$WORK/noshell"
cp "$BIN/pause" "$WORK/noshell/app"
pack noshell "$WORK/noshell" "" /app noshell=docker.io/example/noshell:1

mkdir -p "$WORK/pause"
cp "$BIN/pause" "$WORK/pause/pause"
umoci new --image "$LAYOUT:pause"
umoci insert --image "$LAYOUT:pause" "$WORK/pause" / >/dev/null
umoci config --image "$LAYOUT:pause" --config.entrypoint /pause --config.user 65535:65535 --os linux --architecture amd64
skopeo copy -q "oci:$LAYOUT:pause" "docker-archive:$WORK/out/pause.tar:registry.k8s.io/pause:3.10.1"

rm -rf "$OUT"
mkdir -p "$(dirname "$OUT")"
mv "$WORK/out" "$OUT"
echo "images.sh: built ${NAMES[*]} in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s" >&2
echo "$OUT"
