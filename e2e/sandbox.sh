#!/usr/bin/env bash
# npm run sandbox: the e2e cluster in the foreground with demo pods in `default` (e2e/fixtures/sandbox.yaml):
# web-0 (app serving HTTP to itself on 127.0.0.1:8080 + sidecar), web-1, nonroot, restricted, crashloop and
# init-fails. Prints the admin KUBECONFIG; Ctrl-C (or SIGTERM) stops everything. After a SIGKILL of this script,
# the next start removes what was left (containers, mounts, cgroups, processes; see e2e/lib/node.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
if [ "$(id -u)" -ne 0 ]; then
  echo "sandbox: needs root (containerd and the kubelet, or the stand-in's namespaces)" >&2
  exit 1
fi
# shellcheck source=lib/cluster.sh
source e2e/lib/cluster.sh
kdbg_host_tools
BIN=$(bash e2e/build.sh | tail -1)
RUN_DIR=${KDBG_SANDBOX_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/kdbg-sandbox.XXXXXX")}
waiter=
trap '[ -n "$waiter" ] && kill "$waiter" 2>/dev/null; kdbg_cluster_stop' EXIT
trap 'echo; echo "sandbox: stopping" >&2; exit 0' INT TERM
kdbg_cluster_start "$RUN_DIR" "$BIN"
kdbg_cluster_apply e2e/fixtures/sandbox.yaml
if [ "$KDBG_E2E_NODE_KIND" = real ]; then
  images="busybox:1.36, busybox:1.36.1, nicolaka/netshoot:v0.13, example/nonroot:1, example/noshell:1 (built from Debian packages; anything else fails to pull)"
else
  images="busybox, alpine, nicolaka/netshoot, ubuntu, debian, example/noshell, example/nonroot (others fail to pull)"
fi
cat <<MSG

kdbg sandbox is up: kube-apiserver $KDBG_E2E_API_URL, node $KDBG_E2E_NODE ($KDBG_E2E_NODE_KIND).
Pods in default: web-0 (app, sidecar), web-1, nonroot, restricted, crashloop, init-fails.
  export KUBECONFIG=$KDBG_E2E_ADMIN_KUBECONFIG
Other users: $KDBG_E2E_KUBECONFIG_DEBUGGER, $KDBG_E2E_KUBECONFIG_VIEWER, $KDBG_E2E_KUBECONFIG_NOEXEC
Images: $images.
Logs: $KDBG_E2E_DIR/logs. Press Ctrl-C to stop.
MSG
sleep infinity &
waiter=$!
wait "$waiter"
