// The shell programs kdbg runs inside its debug containers: the contract between kdbg and its idle container.
// POSIX sh only (busybox ash, dash, bash), no tools beyond mkdir, date, cat, rm, mv, sleep, kill and (when
// present) setsid, nice or renice, and ionice.
//
// Layout under ${TMPDIR:-/tmp}/$KDBG_NAME (one directory per debug container):
//   idle.pid      the idle process
//   last          epoch seconds when the last session ended (or the container started)
//   used          exists once a session has started (for --ttl 0)
//   ttl           seconds to idle after the last session, as the latest session set it (else $KDBG_TTL)
//   s/ID          a session's PID, the wrapper's, which its command keeps (exec); also the process group kdbg
//                 signals on Ctrl-C, as the command leads its group (a TTY's session, or setsid): recorded, never guessed
//   s/ID.hb       epoch seconds of the last heartbeat from the session's kdbg; the first is the idle program's, when
//                 it first sees the session, so a session whose kdbg never beats still goes stale
//   s/ID.pg       written by older wrappers only (the same PID as s/ID); skipped
// The wrapper writes its files in place, without forking (one short write each): a reader may find one empty,
// never partly written. An empty s/ID is a session starting: live while its heartbeat is fresh. An empty ttl reads
// as $KDBG_TTL, which does not matter: the session writes s/ID before ttl, so the idle program is busy meanwhile.
// A heartbeat replaces s/ID.hb whole (ID.hb.new, then renamed).
// The container's own command (IDLE_ENTRYPOINT, with the idle program inside) goes through the kubelet's $(VAR)
// expansion, which turns $$ into $: it writes its PID as \${$}. Exec'd programs are not expanded.

/** Seconds without a heartbeat after which a session's kdbg counts as gone. */
export const STALE_AFTER_S = 30;
/** With --ttl 0, how long the container waits for its one session if kdbg stopped before starting it. */
export const TTL0_GRACE_S = 300;
/** How often a running kdbg refreshes its session's heartbeat. */
export const HEARTBEAT_EVERY_MS = 10_000;

/** Where the programs keep their directory in a container that sets no TMPDIR: it must be writable. */
export const DEFAULT_TMPDIR = '/tmp';

const DIR = `d="\${TMPDIR:-${DEFAULT_TMPDIR}}/$KDBG_NAME"`;

/** Counts, into $n, the sessions whose recorded process still lives. */
const LIVE_SESSIONS = `n=0
for f in "$d"/s/*; do
  case $f in *.hb | *.new | *.pg) continue ;; esac
  pid=
  { read -r pid <"$f"; } 2>/dev/null
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && n=$((n + 1))
done`;

/**
 * The debug container's main process. Idles until no session has run for its TTL (0: until the first session
 * ends); ends a session whose kdbg stopped sending heartbeats; on SIGTERM (kdbg stop) hangs up its sessions,
 * KILLs what is left of them a second later, and exits. It looks every second only while a session runs; without
 * one it sleeps until its TTL is up (at most a minute at a time), and a new session wakes it with SIGUSR1, so an
 * idle container costs two short processes a minute. Files are read with the shell's own `read`, not cat.
 */
const IDLE_SCRIPT = `${DIR}
signal_sessions() {
  signalled=
  for f in "$d"/s/*; do
    case $f in *.hb | *.new | *.pg) continue ;; esac
    [ -f "$f" ] || continue
    pg=
    { read -r pg <"$f"; } 2>/dev/null
    [ -n "$pg" ] && { kill -"$1" -"$pg" 2>/dev/null || kill -"$1" "$pg" 2>/dev/null; } && signalled=1
  done
}
end() {
  [ -n "$sleeper" ] && kill "$sleeper" 2>/dev/null
  signal_sessions HUP
  if [ -n "$signalled" ]; then
    sleep 1
    signal_sessions KILL
  fi
  exit 0
}
sleeper=
trap end TERM
trap 'exit 0' INT HUP
trap 'poked=1' USR1
# the traps are set before the PID is told: whoever reads idle.pid may signal at once
mkdir -p "$d/s" || exit 1
echo \${$} >"$d/idle.pid"
started=$(date +%s)
echo "$started" >"$d/last"
while :; do
  poked=
  ttl=
  { read -r ttl <"$d/ttl"; } 2>/dev/null
  case $ttl in '' | *[!0-9]*) ttl=$KDBG_TTL ;; esac
  now=$(date +%s)
  busy=
  for f in "$d"/s/*; do
    case $f in *.hb | *.new | *.pg) continue ;; esac
    [ -f "$f" ] || continue
    pid=
    hb=
    { read -r pid <"$f"; } 2>/dev/null
    { read -r hb <"$f.hb"; } 2>/dev/null
    # first seen: the session's heartbeat clock starts now
    case $hb in '' | *[!0-9]*) hb=$now; echo "$now" >"$f.hb" ;; esac
    # a session file still empty is being written
    if [ $((now - hb)) -le ${STALE_AFTER_S} ] && { [ -z "$pid" ] || kill -0 "$pid" 2>/dev/null; }; then
      busy=1
      continue
    fi
    # the group may outlive its leader
    [ -n "$pid" ] && { kill -KILL -"$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null; }
    rm -f "$f" "$f.hb" "$f.pg"
    echo "$now" >"$d/last"
  done
  nap=1
  if [ -z "$busy" ]; then
    if [ "$ttl" = 0 ]; then
      # after its session; or, if no session ever came (kdbg was stopped before it), after a grace period
      [ -e "$d/used" ] && exit 0
      nap=$((started + ${TTL0_GRACE_S} - now))
    else
      last=
      { read -r last <"$d/last"; } 2>/dev/null
      case $last in '' | *[!0-9]*) last=$now ;; esac
      nap=$((last + ttl - now))
    fi
    [ "$nap" -le 0 ] && exit 0
    [ "$nap" -gt 60 ] && nap=60
  fi
  # a signal that came while looking is not lost: look again at once
  if [ -z "$poked" ]; then
    sleep "$nap" &
    sleeper=$!
    wait "$sleeper"
    kill "$sleeper" 2>/dev/null
    sleeper=
  fi
done
`;

/**
 * The container's command: writes the idle program to its directory and becomes it, so that \`ps\` in the pod
 * shows \`sh /tmp/<name>/idle\` rather than the whole script. The sessions' directory comes first: a session that
 * arrives as the container starts (kdbg execs on its Started event) finds it at once instead of polling for it; the
 * idle program, once it runs, sees what sessions came before it.
 */
const IDLE_ENTRYPOINT = `${DIR}
mkdir -p "$d/s" || exit 1
cat >"$d/idle" <<'KDBG_IDLE'
${IDLE_SCRIPT}KDBG_IDLE
exec sh "$d/idle"
`;

/**
 * Runs one session's command: `sh -c WRAPPER kdbg ID TTL IMAGE PRIORITY CMD...`. The wrapper says so plainly
 * (exit 127) when the image has no such command, records itself as the session (its PID, which is also the process
 * group to signal), sets the container's TTL, wakes the idle program (SIGUSR1, only to the PID whose command line is that
 * program's), then becomes the command (exec), so the command keeps the wrapper's PID and default signal
 * dispositions. With PRIORITY `low` the command runs at nice 10 (nice, else renice) and in the idle IO class (`ionice -c3`),
 * each only where the image has the tool: under contention the app gets the CPU and the disk first. A TTY program
 * is already a session leader; a piped one becomes one through setsid, which does not fork for a process that does
 * not lead a group. The idle process notices when that PID is gone and marks the session ended.
 * It forks nothing on its way (files written in place, read with `read`), except `ionice -p` for `low`: an exec'd
 * ionice that fails (busybox's) would not run the command, so it sets the wrapper's class, which the command keeps.
 */
export const SESSION_WRAPPER = `${DIR}
id=$1
ttl=$2
image=$3
priority=$4
shift 4
i=0
while [ ! -d "$d/s" ] && [ $i -lt 150 ]; do sleep 0.02; i=$((i + 1)); done
[ -d "$d/s" ] || { echo "kdbg: this debug container has no idle process" >&2; exit 126; }
echo $$ >"$d/s/$id"
: >"$d/used"
echo "$ttl" >"$d/ttl"
idle=
cmdline=
{ read -r idle <"$d/idle.pid"; } 2>/dev/null
# NUL-separated: read drops the NULs (sh/tmp/NAME/idle)
{ read -r cmdline <"/proc/$idle/cmdline"; } 2>/dev/null
case $cmdline in *"$d/idle"*) kill -USR1 "$idle" 2>/dev/null ;; esac
command -v "$1" >/dev/null 2>&1 || { echo "$1: command not found in the debug container (image $image)" >&2; exit 127; }
if [ "$priority" = low ]; then
  command -v ionice >/dev/null 2>&1 && ionice -c 3 -p $$ 2>/dev/null
  # busybox builds without a nice applet (Debian's) still have renice, which the command inherits from the wrapper
  if command -v nice >/dev/null 2>&1; then set -- nice -n 10 "$@"
  elif command -v renice >/dev/null 2>&1; then renice -n 10 -p $$ >/dev/null 2>&1; fi
fi
read -r _ _ _ _ pgrp _ </proc/$$/stat 2>/dev/null || pgrp=
if [ "$pgrp" != $$ ] && command -v setsid >/dev/null 2>&1; then exec setsid "$@"; fi
exec "$@"
`;

/**
 * `sh -c INTERRUPT kdbg ID SIGNAL`: waits up to 5 s for the session to record its group (a signal can come before
 * the session has started), signals the group, says so on stdout, then KILLs the group if it is still there after
 * 2 s. Once it has spoken it runs to its end even if kdbg has gone. Exits 3 if there is no such session.
 */
export const INTERRUPT_SCRIPT = `${DIR}
i=0
while [ ! -s "$d/s/$1" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
pg=
{ read -r pg <"$d/s/$1"; } 2>/dev/null
[ -n "$pg" ] || { echo "no such session" >&2; exit 3; }
kill -"$2" -"$pg" 2>/dev/null || kill -"$2" "$pg" 2>/dev/null || exit 0
echo signalled
i=0
while [ $i -lt 20 ]; do
  kill -0 -"$pg" 2>/dev/null || kill -0 "$pg" 2>/dev/null || exit 0
  sleep 0.1
  i=$((i + 1))
done
kill -KILL -"$pg" 2>/dev/null || kill -KILL "$pg" 2>/dev/null
exit 0
`;

/**
 * `sh -c STOP kdbg`: says how many sessions are live, then sends SIGTERM to the idle program, which ends them and
 * exits, and with it the container. Only the PID the idle program recorded, and only if its command line is that
 * program's: never PID 1 of the pod (the app, with a target) nor anything else. Exits 3 if there is no idle program.
 */
export const STOP_SCRIPT = `${DIR}
idle=
cmdline=
{ read -r idle <"$d/idle.pid"; } 2>/dev/null
[ -n "$idle" ] || { echo "no idle program" >&2; exit 3; }
{ read -r cmdline <"/proc/$idle/cmdline"; } 2>/dev/null
case $cmdline in *"$d/idle"*) ;; *) echo "no idle program" >&2; exit 3 ;; esac
${LIVE_SESSIONS}
echo "sessions $n"
kill -TERM "$idle"
`;

/** `sh -c STATE kdbg`: one line, `sessions N last EPOCH ttl SECONDS now EPOCH`, read by kdbg ls --live. */
export const STATE_SCRIPT = `${DIR}
now=$(date +%s)
${LIVE_SESSIONS}
ttl=$(cat "$d/ttl" 2>/dev/null)
case $ttl in '' | *[!0-9]*) ttl=$KDBG_TTL ;; esac
echo "sessions $n last $(cat "$d/last" 2>/dev/null || echo 0) ttl $ttl now $now"
`;

/** `sh -c HEARTBEAT kdbg ID`: refreshes the session's heartbeat. */
export const HEARTBEAT_SCRIPT = `${DIR}
[ -f "$d/s/$1" ] && date +%s >"$d/s/$1.hb.new" && mv -f "$d/s/$1.hb.new" "$d/s/$1.hb"
`;

export function idleCommand(): string[] {
  return ['sh', '-c', IDLE_ENTRYPOINT];
}

/**
 * The command of a container kdbg holds in a copy of a pod: the idle program, which always ends in failure
 * (exit 1), so that when its time is up nothing after it runs (later init containers, the app) and the copy ends.
 * TERM (the copy's deletion, kdbg stop) reaches the idle program, which hangs up the sessions first. Like the
 * idle program, it is written to the container's directory first, so \`ps\` shows \`sh /tmp/<name>/held\`.
 */
const HELD_ENTRYPOINT = `${DIR}
mkdir -p "$d/s" || exit 1
cat >"$d/idle" <<'KDBG_IDLE'
${IDLE_SCRIPT}KDBG_IDLE
cat >"$d/held" <<'KDBG_HELD'
${DIR}
sh "$d/idle" &
idle=$!
trap 'kill -TERM "$idle" 2>/dev/null' TERM
wait "$idle"
wait "$idle" 2>/dev/null
echo "kdbg: this copy's debugging time is over" >&2
exit 1
KDBG_HELD
exec sh "$d/held"
`;

export function heldCommand(): string[] {
  return ['sh', '-c', HELD_ENTRYPOINT];
}

/** How a session's command shares the CPU and the disk with the pod's app: `low` yields to it (the default). */
export type SessionPriority = 'low' | 'normal';

export function sessionCommand(id: string, ttlSeconds: number, image: string, priority: SessionPriority, command: string[]): string[] {
  return ['sh', '-c', SESSION_WRAPPER, 'kdbg', id, String(ttlSeconds), image, priority, ...command];
}

export function stopCommand(): string[] {
  return ['sh', '-c', STOP_SCRIPT, 'kdbg'];
}

export function stateCommand(): string[] {
  return ['sh', '-c', STATE_SCRIPT, 'kdbg'];
}

export interface LiveState {
  sessions: number;
  /** seconds the container has idled since its last session ended (0 while one runs) */
  idleSeconds: number;
  ttlSeconds: number;
}

/** Reads STATE_SCRIPT's line; undefined if it is not one. */
export function parseState(line: string): LiveState | undefined {
  const m = /^sessions (\d+) last (\d+) ttl (\d+) now (\d+)$/.exec(line.trim());
  if (!m) return undefined;
  const [sessions, last, ttl, now] = m.slice(1).map(Number) as [number, number, number, number];
  return { sessions, idleSeconds: sessions > 0 ? 0 : Math.max(0, now - last), ttlSeconds: ttl };
}

export function interruptCommand(id: string, signal: 'INT' | 'HUP' | 'TERM' | 'PIPE'): string[] {
  return ['sh', '-c', INTERRUPT_SCRIPT, 'kdbg', id, signal];
}

export function heartbeatCommand(id: string): string[] {
  return ['sh', '-c', HEARTBEAT_SCRIPT, 'kdbg', id];
}
