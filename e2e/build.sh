#!/usr/bin/env bash
# Builds the e2e control-plane binaries (stock kube-apiserver + our kdbg-envd; unless KDBG_E2E_NODE_KIND=standin
# also the stock kubelet and our pause) from e2e/cluster into a cache dir outside the repo, keyed by the Kubernetes version
# and a hash of e2e/cluster's sources; reuses the ones present and builds only what is missing.
# Prints the directory holding the binaries as its last line of stdout (progress goes to stderr).
#   usage: bash e2e/build.sh            KDBG_E2E_REBUILD=1 forces a rebuild
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
SRC="$HERE/cluster"
K8S=$(awk '$1 == "k8s.io/kubernetes" {print $2; exit} $1 == "require" && $2 == "k8s.io/kubernetes" {print $3; exit}' "$SRC/go.mod")
[ -n "$K8S" ] || { echo "build.sh: no k8s.io/kubernetes requirement in $SRC/go.mod" >&2; exit 1; }
# contents and paths relative to e2e/cluster only, so every checkout shares the cache
HASH=$(cd "$SRC" && { find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) | LC_ALL=C sort |
  xargs sha256sum; sha256sum <"$HERE/build.sh"; } | sha256sum | cut -c1-16)
OUT="${KDBG_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kdbg-e2e}/${K8S}-${HASH}"

declare -A PKG=([kube-apiserver]=k8s.io/kubernetes/cmd/kube-apiserver [kdbg-envd]=./cmd/kdbg-envd
  [kubelet]=k8s.io/kubernetes/cmd/kubelet [pause]=./cmd/pause)
WANT=(kube-apiserver kdbg-envd)
[ "${KDBG_E2E_NODE_KIND:-real}" = real ] && WANT+=(kubelet pause)
MISSING=()
for b in "${WANT[@]}"; do
  if [ -n "${KDBG_E2E_REBUILD:-}" ] || ! [ -x "$OUT/$b" ]; then MISSING+=("$b"); fi
done
if [ ${#MISSING[@]} -eq 0 ]; then
  echo "build.sh: reusing $OUT" >&2
  echo "$OUT"
  exit 0
fi
command -v go >/dev/null || { echo "build.sh: go is not installed" >&2; exit 1; }

MINOR=${K8S#v1.}; MINOR=${MINOR%%.*}
V=k8s.io/component-base/version
BUILD_DATE=1970-01-01T00:00:00Z          # fixed: reproducible, and the key already identifies the sources
LDFLAGS="-s -w -X $V.gitVersion=$K8S -X $V.gitMajor=1 -X $V.gitMinor=$MINOR -X $V.gitTreeState=clean -X $V.buildDate=$BUILD_DATE"
LDFLAGS="$LDFLAGS -X k8s.io/client-go/pkg/version.gitVersion=$K8S -X k8s.io/client-go/pkg/version.gitMajor=1"
LDFLAGS="$LDFLAGS -X k8s.io/client-go/pkg/version.gitMinor=$MINOR -X k8s.io/client-go/pkg/version.gitTreeState=clean"

TMP="$OUT.tmp.$$"
mkdir -p "$TMP"
trap 'rm -rf "$TMP"' EXIT
echo "build.sh: building ${MISSING[*]} ($K8S) into $OUT (a cold build takes minutes)" >&2
start=$(date +%s)
pkgs=()
for b in "${MISSING[@]}"; do pkgs+=("${PKG[$b]}"); done
(cd "$SRC" && CGO_ENABLED=0 go build -mod=readonly -buildvcs=false -trimpath -pgo=off -ldflags "$LDFLAGS" \
  -o "$TMP/" "${pkgs[@]}")
mkdir -p "$OUT"
for b in "${MISSING[@]}"; do mv -f "$TMP/$b" "$OUT/$b"; done
echo "build.sh: built in $(( $(date +%s) - start )) s" >&2
echo "$OUT"
