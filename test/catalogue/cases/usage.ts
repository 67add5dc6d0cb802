// Command lines kdbg refuses before reading a kubeconfig or opening a connection.
import type { CaseGroup } from '../case.ts';

const long = 'a'.repeat(254);

export const names: CaseGroup = {
  title: 'Names',
  cases: [
    { id: 'pod-name-malformed', title: 'a pod name that cannot be one', args: ['attach', 'Web_0!', '--', 'true'], exit: 125, stderr: 'kdbg: "Web_0!" is not a pod name (lowercase letters, digits, - and ., at most 253)', createsNothing: true },
    { id: 'pod-name-too-long', title: 'a pod name longer than 253 characters', args: ['attach', long, '--', 'true'], exit: 125, stderr: `kdbg: "${'a'.repeat(63)}…" (254 characters) is not a pod name (lowercase letters, digits, - and ., at most 253)`, createsNothing: true },
    { id: 'cp-pod-name-too-long', title: 'kdbg cp to a pod name longer than 253 characters', args: ['cp', `${long}:/tmp/x`, './x'], exit: 125, stderr: `kdbg: "${'a'.repeat(63)}…" (254 characters) is not a pod name (lowercase letters, digits, - and ., at most 253)`, createsNothing: true },
    { id: 'workload-name-malformed', title: 'a workload name that cannot be one', args: ['capture', 'deploy/Api_Server', '-w', '-'], exit: 125, stderr: 'kdbg: "Api_Server" is not a deploy name (lowercase letters, digits, - and ., at most 253)', createsNothing: true },
    { id: 'stop-pod-name-malformed', title: 'kdbg stop with a pod name that cannot be one', args: ['stop', 'pod/web 0'], exit: 125, stderr: 'kdbg: "web 0" is not a pod name (lowercase letters, digits, - and ., at most 253)' },
    { id: 'ls-pod-name-malformed', title: 'kdbg ls with a pod name that cannot be one', args: ['ls', 'WEB-0'], exit: 125, stderr: 'kdbg: "WEB-0" is not a pod name (lowercase letters, digits, - and ., at most 253)' },
    { id: 'node-name-malformed', title: 'a node name that cannot be one', args: ['node', 'Worker_1'], exit: 125, stderr: 'kdbg: "Worker_1" is not a node name (lowercase letters, digits, - and ., at most 253)', createsNothing: true },
    { id: 'node-name-too-long', title: 'a node name longer than 253 characters', args: ['node', long], exit: 125, stderr: `kdbg: "${'a'.repeat(63)}…" (254 characters) is not a node name (lowercase letters, digits, - and ., at most 253)`, createsNothing: true },
    { id: 'kind-unknown', title: 'a kind kdbg cannot debug', args: ['attach', 'svc/web', '--', 'true'], exit: 125, stderr: 'kdbg: "svc" is not a kind kdbg can debug; use pod/NAME, deploy/NAME, sts/NAME, ds/NAME, rs/NAME or job/NAME', createsNothing: true },
    { id: 'kind-without-name', title: 'a kind without a name', args: ['attach', 'deploy/', '--', 'true'], exit: 125, stderr: 'kdbg: "deploy/" names no object', createsNothing: true },
  ],
};

export const flags: CaseGroup = {
  title: 'Commands and flags',
  cases: [
    { id: 'command-unknown', title: 'a mistyped command', args: ['atach', 'web-0'], exit: 125, stderr: "kdbg: unknown command 'atach'; did you mean attach?" },
    { id: 'flag-unknown', title: 'an unknown flag', args: ['ls', '--frobnicate'], exit: 125, stderr: "kdbg: unknown option '--frobnicate'" },
    { id: 'command-without-dashes', title: 'a command without --', args: ['attach', 'web-0', 'ls'], exit: 125, stderr: 'kdbg: too many arguments: put the command after --, as in kdbg attach POD -- CMD ARGS', createsNothing: true },
    { id: 'dashes-on-profiles', title: 'a command after -- for a command that takes none', args: ['profiles', '--', 'ls'], exit: 125, stderr: 'kdbg: only kdbg attach and kdbg node take a command after --' },
    { id: 'completion-unknown-shell', title: 'completion for a shell kdbg has no script for', args: ['completion', 'tcsh'], exit: 125, stderr: "kdbg: command-argument value 'tcsh' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish." },
    { id: 'color-unknown', title: 'an unknown --color', args: ['--color', 'sometimes', 'version'], exit: 125, stderr: "kdbg: option '--color <when>' argument 'sometimes' is invalid. Allowed choices are auto, always, never." },
    { id: 'ls-output-unknown', title: 'an output format kdbg does not print', args: ['ls', '-o', 'xml'], exit: 125, stderr: "kdbg: option '-o, --output <format>' argument 'xml' is invalid. Allowed choices are table, wide, json, yaml." },
    { id: 'capture-interface-malformed', title: 'an interface name that is not one', args: ['capture', 'web-0', '-i', 'eth0;reboot', '-w', '-'], exit: 125, stderr: 'kdbg: -i "eth0;reboot" is not an interface name', createsNothing: true },
    { id: 'wireshark-not-installed', title: 'kdbg capture --wireshark without wireshark on PATH', env: { PATH: '/nonexistent' }, args: ['capture', 'web-0', '--wireshark'], exit: 125, stderr: 'kdbg: wireshark is not installed (not on PATH); pipe stdout to it, or write a file with -w', createsNothing: true },
    { id: 'escape-char-malformed', title: 'an escape character that is two', args: ['attach', 'web-0', '--escape-char', 'ab', '--', 'true'], exit: 125, stderr: 'kdbg: --escape-char takes one character or "none"', createsNothing: true },
    { id: 'no-target-no-terminal', title: 'no pod named, and no terminal to pick one on', args: ['stop'], exit: 125, stderr: 'kdbg: name the pod (or deploy/NAME, -l SELECTOR) whose debug containers to stop, or pass --all-mine' },
  ],
};

export const conflicts: CaseGroup = {
  title: 'Conflicting flags',
  cases: [
    { id: 'pod-and-selector', title: 'a pod and a selector', args: ['attach', 'web-0', '-l', 'app=web', '--', 'true'], exit: 125, stderr: 'kdbg: name a pod or pass -l/--selector, not both', createsNothing: true },
    { id: 'all-namespaces-and-namespace', title: '-A with -n', args: ['ls', '-A', '-n', 'default'], exit: 125, stderr: 'kdbg: -A/--all-namespaces and -n/--namespace do not go together' },
    { id: 'stop-target-and-all-mine', title: 'kdbg stop with a target and --all-mine', args: ['stop', 'web-0', '--all-mine'], exit: 125, stderr: 'kdbg: --all-mine stops yours in the whole namespace; name no target with it' },
    { id: 'stop-names-without-pod', title: 'kdbg stop with container names and a workload', args: ['stop', 'deploy/api', 'kdbg-busybox-abcde'], exit: 125, stderr: 'kdbg: debug container names go with one pod: kdbg stop POD NAME…' },
    { id: 'wireshark-and-write', title: 'kdbg capture --wireshark with -w', args: ['capture', 'web-0', '--wireshark', '-w', 'x.pcap'], exit: 125, stderr: 'kdbg: --wireshark and -w go to different places; pick one', createsNothing: true },
    { id: 'keep-without-copy', title: '--keep without --copy', args: ['attach', 'web-0', '--keep', '--', 'true'], exit: 125, stderr: 'kdbg: --keep goes with --copy', createsNothing: true },
    { id: 'copy-and-new', title: 'attach --copy with --new', args: ['attach', 'web-0', '--copy', '--new', '--', 'true'], exit: 125, stderr: 'kdbg: --new has no meaning with --copy: a copy is always new', createsNothing: true },
    { id: 'rw-without-volumes', title: '--rw without --mount-target-volumes', args: ['cp', 'web-0:/etc/hostname', './x', '--rw'], exit: 125, stderr: 'kdbg: --rw goes with --mount-target-volumes', createsNothing: true },
    { id: 'record-input-without-record', title: '--record-input without --record', args: ['attach', 'web-0', '--record-input', '--', 'true'], exit: 125, stderr: 'kdbg: --record-input goes with --record FILE', createsNothing: true },
    { id: 'tty-without-terminal', title: '-t without a terminal', args: ['attach', 'web-0', '-t', '--', 'true'], exit: 125, stderr: 'kdbg: -t/--tty needs a terminal on stdin', createsNothing: true },
    { id: 'no-stdin-no-command', title: '--no-stdin and no command', args: ['node', 'fake-node', '--no-stdin'], exit: 125, stderr: 'kdbg: without a command kdbg reads a script from stdin; --no-stdin leaves nothing to run', createsNothing: true },
    { id: 'cp-both-sides-pods', title: 'kdbg cp between two pods', args: ['cp', 'web-0:/a', 'web-1:/b'], exit: 125, stderr: 'kdbg: one side of kdbg cp is this machine: POD:PATH LOCAL, or LOCAL POD:PATH', createsNothing: true },
    { id: 'cp-no-pod', title: 'kdbg cp between two local paths', args: ['cp', './a', './b'], exit: 125, stderr: 'kdbg: one side of kdbg cp is a pod: POD:PATH LOCAL, or LOCAL POD:PATH (a local path with a colon is written ./like:this)' },
    { id: 'profiles-show-table', title: 'kdbg profiles show as a table', args: ['profiles', '-o', 'table', 'show', 'busybox'], exit: 125, stderr: 'kdbg: kdbg profiles show prints yaml or json, not a table' },
  ],
};

export const durations: CaseGroup = {
  title: 'Durations and numbers',
  cases: [
    { id: 'timeout-absurd', title: 'a --timeout of years', args: ['attach', 'web-0', '--timeout', '99999h', '--', 'true'], exit: 125, stderr: 'kdbg: --timeout is at most 24h', createsNothing: true },
    { id: 'timeout-zero', title: 'a --timeout of 0', args: ['cp', 'web-0:/etc/hostname', './x', '--timeout', '0'], exit: 125, stderr: 'kdbg: --timeout must be more than 0', createsNothing: true },
    { id: 'timeout-malformed', title: 'a --timeout that is not a duration', args: ['node', 'fake-node', '--timeout', '1x', '--', 'true'], exit: 125, stderr: 'kdbg: --timeout takes a duration such as 90s, 15m or 1h (got "1x")', createsNothing: true },
    { id: 'ttl-negative', title: 'a negative --ttl', args: ['attach', 'web-0', '--ttl', '-5s', '--', 'true'], exit: 125, stderr: 'kdbg: --ttl takes a duration such as 90s, 15m or 1h (got "-5s")', createsNothing: true },
    { id: 'ttl-absurd', title: 'a --ttl beyond a week', args: ['capture', 'web-0', '--ttl', '200h', '-w', '-'], exit: 125, stderr: 'kdbg: --ttl is at most 168h (7 days): a debug container cannot be removed, only left to end', createsNothing: true },
    { id: 'ttl-fraction', title: 'a --ttl under a second', args: ['attach', 'web-0', '--ttl', '500ms', '--', 'true'], exit: 125, stderr: 'kdbg: --ttl is counted in whole seconds: 0, or 1s and more', createsNothing: true },
    { id: 'duration-zero', title: 'a capture --duration of 0', args: ['capture', 'web-0', '--duration', '0', '-w', '-'], exit: 125, stderr: 'kdbg: --duration is more than 0 and at most 24h', createsNothing: true },
    { id: 'count-zero', title: 'a capture --count of 0', args: ['capture', 'web-0', '--count', '0', '-w', '-'], exit: 125, stderr: 'kdbg: --count takes a whole number of 1 or more (got "0")', createsNothing: true },
    { id: 'stop-timeout-absurd', title: 'a kdbg stop --timeout over an hour', args: ['stop', 'web-0', '--timeout', '2h'], exit: 125, stderr: 'kdbg: --timeout is more than 0 and at most 1h' },
  ],
};

export const images: CaseGroup = {
  title: 'Images and profiles',
  cases: [
    { id: 'image-invalid', title: 'an --image that is not an image reference', args: ['attach', 'web-0', '--image', 'Busybox:latest!', '--', 'true'], exit: 125, stderr: 'kdbg: --image "Busybox:latest!" is not an image reference (such as busybox:1.36.1 or registry.example.com/team/tools@sha256:…)', createsNothing: true },
    { id: 'profile-unknown', title: 'an unknown profile', args: ['attach', 'web-0', '-p', 'nosuch', '--', 'true'], exit: 125, stderr: 'kdbg: unknown profile "nosuch" (known: busybox, netshoot, netadmin, ptrace, restricted)', createsNothing: true },
    { id: 'capture-profile-without-tcpdump', title: 'kdbg capture with a built-in profile whose image has no tcpdump', args: ['capture', 'web-0', '-p', 'busybox', '-w', '-'], exit: 125, stderr: "kdbg: profile busybox's image busybox:1.36.1@sha256:73aaf090f3d8… has no tcpdump (nothing was created); capture with -p netshoot, or a profile whose image has tcpdump", createsNothing: true },
    { id: 'profiles-show-unknown', title: 'kdbg profiles show of an unknown profile', args: ['profiles', 'show', 'nosuch'], exit: 125, stderr: 'kdbg: unknown profile "nosuch" (known: busybox, netshoot, netadmin, ptrace, restricted)' },
  ],
};
