#!/usr/bin/env bash
# npm run bench:e2e: the benchmark of bench/run.ts against the e2e cluster (kube-apiserver 1.36.3 and the real node,
# kubelet 1.36.3 on containerd; KDBG_E2E_NODE_KIND=standin for the kubelet stand-in), on the sandbox's pod web-0 in
# `default`.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
if [ "$(id -u)" -ne 0 ]; then
  echo "bench:e2e: skipped (needs root for containerd and the kubelet)"
  exit 0
fi
# shellcheck source=lib/cluster.sh
source e2e/lib/cluster.sh
kdbg_host_tools
BIN=$(bash e2e/build.sh | tail -1)
RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kdbg-bench.XXXXXX")
trap 'kdbg_cluster_stop' EXIT
trap 'exit 130' INT TERM
kdbg_cluster_start "$RUN_DIR" "$BIN"
kdbg_cluster_apply e2e/fixtures/sandbox.yaml
KDBG_BENCH_KUBECONFIG=$KDBG_E2E_ADMIN_KUBECONFIG npx tsx bench/run.ts
