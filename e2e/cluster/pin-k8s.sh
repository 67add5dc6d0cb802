#!/usr/bin/env bash
# Regenerates e2e/cluster/go.mod from the published k8s.io/kubernetes go.mod:
# requires k8s.io/kubernetes $K8S_VERSION and pins every staging module (required there as v0.0.0 and replaced by
# ./staging/src/... upstream) to the matching v0.Y.Z tag with a replace directive, then runs `go mod tidy`.
#   usage: K8S_VERSION=v1.36.3 e2e/cluster/pin-k8s.sh
# Commit go.mod and go.sum afterwards. Extra replaces for staging modules that drop out of the graph are harmless.
set -euo pipefail
K8S=${K8S_VERSION:-v1.36.3}
STAGING="v0.${K8S#v1.}"                      # v1.36.3 -> v0.36.3
cd "$(dirname "$0")"
MODULE=kdbg/e2e/cluster

# The published go.mod of k8s.io/kubernetes (from the module proxy; `go mod download` outside any module).
GOMOD=$(cd "$(mktemp -d)" && GOFLAGS= go mod download -json "k8s.io/kubernetes@${K8S}" |
  sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
[ -s "$GOMOD" ] || { echo "pin-k8s: could not download the go.mod of k8s.io/kubernetes@${K8S}" >&2; exit 1; }
GO_DIRECTIVE=$(awk '$1 == "go" {print $2; exit}' "$GOMOD")

[ -f go.mod ] || go mod init "$MODULE"
go mod edit -go="$GO_DIRECTIVE" -require="k8s.io/kubernetes@${K8S}"
# drop stale staging replaces (e.g. from an older minor), then add the current set
for m in $(go mod edit -json | sed -n 's/.*"Path": "\(k8s\.io\/[^"]*\)".*/\1/p' | sort -u); do
  go mod edit -dropreplace="$m" 2>/dev/null || true
done
n=0
for m in $(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print $1}' "$GOMOD"); do
  go mod edit -replace="${m}=${m}@${STAGING}"
  n=$((n + 1))
done
echo "pin-k8s: k8s.io/kubernetes ${K8S}, ${n} staging modules pinned to ${STAGING}, go ${GO_DIRECTIVE}" >&2
go mod tidy
