// The shell programs of kdbg cp inside the debug container: tar runs there, never in the target. POSIX sh, tar, id
// and mkdir (busybox has them all). Each says why it cannot copy in one line on stderr and an exit code of COPY_EXIT.

/** How a copy program ends when it refuses, before tar runs (tar's own failures exit 1 or 2). */
export const COPY_EXIT = {
  /** the path, or a directory on the way to it, does not exist (or is not a directory) */
  missing: 3,
  /** the debug container's user may not enter a directory, read the path, or write where it goes */
  denied: 4,
  /** the target's root cannot be entered: `as uid D gid E: its main process runs as uid T gid G` */
  rootRefused: 5,
  /** no process of the target container was found (`id:` only) */
  noTarget: 6,
} as const;

/**
 * Sets $root, where the path is looked up, from the first argument, WHERE: '' is the debug container's own
 * filesystem; a path (/proc/1/root) is taken as it is; `id:ID` is the root of the oldest process whose cgroup
 * names container ID ID, the target container's main process, for a pod whose containers share one PID namespace
 * (or the node's), where PID 1 is another container's: each container has a cgroup of its own, whose path ends in
 * its ID under the cgroupfs and systemd drivers, in cgroup v1 and v2 alike (relative, with `..`, from inside
 * another cgroup namespace, but still with the ID).
 */
const TARGET_ROOT = `where=$1
root=$where
pid=\${where#/proc/}
pid=\${pid%%/*}
started() { [ $# -ge 20 ] && shift 19 && t=$1; }
case $where in id:*)
  id=\${where#id:}
  pid=
  for p in /proc/[0-9]*; do
    hit=
    { while IFS= read -r l; do case $l in *"$id"*) hit=1 ;; esac; done <"$p/cgroup"; } 2>/dev/null
    [ -n "$hit" ] || continue
    s=
    { read -r s <"$p/stat"; } 2>/dev/null
    started \${s##*) } || continue
    if [ -z "$pid" ] || [ "$t" -lt "$oldest" ] || { [ "$t" -eq "$oldest" ] && [ "\${p#/proc/}" -lt "$pid" ]; }; then
      pid=\${p#/proc/}
      oldest=$t
    fi
  done
  [ -n "$pid" ] || { echo "no process of the target container (\${id%"\${id#????????????}"}) among the pod's processes" >&2; exit ${COPY_EXIT.noTarget}; }
  root=/proc/$pid/root ;;
esac
if [ -n "$root" ] && ! cd "$root/" 2>/dev/null; then
  { while read -r k a _; do case $k in Uid:) tu=$a ;; Gid:) tg=$a ;; esac; done <"/proc/$pid/status"; } 2>/dev/null
  echo "cannot enter $root as uid $(id -u) gid $(id -g): its main process runs as uid \${tu:-?} gid \${tg:-?}" >&2
  exit ${COPY_EXIT.rootRefused}
fi
# enters DIR under the root, else names the first part of it that is missing or not a directory, or that this user
# may not enter
enter() {
  cd "$root$1/" 2>/dev/null && return
  at=
  rest=\${1#/}
  while [ -n "$rest" ] && [ -x "$root$at/" ]; do
    at=$at/\${rest%%/*}
    case $rest in */*) rest=\${rest#*/} ;; *) rest= ;; esac
    [ -e "$root$at" ] || { echo "$want: no such file or directory" >&2; exit ${COPY_EXIT.missing}; }
    [ -d "$root$at" ] || { echo "$want: $at is not a directory" >&2; exit ${COPY_EXIT.missing}; }
  done
  echo "$want: permission denied (uid $(id -u) may not enter \${at:-/})" >&2
  exit ${COPY_EXIT.denied}
}
`;

/**
 * `sh -c COPY_OUT kdbg WHERE PATH`: a tar stream of PATH (a file or a directory, symlinks as links) on stdout.
 */
export const COPY_OUT_SCRIPT = `want=$2
path=$2
case $path in /*) ;; *) path=/$path ;; esac
path=\${path%/}
base=\${path##*/}
[ -n "$base" ] || { echo "name a file or a directory, not /" >&2; exit 2; }
${TARGET_ROOT}enter "\${path%/*}"
[ -e "$base" ] || [ -L "$base" ] || { echo "$want: no such file or directory" >&2; exit ${COPY_EXIT.missing}; }
[ -L "$base" ] || { [ -r "$base" ] && { [ ! -d "$base" ] || [ -x "$base" ]; }; } || { echo "$want: permission denied (uid $(id -u) may not read it)" >&2; exit ${COPY_EXIT.denied}; }
exec tar -cf - -- "$base"
`;

/**
 * `sh -c COPY_IN kdbg WHERE PATH NAME`: unpacks a tar stream of NAME from stdin to PATH: into PATH if it is a
 * directory, else as PATH (through a scratch directory beside it, removed after).
 */
export const COPY_IN_SCRIPT = `want=$2
path=$2
name=$3
case $path in /*) ;; *) path=/$path ;; esac
${TARGET_ROOT}tmp=.kdbg-cp.$$
# makes the scratch directory here (DIR), or says why this user cannot write in DIR
scratch() {
  e=$(mkdir "$tmp" 2>&1) && return
  case $e in *[Pp]ermission*) echo "$want: permission denied (uid $(id -u) may not write in $1)" >&2; exit ${COPY_EXIT.denied} ;; esac
  echo "$want: cannot write in $1 (\${e##*: })" >&2
  exit 1
}
if [ -d "$root$path" ]; then
  enter "$path"
  scratch "$path"
  rmdir "$tmp"
  exec tar -xf -
fi
path=\${path%/}
dir=\${path%/*}
enter "$dir"
scratch "\${dir:-/}"
tar -xf - -C "$tmp" && mv -f "$tmp/$name" "\${path##*/}"
rc=$?
rm -rf "$tmp"
exit $rc
`;

export function copyOutCommand(where: string, path: string): string[] {
  return ['sh', '-c', COPY_OUT_SCRIPT, 'kdbg', where, path];
}

export function copyInCommand(where: string, path: string, name: string): string[] {
  return ['sh', '-c', COPY_IN_SCRIPT, 'kdbg', where, path, name];
}
