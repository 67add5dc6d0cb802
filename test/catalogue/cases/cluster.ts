// What the cluster holds, allows and admits, and debug containers that cannot be used.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CaseEnv, CaseGroup } from '../case.ts';
import { mirrorPod, restrictedSleeper, sleeper } from '../fixtures.ts';
import { eventually, runKdbg } from '../../scenarios/harness.ts';
import { archive, HOSTILE } from '../../crafted-tar.ts';

const web = [sleeper()];
const nothing = 'kdbg needs it to debug pod web-0 (nothing was created)';

/**
 * A profile whose PATH finds, before the image's tar, a `tar` that sends a crafted archive of `x` with an entry
 * that climbs out with `..`: what a tampered debug container could send kdbg cp.
 */
function tamperedTar(env: CaseEnv): void {
  mkdirSync(path.join(env.dir, 'bin'));
  mkdirSync(path.join(env.dir, 'x'));
  mkdirSync(path.join(env.dir, 'dest'));
  writeFileSync(path.join(env.dir, 'evil.tar'), archive(HOSTILE.find(([what]) => what === 'a path with ..')![1]));
  writeFileSync(path.join(env.dir, 'bin/tar'), `#!/bin/sh\nexec cat "${env.dir}/evil.tar"\n`);
  chmodSync(path.join(env.dir, 'bin/tar'), 0o755);
  writeFileSync(path.join(env.dir, 'config.yaml'), `profiles:\n  tampered:\n    image: busybox:1.36.1\n    env:\n      PATH: ${env.dir}/bin:/usr/sbin:/usr/bin:/sbin:/bin\n`);
}

export const notFound: CaseGroup = {
  title: 'Not found',
  cases: [
    { id: 'pod-missing', title: 'a pod that does not exist, with a close name', pods: web, args: ['attach', 'web-1', '--', 'true'], exit: 125, stderr: 'kdbg: pod web-1 not found in namespace {ns} (context fake); did you mean web-0?', createsNothing: true, verbose: true },
    { id: 'cp-pod-missing', title: 'kdbg cp from a pod that does not exist', args: ['cp', 'nosuch:/etc/hostname', './x'], exit: 125, stderr: 'kdbg: pod nosuch not found in namespace {ns} (context fake)', createsNothing: true },
    { id: 'container-missing', title: 'a target container the pod does not have', pods: web, args: ['attach', 'web-0', '-c', 'nope', '--', 'true'], exit: 125, stderr: 'kdbg: pod web-0 has no container "nope"; it has: app', createsNothing: true },
    { id: 'hold-container-missing', title: 'attach --copy --hold with a container the pod does not have', pods: web, args: ['attach', 'web-0', '--copy', '--hold', 'nope', '--', 'true'], exit: 125, stderr: 'kdbg: pod web-0 has no container "nope" to hold; it has: app', createsNothing: true },
    { id: 'workload-missing', title: 'a workload that does not exist', args: ['attach', 'deploy/api', '--', 'true'], exit: 125, stderr: 'kdbg: deployments.apps "api" not found', createsNothing: true },
    { id: 'selector-matches-nothing', title: 'a selector that matches no pod', pods: web, args: ['capture', '-l', 'app=db', '-w', '-'], exit: 125, stderr: 'kdbg: no pods match -l app=db in namespace {ns}', createsNothing: true },
    { id: 'node-missing', title: 'a node that does not exist', kubeconfig: 'admin', args: ['node', 'worker-9', '--', 'true'], exit: 125, stderr: 'kdbg: no node worker-9 in the cluster', createsNothing: true },
    { id: 'stop-container-missing', title: 'kdbg stop of a debug container the pod does not have', pods: web, args: ['stop', 'web-0', 'kdbg-busybox-zzzzz'], exit: 125, stderr: 'kdbg: pod web-0 has no debug container kdbg-busybox-zzzzz' },
    { id: 'cp-file-missing', title: 'kdbg cp of a file the container does not have', pods: web, args: ['cp', '--debug-fs', 'web-0:/no/such/file', './x'], exit: 125, stderr: 'kdbg: /no/such/file: no such file or directory', block: true },
    { id: 'ls-namespace-empty', title: 'kdbg ls in a namespace without debug containers (not an error)', args: ['ls', '-n', 'nosuchns'], exit: 0, stderr: 'kdbg: no debug containers in namespace nosuchns' },
  ],
};

export const notDebuggable: CaseGroup = {
  title: 'Targets that cannot take a debug container',
  cases: [
    { id: 'static-pod', title: 'a static (mirror) pod', pods: [mirrorPod()], args: ['attach', 'static-web', '--', 'true'], exit: 125, stderr: 'kdbg: pod static-web is a static (mirror) pod; the API server cannot add containers to it', createsNothing: true },
    {
      id: 'target-not-running',
      title: 'a target container that has ended',
      setup: async ({ cluster, namespace }) => {
        cluster.submitPod(namespace, sleeper('done', { restartPolicy: 'Never', containers: [{ name: 'app', image: 'busybox:1.36', command: ['true'] }] }));
        await eventually(() => cluster.getPod(namespace, 'done')?.status?.containerStatuses?.[0]?.state?.terminated, 10_000, 20);
      },
      args: ['attach', 'done', '--', 'true'],
      exit: 125,
      stderr: 'kdbg: a debug container needs a running target; debug a copy instead: kdbg attach done --copy',
      block: true,
    },
    {
      id: 'cp-shared-pid-target-unfound',
      title: "kdbg cp in a pod that shares one PID namespace, where no process is the target container's",
      pods: [sleeper('web-0', { shareProcessNamespace: true })],
      args: ['cp', 'web-0:/etc/hostname', './x'],
      exit: 125,
      stderr: "kdbg: no process of the target container ({…}) among the pod's processes: the target's files cannot be told from another container's; nothing was copied",
      block: true,
    },
  ],
};

export const forbidden: CaseGroup = {
  title: 'Permissions (403 on each verb)',
  cases: [
    { id: 'forbidden-get-pods', title: 'get pods denied', ownCluster: {}, pods: web, setup: ({ cluster }) => cluster.hooks.deny('debugger', 'get', 'pods'), args: ['attach', 'web-0', '--', 'true'], exit: 125, stderr: 'kdbg: pods "web-0" is forbidden: User "debugger" cannot get resource "pods" in API group "" in the namespace "{ns}"', createsNothing: true, verbose: true },
    { id: 'forbidden-list-pods', title: 'list pods denied', ownCluster: {}, setup: ({ cluster }) => cluster.hooks.deny('debugger', 'list', 'pods'), args: ['ls'], exit: 125, stderr: 'kdbg: pods is forbidden: User "debugger" cannot list resource "pods" in API group "" in the namespace "{ns}"' },
    { id: 'forbidden-watch-pods', title: 'watch pods denied', ownCluster: {}, pods: web, setup: ({ cluster }) => cluster.hooks.deny('debugger', 'watch', 'pods'), args: ['attach', 'web-0', '--', 'true'], exit: 125, stderr: `kdbg: debugger may not watch pods in namespace {ns}; ${nothing}`, createsNothing: true },
    { id: 'forbidden-patch-ephemeral', title: 'patch pods/ephemeralcontainers denied', ownCluster: {}, pods: web, setup: ({ cluster }) => cluster.hooks.deny('debugger', 'patch', 'pods/ephemeralcontainers'), args: ['capture', 'web-0', '-w', '-'], exit: 125, stderr: `kdbg: debugger may not patch pods/ephemeralcontainers in namespace {ns}; ${nothing}`, createsNothing: true },
    { id: 'forbidden-create-exec', title: 'create pods/exec denied', ownCluster: {}, pods: web, setup: ({ cluster }) => cluster.hooks.deny('debugger', 'create', 'pods/exec'), args: ['cp', 'web-0:/etc/hostname', './x'], exit: 125, stderr: `kdbg: debugger may not create pods/exec in namespace {ns}; ${nothing}`, createsNothing: true },
    { id: 'forbidden-get-exec', title: 'get pods/exec denied (a viewer)', kubeconfig: 'viewer', pods: web, args: ['attach', 'web-0', '--', 'true'], exit: 125, stderr: `kdbg: viewer may not patch pods/ephemeralcontainers, get pods/exec, create pods/exec in namespace {ns}; ${nothing}`, createsNothing: true },
    { id: 'forbidden-create-pods-copy', title: 'create pods denied (attach --copy)', pods: web, args: ['attach', 'web-0', '--copy', '--', 'true'], exit: 125, stderr: 'kdbg: debugger may not create pods, delete pods in namespace {ns}; kdbg needs it for a copy of pod web-0 (nothing was created)', createsNothing: true },
    { id: 'cp-target-root-refused', title: "kdbg cp from a target that runs as another user (root, with --harden's non-root debug container)", pods: web, args: ['cp', '--harden', 'web-0:/etc/hostname', './x'], exit: 125, stderr: "kdbg: cannot read the target container's files (/proc/1/root) as uid 65534: its main process runs as uid 0, and reading another process's files takes its user and group, or CAP_SYS_PTRACE: without --harden the debug container runs as uid 0, or -p ptrace runs the debug container as root with CAP_SYS_PTRACE", block: true },
    { id: 'cp-file-unreadable', title: "kdbg cp of a file the debug container's user may not read", pods: web, args: ['cp', '-p', 'restricted', '--debug-fs', 'web-0:/etc/shadow', './x'], exit: 125, stderr: 'kdbg: /etc/shadow: permission denied (uid 65534 may not read it)', block: true },
    { id: 'forbidden-create-pods-node', title: 'create pods denied (kdbg node)', ownCluster: {}, kubeconfig: 'admin', setup: ({ cluster }) => cluster.hooks.deny('admin', 'create', 'pods'), args: ['node', 'fake-node', '--', 'true'], exit: 125, stderr: 'kdbg: admin may not create pods in namespace {ns}; kdbg needs it for a shell on node fake-node (nothing was created)', createsNothing: true },
  ],
};

export const admission: CaseGroup = {
  title: 'Admission',
  cases: [
    { id: 'podsecurity-debug-container', title: 'PodSecurity restricted refuses a profile that adds capabilities', namespaceLabels: { 'pod-security.kubernetes.io/enforce': 'restricted' }, pods: [restrictedSleeper()], args: ['attach', 'web-0', '-p', 'netadmin', '--', 'true'], exit: 125, stderr: 'kdbg: PodSecurity refuses debug container {name}: pods "web-0" is forbidden: violates PodSecurity "restricted:latest": {…} (nothing was created); profile netadmin needs NET_ADMIN, NET_RAW, which this level forbids: use -p restricted, or debug where the namespace allows it', createsNothing: true },
    { id: 'podsecurity-node', title: 'PodSecurity baseline refuses a node shell', kubeconfig: 'admin', namespaceLabels: { 'pod-security.kubernetes.io/enforce': 'baseline' }, args: ['node', 'fake-node', '--', 'true'], exit: 125, stderr: 'kdbg: the API server refuses the shell on node fake-node: pods "{name}" is forbidden: violates PodSecurity "baseline:latest": {…} (nothing was created); namespace {ns} enforces PodSecurity baseline; pass -n with a namespace that admits privileged pods', createsNothing: true },
    { id: 'webhook-debug-container', title: 'an admission webhook refuses the debug container', ownCluster: {}, pods: web, setup: ({ cluster }) => void (cluster.hooks.denyingWebhook = { resource: 'pods/ephemeralcontainers', name: 'policy.example.com', message: 'debug containers need a ticket' }), args: ['attach', 'web-0', '--', 'true'], exit: 125, stderr: 'kdbg: an admission webhook refuses debug container {name}: admission webhook "policy.example.com" denied the request: debug containers need a ticket (nothing was created)', createsNothing: true },
    { id: 'webhook-copy', title: 'an admission webhook refuses the copy of a pod', ownCluster: {}, kubeconfig: 'admin', pods: web, setup: ({ cluster }) => void (cluster.hooks.denyingWebhook = { resource: 'pods', name: 'policy.example.com', message: 'no new pods today' }), args: ['attach', 'web-0', '--copy', '--', 'true'], exit: 125, stderr: 'kdbg: the API server refuses the copy of pod web-0: admission webhook "policy.example.com" denied the request: no new pods today (nothing was created)', createsNothing: true },
  ],
};

export const containers: CaseGroup = {
  title: 'Debug containers that cannot be used',
  cases: [
    { id: 'image-unpullable', title: 'an image that cannot be pulled', pods: web, args: ['attach', 'web-0', '--image', 'example/nosuchimage:1', '--', 'true'], exit: 126, stderr: 'kdbg: debug container {name}: {…}"example/nosuchimage:1"{…}', block: true, verbose: true },
    {
      id: 'image-failed-before',
      title: 'an image that already failed in this pod',
      pods: web,
      setup: async (env) => void (await runKdbg(['attach', 'web-0', '--image', 'example/nosuchimage:1', '--', 'true'], { kubeconfig: env.kubeconfig })),
      args: ['attach', 'web-0', '--image', 'example/nosuchimage:1', '--', 'true'],
      exit: 126,
      stderr: 'kdbg: image example/nosuchimage:1 already failed in debug container {name} of this pod: {…} (--new tries it anyway)',
    },
    {
      id: 'capture-image-without-tcpdump',
      title: 'kdbg capture with a custom profile whose image has no tcpdump',
      pods: web,
      // the fake's containers run this machine's programs: a PATH of busybox applets stands in for an image without tcpdump
      setup: ({ dir }) => {
        const busybox = execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim();
        mkdirSync(path.join(dir, 'bin'));
        for (const tool of ['sh', 'cat', 'date', 'mkdir', 'mv', 'rm', 'sleep', 'setsid']) symlinkSync(busybox, path.join(dir, 'bin', tool));
        writeFileSync(path.join(dir, 'config.yaml'), `profiles:\n  tools:\n    image: example/tools:1\n    env:\n      PATH: ${dir}/bin\n`);
      },
      args: ({ dir }) => ['capture', 'web-0', '-p', 'tools', '--config', `${dir}/config.yaml`, '-w', '-'],
      exit: 127,
      stderr: 'kdbg: image example/tools:1 has no tcpdump; kdbg capture needs a profile whose image has it, such as -p netshoot',
      block: true,
    },
    { id: 'image-without-shell', title: 'an image without a shell', pods: web, args: ['attach', 'web-0', '--image', 'example/noshell:1', '--', 'true'], exit: 126, stderr: 'kdbg: image example/noshell:1 has no shell; kdbg needs one (pick a profile or --image with sh)', block: true },
    { id: 'container-exits-at-start', title: 'a debug container that exits at start', ownCluster: {}, pods: web, setup: ({ cluster }) => void cluster.hooks.exitAtStartImages.add('example/crashes'), args: ['attach', 'web-0', '--image', 'example/crashes:1', '--', 'true'], exit: 126, stderr: 'kdbg: debug container {name} exited with code 1 before a session could start (Error)', block: true },
    { id: 'cp-archive-refused', title: 'kdbg cp of what a tampered debug container sends (an entry that climbs out with ..)', pods: web, setup: tamperedTar, args: (env) => ['cp', '-p', 'tampered', '--config', path.join(env.dir, 'config.yaml'), '--debug-fs', `web-0:${env.dir}/x`, path.join(env.dir, 'dest')], exit: 126, stderr: "kdbg: refused what the pod sent: TAR_ENTRY_ERROR: path contains '..' (the copy was discarded)", block: true },
    { id: 'timeout-expires', title: 'a debug container that does not start within --timeout', ownCluster: {}, pods: web, setup: ({ cluster }) => void (cluster.hooks.slowStartMs = 20_000), args: ['attach', 'web-0', '--timeout', '1s', '--', 'true'], exit: 124, stderr: 'kdbg: debug container {name} did not start within 1s ({…})', block: true },
  ],
};
