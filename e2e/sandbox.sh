#!/usr/bin/env bash
# npm run sandbox: the e2e control plane in the foreground with demo pods in `default` (web-0: app + sidecar,
# web-1), for trying kdbg by hand. Prints the admin KUBECONFIG; Ctrl-C stops everything.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
if [ "$(id -u)" -ne 0 ]; then
  echo "sandbox: needs root (namespaces, setpriv)" >&2
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
cat <<MSG

kdbg sandbox is up: kube-apiserver $KDBG_E2E_API_URL, node $KDBG_E2E_NODE, pods web-0 (app, sidecar) and web-1 in default.
  export KUBECONFIG=$KDBG_E2E_ADMIN_KUBECONFIG
Other users: $KDBG_E2E_KUBECONFIG_DEBUGGER, $KDBG_E2E_KUBECONFIG_VIEWER, $KDBG_E2E_KUBECONFIG_NOEXEC
Images: busybox, alpine, nicolaka/netshoot, ubuntu, debian, example/noshell, example/nonroot (others fail to pull).
Logs: $KDBG_E2E_DIR/logs. Press Ctrl-C to stop.
MSG
sleep infinity &
waiter=$!
wait "$waiter"
