# shellcheck shell=bash
# The real node of the e2e control plane (KDBG_E2E_NODE=real): Debian's containerd + runc, the stock kubelet built
# by e2e/build.sh, the CNI plugin lib/cni-veth, images from e2e/images.sh. Sourced by lib/cluster.sh, which calls:
#   kdbg_node_deps                  apt-get installs what the node and the images need, where missing
#   kdbg_node_pki DIR               a CA, the apiserver's kubelet-client certificate, the node's token line
#   kdbg_node_apiserver_flags DIR   the kube-apiserver flags the node needs (one per line)
#   kdbg_node_start DIR BIN         containerd, images, binder, kubelet; waits for Node `localhost` Ready
#   kdbg_node_stop DIR              stops and removes everything of the node (processes, pods, mounts, cgroups)
# Everything lives under DIR: containerd's root, state and socket, runc's root, the kubelet's root dir, pod logs,
# CNI config. The kubelet runs in a mount namespace of its own where /var/lib and /var/log are directories of DIR
# and the kernel settings it would change (vm.overcommit_memory, kernel.panic, …) are files of DIR, and with
# `iptables` commands that fail (it would add KUBE-FIREWALL and canary chains), so it changes nothing of the machine; pods' volumes still reach containerd through a shared bind mount of its root dir.
# Leftovers of a run that was killed (SIGKILL) are found through ${KDBG_E2E_STATE:-/var/tmp/kdbg-e2e-nodes} and
# removed by the next kdbg_node_start.

KDBG_NODE_STATE=${KDBG_E2E_STATE:-/var/tmp/kdbg-e2e-nodes}
KDBG_NODE_NAME=localhost
KDBG_NODE_PIDS=()

kdbg_node_deps() {
  local p missing=()
  # tshark: the suite reads kdbg's captures with it, as a user's Wireshark would
  for p in containerd runc containernetworking-plugins umoci skopeo busybox-static tcpdump curl iproute2 procps \
    util-linux openssl tshark; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    _kdbg_log "installing ${missing[*]}"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# the cgroup (under every hierarchy) that holds the node's pods: one per run directory
_kdbg_node_cgroup() { echo "kdbg-node-$(basename "$1")"; }

kdbg_node_pki() {
  local dir=$1 p=$1/pki
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=kdbg-e2e-ca -keyout "$p/ca.key" -out "$p/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=kube-apiserver-kubelet-client" \
    -keyout "$p/kubelet-client.key" -out "$p/kubelet-client.csr" 2>/dev/null
  openssl x509 -req -in "$p/kubelet-client.csr" -CA "$p/ca.crt" -CAkey "$p/ca.key" -CAcreateserial -days 2 \
    -out "$p/kubelet-client.crt" 2>/dev/null
  local token
  token=$(openssl rand -hex 16)
  echo "$token,system:node:$KDBG_NODE_NAME,uid-node,\"system:nodes\"" >>"$p/tokens.csv"
  echo "$token" >"$p/node.token"
  chmod 600 "$p"/*
}

kdbg_node_apiserver_flags() {
  local p=$1/pki
  printf '%s\n' --authorization-mode=Node,RBAC \
    --kubelet-client-certificate="$p/kubelet-client.crt" --kubelet-client-key="$p/kubelet-client.key" \
    --kubelet-preferred-address-types=Hostname
}

# waits until `cmd…` succeeds, the process PID dies (then fails) or timeout seconds pass
_kdbg_node_wait() {
  local what=$1 pid=$2 timeout=$3 i
  shift 3
  for ((i = 0; i < timeout * 10; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { _kdbg_log "$what exited"; return 1; }
    sleep 0.1
  done
  _kdbg_log "$what not ready after $timeout s"
  return 1
}

_kdbg_node_fail() { # part, log file
  _kdbg_log "node: $1 failed to start; its log: $2"
  tail -25 "$2" >&2 2>/dev/null || true
  return 1
}

kdbg_node_start() {
  local dir=$1 bin=$2 d images cg port
  d=$dir/node
  cg=$(_kdbg_node_cgroup "$dir")
  kdbg_node_reap_leftovers
  mkdir -p "$KDBG_NODE_STATE" "$d"/{containerd/certs.d/docker.io,cni/bin,cni/net.d,kubelet/root,kubelet/pki,kubelet/varlib,kubelet/varlog,kubelet/sysctl,kubelet/pod-logs,runc}
  # owner: this shell (its start time guards against PID reuse); the next start reaps the node if it is gone
  echo "$$ $(_kdbg_starttime $$) $dir" >"$KDBG_NODE_STATE/$(basename "$dir")"

  images=$(bash "$KDBG_E2E_HERE/images.sh" "$bin" | tail -1) || { _kdbg_log "node: image build failed"; return 1; }

  # CNI: the loopback plugin and a veth pair inside the pod's network namespace; nothing on the host
  cp /usr/lib/cni/loopback "$d/cni/bin/loopback"
  cp "$KDBG_E2E_HERE/lib/cni-veth" "$d/cni/bin/kdbg-veth"
  chmod 755 "$d/cni/bin/kdbg-veth"
  cat >"$d/cni/net.d/10-kdbg.conflist" <<CNI
{"cniVersion": "0.4.0", "name": "kdbg-pod-local", "plugins": [{"type": "kdbg-veth"}]}
CNI
  # no registry is reachable: pulls of images that were not imported fail at once on a closed 127.0.0.1 port
  cat >"$d/containerd/certs.d/docker.io/hosts.toml" <<'HOSTS'
server = "https://127.0.0.1:9"
[host."https://127.0.0.1:9"]
  capabilities = ["pull", "resolve"]
HOSTS
  cat >"$d/containerd/config.toml" <<TOML
version = 2
root = "$d/containerd/root"
state = "$d/containerd/state"
[grpc]
  address = "$d/containerd/containerd.sock"
[ttrpc]
  address = "$d/containerd/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins]
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = "registry.k8s.io/pause:3.10.1"
    restrict_oom_score_adj = true
    disable_apparmor = true
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    netns_mounts_under_state_dir = true
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
          Root = "$d/runc"
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "$d/cni/bin"
      conf_dir = "$d/cni/net.d"
    [plugins."io.containerd.grpc.v1.cri".registry]
      config_path = "$d/containerd/certs.d"
  [plugins."io.containerd.internal.v1.opt"]
    path = "$d/containerd/opt"
TOML
  local t=$(date +%s.%N)
  _kdbg_log "containerd (socket $d/containerd/containerd.sock)"
  containerd --config "$d/containerd/config.toml" >"$dir/logs/containerd.log" 2>&1 &
  KDBG_NODE_PIDS+=($!)
  _kdbg_node_wait containerd $! 30 ctr --address "$d/containerd/containerd.sock" version ||
    { _kdbg_node_fail containerd "$dir/logs/containerd.log"; return 1; }
  local f
  for f in "$images"/*.tar; do
    ctr --address "$d/containerd/containerd.sock" -n k8s.io images import "$f" >>"$dir/logs/images.log" 2>&1 ||
      { _kdbg_node_fail "image import ($f)" "$dir/logs/images.log"; return 1; }
  done
  # kdbg's built-in profiles pin Docker Hub's digests, which these locally built images cannot have: the digest
  # references name the local images too, as a registry mirror of ours would (kept equal to src/profiles/builtin.ts
  # by test/profiles/builtin.test.ts)
  local pin
  for pin in docker.io/library/busybox:1.36.1=docker.io/library/busybox@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662 \
    docker.io/nicolaka/netshoot:v0.13=docker.io/nicolaka/netshoot@sha256:a20c2531bf35436ed3766cd6cfe89d352b050ccc4d7005ce6400adf97503da1b; do
    ctr --address "$d/containerd/containerd.sock" -n k8s.io images tag "${pin%%=*}" "${pin#*=}" >>"$dir/logs/images.log" 2>&1 ||
      { _kdbg_node_fail "image tag (${pin#*=})" "$dir/logs/images.log"; return 1; }
  done
  _kdbg_log "containerd up with images in $(awk -v a="$t" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"

  # no kube-scheduler: the binder assigns pods to the node
  "$bin/kdbg-envd" binder --kubeconfig "$KDBG_E2E_ADMIN_KUBECONFIG" --node-name "$KDBG_NODE_NAME" \
    >"$dir/logs/binder.out" 2>"$dir/logs/binder.log" &
  KDBG_NODE_PIDS+=($!)
  _kdbg_wait_line "$dir/logs/binder.out" BINDER_READY $! 60 || { _kdbg_node_fail binder "$dir/logs/binder.log"; return 1; }

  # the kubelet: its own cgroup root, ports, and a kubeconfig with the node's token
  for f in /sys/fs/cgroup/*/; do
    [ -e "$f/cgroup.procs" ] || continue
    mkdir -p "$f$cg"
    [ -e "$f$cg/cpuset.cpus" ] && cat "${f}cpuset.cpus" >"$f$cg/cpuset.cpus" && cat "${f}cpuset.mems" >"$f$cg/cpuset.mems"
  done
  port=$(node "$KDBG_E2E_HERE/lib/freeports.mjs" 1)
  cat >"$dir/kubeconfig/node" <<KC
apiVersion: v1
kind: Config
clusters:
- name: kdbg-e2e
  cluster: {server: $KDBG_E2E_API_URL, certificate-authority: $dir/pki/apiserver.crt}
users:
- name: node
  user: {token: $(cat "$dir/pki/node.token")}
contexts:
- name: node
  context: {cluster: kdbg-e2e, user: node}
current-context: node
KC
  chmod 600 "$dir/kubeconfig/node"
  cat >"$d/kubelet/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: $port
readOnlyPort: 0
healthzPort: 0
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $dir/pki/ca.crt}
authorization: {mode: Webhook}
containerRuntimeEndpoint: unix://$d/containerd/containerd.sock
cgroupDriver: cgroupfs
cgroupRoot: /$cg
failCgroupV1: false
failSwapOn: false
podLogsDir: $d/kubelet/pod-logs
evictionHard: {memory.available: 100Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%, imagefs.inodesFree: 1%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
resolvConf: /etc/resolv.conf
# caps the pod workers' retry after a failed sync (10-15 s by default): a failed pull reaches the status in 5-8 s
syncFrequency: 5s
YAML
  # the kubelet's private view: /var/lib, /var/log and the kernel settings it would tune are files of DIR
  cat >"$d/kubelet/run.sh" <<SH
#!/bin/sh
set -e
mount --make-rprivate /proc
for f in vm/overcommit_memory vm/panic_on_oom kernel/panic kernel/panic_on_oops kernel/keys/root_maxkeys kernel/keys/root_maxbytes; do
  n=\$(echo "\$f" | tr / .)
  cat "/proc/sys/\$f" >"$d/kubelet/sysctl/\$n"
  mount --bind "$d/kubelet/sysctl/\$n" "/proc/sys/\$f"
done
mount --bind "$d/kubelet/varlib" /var/lib
mount --bind "$d/kubelet/varlog" /var/log
# no iptables for the kubelet: it would add KUBE-FIREWALL and canary chains to the machine's tables
export PATH="$d/kubelet/bin:\$PATH"
exec "$bin/kubelet" --config="$d/kubelet/config.yaml" --kubeconfig="$dir/kubeconfig/node" \\
  --hostname-override=$KDBG_NODE_NAME --root-dir="$d/kubelet/root" --cert-dir="$d/kubelet/pki" --v=2
SH
  mkdir -p "$d/kubelet/bin"
  for f in iptables ip6tables iptables-save ip6tables-save iptables-restore ip6tables-restore; do
    printf '#!/bin/sh\necho "%s: not available to the e2e kubelet" >&2\nexit 1\n' "$f" >"$d/kubelet/bin/$f"
    chmod 755 "$d/kubelet/bin/$f"
  done
  mount --bind "$d/kubelet/root" "$d/kubelet/root"
  mount --make-shared "$d/kubelet/root"
  _kdbg_log "kubelet (node $KDBG_NODE_NAME) on https://127.0.0.1:$port"
  unshare --mount --propagation unchanged sh "$d/kubelet/run.sh" >"$dir/logs/kubelet.log" 2>&1 &
  KDBG_NODE_PIDS+=($!)
  local kc=("$KDBG_E2E_KUBECTL" --kubeconfig "$KDBG_E2E_ADMIN_KUBECONFIG")
  _kdbg_node_wait "kubelet (node $KDBG_NODE_NAME Ready)" $! 120 _kdbg_node_ready "${kc[@]}" ||
    { _kdbg_node_fail kubelet "$dir/logs/kubelet.log"; return 1; }
}

_kdbg_node_ready() {
  [ "$("$@" get node "$KDBG_NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null)" = True ]
}

_kdbg_starttime() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }

# PIDs of processes whose command line mentions $1
_kdbg_pids_mentioning() {
  local p
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = $$ ] && continue
    { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF -- "$1" && echo "${p#/proc/}"
  done
  return 0
}

# every process in the cgroup CG (any hierarchy), recursively
_kdbg_cgroup_pids() {
  local cg=$1 f
  for f in /sys/fs/cgroup/*/"$cg"; do
    [ -d "$f" ] && find "$f" -name cgroup.procs -exec cat {} + 2>/dev/null
  done | sort -u
}

# stops and removes every trace of the node of run directory DIR; also used for the leftovers of a killed run
kdbg_node_stop() {
  local dir=$1 d=$1/node cg pid i pids m f
  cg=$(_kdbg_node_cgroup "$dir")
  # 1. the kubelet first (it would restart containers), then the binder
  for pid in $(_kdbg_pids_mentioning "$d/kubelet/config.yaml") $(_kdbg_pids_mentioning "$dir/logs/binder") \
    $(_kdbg_pids_mentioning "binder --kubeconfig $dir/"); do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for ((i = 0; i < 50; i++)); do
    [ -z "$(_kdbg_pids_mentioning "$d/kubelet/config.yaml")" ] && break
    sleep 0.1
  done
  # 2. the pods' processes (everything in the node's cgroups), then the shims and containerd
  for ((i = 0; i < 50; i++)); do
    pids=$(_kdbg_cgroup_pids "$cg")
    [ -z "$pids" ] && break
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.1
  done
  for pid in $(_kdbg_pids_mentioning "$d/containerd/containerd.sock"); do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in $(_kdbg_pids_mentioning "$d/containerd/config.toml"); do kill -TERM "$pid" 2>/dev/null || true; done
  for ((i = 0; i < 50; i++)); do
    [ -z "$(_kdbg_pids_mentioning "$d/")" ] && break
    sleep 0.1
  done
  for pid in $(_kdbg_pids_mentioning "$d/"); do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${KDBG_NODE_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  KDBG_NODE_PIDS=()
  # 3. the shims' sockets (containerd 1.6 keeps them in /run/containerd/s, named by a hash of its socket path,
  # namespace and task id), mounts under DIR (deepest first), cgroups (deepest first)
  for f in "$d"/containerd/state/io.containerd.runtime.v2.task/*/*; do
    [ -d "$f" ] || continue
    m=$(printf '%s' "$d/containerd/containerd.sock/$(basename "$(dirname "$f")")/$(basename "$f")" | sha256sum | cut -c1-64)
    rm -f "/run/containerd/s/$m"
  done
  rmdir /run/containerd/s /run/containerd 2>/dev/null || true
  for ((i = 0; i < 5; i++)); do
    m=$(awk -v p="$d/" 'index($5, p) == 1 || $5 == substr(p, 1, length(p) - 1) { print $5 }' /proc/self/mountinfo | sort -r)
    [ -z "$m" ] && break
    for f in $m; do umount -l "$f" 2>/dev/null || true; done
  done
  for f in /sys/fs/cgroup/*/"$cg"; do
    [ -d "$f" ] && find "$f" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  rm -f "$KDBG_NODE_STATE/$(basename "$dir")"
  # report what could not be removed
  m=$(awk -v p="$d/" 'index($5, p) == 1 { print $5 }' /proc/self/mountinfo)
  [ -n "$m" ] && _kdbg_log "node: still mounted: $m"
  for f in /sys/fs/cgroup/*/"$cg"; do [ -d "$f" ] && _kdbg_log "node: cgroup left: $f"; done
  return 0
}

# the nodes of runs whose owner is gone (killed): stop them and remove their run directories
kdbg_node_reap_leftovers() {
  local f pid start dir
  [ -d "$KDBG_NODE_STATE" ] || return 0
  for f in "$KDBG_NODE_STATE"/*; do
    [ -f "$f" ] || continue
    read -r pid start dir <"$f" || continue
    # only run directories of ours (their processes are found by the path)
    case $dir in
      /?*/kdbg-?*) ;;
      *) rm -f "$f"; continue ;;
    esac
    if kill -0 "$pid" 2>/dev/null && [ "$(_kdbg_starttime "$pid")" = "$start" ]; then
      continue # still running
    fi
    _kdbg_log "removing the node left by a killed run in $dir"
    for p in $(_kdbg_pids_mentioning "$dir/"); do kill -KILL "$p" 2>/dev/null || true; done
    kdbg_node_stop "$dir"
    [ -n "${KDBG_E2E_KEEP:-}" ] || rm -rf "$dir"
    rm -f "$f"
  done
}
