# shellcheck shell=bash
# The e2e control plane's lifecycle, shared by e2e/run.sh, e2e/sandbox.sh and e2e/bench.sh. Source it, then:
#   kdbg_host_tools                 installs what the node needs (Debian packages), where missing
#   kdbg_cluster_start DIR BINDIR   starts embedded etcd, kube-apiserver and the kubelet stand-in on free
#                                   127.0.0.1 ports, writes kubeconfigs into DIR, applies e2e/fixtures/rbac.yaml
#   kdbg_cluster_apply FILE         kubectl apply -f FILE as admin, then waits for its pods to be Ready (except
#                                   those labelled kdbg-e2e/not-ready=true)
#   kdbg_cluster_stop               stops everything (node first, so pods' processes die) and removes DIR
#                                   (kept with KDBG_E2E_KEEP=1)
# KDBG_E2E_NODE_KIND: `real` (default) runs a real node (lib/node.sh: kubelet + containerd, node `localhost`);
# `standin` the kubelet stand-in (kdbg-envd node, node `kdbg-node`).
# After start these are exported: KDBG_E2E_DIR, KDBG_E2E_ADMIN_KUBECONFIG, KDBG_E2E_KUBECONFIG_{DEBUGGER,VIEWER,NOEXEC},
# KDBG_E2E_API_URL, KDBG_E2E_NODE, KDBG_E2E_KUBECTL (kubectl 1.33), KDBG_E2E_KUBECTL_DIR.

KDBG_E2E_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KDBG_CLUSTER_PIDS=()
export KDBG_E2E_NODE_KIND=${KDBG_E2E_NODE_KIND:-real}
# shellcheck source=node.sh
source "$KDBG_E2E_HERE/lib/node.sh"

_kdbg_log() { echo "[e2e $(date +%H:%M:%S)] $*" >&2; }

# waits until FILE contains LINE (a READY line) or the process PID dies; $4 = timeout in seconds
_kdbg_wait_line() {
  local file=$1 line=$2 pid=$3 timeout=$4 i
  for ((i = 0; i < timeout * 10; i++)); do
    grep -qx "$line" "$file" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# host tools behind the fake images (busybox → busybox-static, nicolaka/netshoot → tcpdump and the host's tools)
kdbg_host_tools() {
  if [ "$KDBG_E2E_NODE_KIND" = real ]; then
    kdbg_node_deps
    return
  fi
  local missing=() tool
  command -v busybox >/dev/null || missing+=(busybox-static)
  command -v tcpdump >/dev/null || missing+=(tcpdump)
  for tool in unshare nsenter setpriv:util-linux ip:iproute2 curl openssl hostname; do
    command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    _kdbg_log "installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

kdbg_kubectl_dir() {
  local k
  k=$(command -v kubectl 2>/dev/null) || return 1
  dirname "$(readlink -f "$k")"
}

kdbg_cluster_start() {
  local dir=$1 bin=$2 t0 ports etcd_port peer_port api_port node_port admin_token user token
  t0=$(date +%s.%N)
  mkdir -p "$dir"/{pki,logs,kubeconfig}
  dir=$(cd "$dir" && pwd)
  export KDBG_E2E_DIR=$dir
  KDBG_E2E_KUBECTL_DIR=$(kdbg_kubectl_dir) || { _kdbg_log "kubectl not found"; return 1; }
  export KDBG_E2E_KUBECTL_DIR
  export KDBG_E2E_KUBECTL=$KDBG_E2E_KUBECTL_DIR/kubectl.1.33
  [ -x "$KDBG_E2E_KUBECTL" ] || KDBG_E2E_KUBECTL=$(command -v kubectl)
  export KDBG_E2E_NODE=kdbg-node
  [ "$KDBG_E2E_NODE_KIND" = real ] && KDBG_E2E_NODE=$KDBG_NODE_NAME

  read -r etcd_port peer_port api_port node_port < <(node "$KDBG_E2E_HERE/lib/freeports.mjs" 4)
  echo "$etcd_port $peer_port $api_port $node_port" >"$dir/ports"

  # credentials: a service-account key, static tokens per user
  openssl genrsa -out "$dir/pki/sa.key" 2048 2>/dev/null
  : >"$dir/pki/tokens.csv"
  for user in admin debugger viewer noexec; do
    token=$(openssl rand -hex 16)
    if [ "$user" = admin ]; then
      echo "$token,admin,uid-admin,\"system:masters\"" >>"$dir/pki/tokens.csv"
      admin_token=$token
    else
      echo "$token,$user,uid-$user" >>"$dir/pki/tokens.csv"
    fi
    echo "$token" >"$dir/pki/$user.token"
  done
  chmod 600 "$dir"/pki/*
  local node_flags=(--authorization-mode=RBAC --kubelet-preferred-address-types=InternalIP)
  if [ "$KDBG_E2E_NODE_KIND" = real ]; then
    kdbg_node_pki "$dir"
    mapfile -t node_flags < <(kdbg_node_apiserver_flags "$dir")
  fi

  _kdbg_log "etcd on 127.0.0.1:$etcd_port"
  "$bin/kdbg-envd" etcd --data-dir "$dir/etcd" --port "$etcd_port" --peer-port "$peer_port" \
    >"$dir/logs/etcd.out" 2>"$dir/logs/etcd.log" &
  KDBG_CLUSTER_PIDS+=($!)
  _kdbg_wait_line "$dir/logs/etcd.out" ETCD_READY $! 60 || { _kdbg_log "etcd did not start:"; tail -20 "$dir/logs/etcd.log" >&2; return 1; }

  _kdbg_log "kube-apiserver on https://127.0.0.1:$api_port"
  "$bin/kube-apiserver" \
    --etcd-servers="http://127.0.0.1:$etcd_port" \
    --bind-address=127.0.0.1 --secure-port="$api_port" --advertise-address=127.0.0.1 \
    --cert-dir="$dir/pki" \
    --service-cluster-ip-range=10.96.0.0/24 \
    --service-account-issuer=https://kubernetes.default.svc \
    --service-account-key-file="$dir/pki/sa.key" \
    --service-account-signing-key-file="$dir/pki/sa.key" \
    --token-auth-file="$dir/pki/tokens.csv" \
    "${node_flags[@]}" \
    --enable-admission-plugins=PodSecurity \
    --disable-admission-plugins=ServiceAccount \
    --endpoint-reconciler-type=none \
    --allow-privileged=true \
    --profiling=false \
    >"$dir/logs/kube-apiserver.log" 2>&1 &
  KDBG_CLUSTER_PIDS+=($!)
  local api_pid=$! i
  for ((i = 0; i < 1200; i++)); do
    curl -fsk -m 2 -H "Authorization: Bearer $admin_token" "https://127.0.0.1:$api_port/readyz" >/dev/null 2>&1 && break
    kill -0 "$api_pid" 2>/dev/null || { _kdbg_log "kube-apiserver exited:"; tail -30 "$dir/logs/kube-apiserver.log" >&2; return 1; }
    sleep 0.1
  done
  ((i < 1200)) || { _kdbg_log "kube-apiserver not ready after 120 s"; tail -30 "$dir/logs/kube-apiserver.log" >&2; return 1; }

  export KDBG_E2E_API_URL="https://127.0.0.1:$api_port"
  for user in admin debugger viewer noexec; do
    cat >"$dir/kubeconfig/$user" <<KC
apiVersion: v1
kind: Config
clusters:
- name: kdbg-e2e
  cluster:
    server: $KDBG_E2E_API_URL
    certificate-authority: $dir/pki/apiserver.crt
users:
- name: $user
  user:
    token: $(cat "$dir/pki/$user.token")
contexts:
- name: $user@kdbg-e2e
  context: {cluster: kdbg-e2e, user: $user, namespace: default}
current-context: $user@kdbg-e2e
KC
    chmod 600 "$dir/kubeconfig/$user"
  done
  export KDBG_E2E_ADMIN_KUBECONFIG=$dir/kubeconfig/admin
  export KDBG_E2E_KUBECONFIG_DEBUGGER=$dir/kubeconfig/debugger
  export KDBG_E2E_KUBECONFIG_VIEWER=$dir/kubeconfig/viewer
  export KDBG_E2E_KUBECONFIG_NOEXEC=$dir/kubeconfig/noexec

  "$KDBG_E2E_KUBECTL" --kubeconfig "$KDBG_E2E_ADMIN_KUBECONFIG" apply -f "$KDBG_E2E_HERE/fixtures/rbac.yaml" >"$dir/logs/rbac.log" 2>&1 ||
    { _kdbg_log "RBAC:"; cat "$dir/logs/rbac.log" >&2; return 1; }

  if [ "$KDBG_E2E_NODE_KIND" = real ]; then
    kdbg_node_start "$dir" "$bin" || return 1
  else
    _kdbg_log "kubelet stand-in (node $KDBG_E2E_NODE) on https://127.0.0.1:$node_port"
    "$bin/kdbg-envd" node --kubeconfig "$KDBG_E2E_ADMIN_KUBECONFIG" --node-name "$KDBG_E2E_NODE" \
      --port "$node_port" --state-dir "$dir/node" --status-lag "${KDBG_E2E_STATUS_LAG:-500ms}" \
      >"$dir/logs/node.out" 2>"$dir/logs/node.log" &
    KDBG_CLUSTER_PIDS+=($!)
    _kdbg_wait_line "$dir/logs/node.out" NODE_READY $! 60 || { _kdbg_log "node did not start:"; tail -20 "$dir/logs/node.log" >&2; return 1; }
  fi
  KDBG_E2E_START_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  export KDBG_E2E_START_SECONDS
  _kdbg_log "control plane up in ${KDBG_E2E_START_SECONDS} s (logs in $dir/logs)"
}

kdbg_cluster_apply() {
  local file=$1 k=("$KDBG_E2E_KUBECTL" --kubeconfig "$KDBG_E2E_ADMIN_KUBECONFIG")
  "${k[@]}" apply -f "$file" >>"$KDBG_E2E_DIR/logs/fixtures.log" 2>&1 ||
    { _kdbg_log "apply $file:"; tail -20 "$KDBG_E2E_DIR/logs/fixtures.log" >&2; return 1; }
  local ns
  for ns in $("${k[@]}" get pods -A --no-headers -o custom-columns=NS:.metadata.namespace | sort -u); do
    # pods labelled kdbg-e2e/not-ready=true are meant never to be Ready (sandbox demos)
    "${k[@]}" get pods -n "$ns" -l 'kdbg-e2e/not-ready!=true' -o name | grep -q . || continue
    "${k[@]}" wait -n "$ns" --for=condition=Ready pods -l 'kdbg-e2e/not-ready!=true' --timeout=60s >>"$KDBG_E2E_DIR/logs/fixtures.log" 2>&1 ||
      { _kdbg_log "pods in $ns not Ready:"; "${k[@]}" get pods -n "$ns" -o wide >&2; return 1; }
  done
}

kdbg_cluster_stop() {
  local pid i
  if [ "$KDBG_E2E_NODE_KIND" = real ] && [ -n "${KDBG_E2E_DIR:-}" ]; then
    kdbg_node_stop "$KDBG_E2E_DIR"
  fi
  # reverse order: node (kills the pods' processes), apiserver, etcd
  for ((i = ${#KDBG_CLUSTER_PIDS[@]} - 1; i >= 0; i--)); do
    pid=${KDBG_CLUSTER_PIDS[i]}
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  KDBG_CLUSTER_PIDS=()
  if [ -n "${KDBG_E2E_DIR:-}" ] && [ -d "$KDBG_E2E_DIR" ]; then
    if [ -n "${KDBG_E2E_KEEP:-}" ]; then
      _kdbg_log "kept $KDBG_E2E_DIR"
    else
      rm -rf "$KDBG_E2E_DIR"
    fi
  fi
}
