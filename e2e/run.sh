#!/usr/bin/env bash
# npm run e2e: kdbg's end-to-end suite against a real kube-apiserver 1.36 + embedded etcd + a real node (kubelet
# 1.36 on Debian's containerd; KDBG_E2E_NODE_KIND=standin: the kubelet stand-in), all on 127.0.0.1. Needs root
# (containerd, the kubelet, apt-get); without root it says so and exits 0.
# Installs the Debian packages the node needs (e2e/lib/node.sh), builds the binaries once (e2e/build.sh caches
# them), starts the cluster, applies fixtures, runs `vitest run --config e2e/vitest.config.ts` (extra arguments are
# passed on), and always tears down (also what a killed earlier run left behind, first).
# KDBG_E2E_KUBECONFIG=<admin kubeconfig> runs the suite against that cluster instead (no root, no build).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export KDBG_BACKEND=real
if [ -n "${KDBG_E2E_KUBECONFIG:-}" ]; then
  # a cluster of your own: no local control plane; test users are impersonated (see test/backends/real.ts)
  echo "e2e: against the cluster of $KDBG_E2E_KUBECONFIG" >&2
  exec npx vitest run --config e2e/vitest.config.ts "$@"
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "e2e: skipped (needs root for containerd and the kubelet; run as root)"
  exit 0
fi

# shellcheck source=lib/cluster.sh
source e2e/lib/cluster.sh
kdbg_host_tools
BIN=$(bash e2e/build.sh | tail -1)
RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kdbg-e2e.XXXXXX")
trap 'kdbg_cluster_stop' EXIT
trap 'exit 130' INT TERM
kdbg_cluster_start "$RUN_DIR" "$BIN"
kdbg_cluster_apply e2e/fixtures/e2e.yaml

t0=$(date +%s)
set +e
npx vitest run --config e2e/vitest.config.ts "$@"
rc=$?
set -e
echo "e2e: suite took $(( $(date +%s) - t0 )) s (control plane start ${KDBG_E2E_START_SECONDS} s)" >&2
if [ $rc -ne 0 ] && [ -d "$KDBG_E2E_DIR/logs" ]; then
  log=$KDBG_E2E_DIR/logs/node.log
  [ "$KDBG_E2E_NODE_KIND" = real ] && log=$KDBG_E2E_DIR/logs/kubelet.log
  echo "e2e: last lines of $log:" >&2
  tail -20 "$log" >&2 || true
fi
exit $rc
