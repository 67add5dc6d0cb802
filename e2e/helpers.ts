// Helpers for the e2e tests: the reference kubectl binaries and waiting on pod status.
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { RealBackend } from '../test/backends/real.ts';

/** The folder of the reference clients kubectl.1.27 … kubectl.1.33 (next to the real kubectl). */
export function kubectlDir(): string {
  if (process.env.KDBG_E2E_KUBECTL_DIR) return process.env.KDBG_E2E_KUBECTL_DIR;
  const k = execFileSync('sh', ['-c', 'readlink -f "$(command -v kubectl)"'], { encoding: 'utf8' }).trim();
  return path.dirname(k);
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** still running when the time limit was reached (then killed) */
  timedOut: boolean;
  /** still running when `stopWhen` held (then killed) */
  stopped?: boolean;
}

/** Runs kubectl.<version> with a kubeconfig; kills it after timeoutMs and reports timedOut. */
export function kubectl(
  version: string,
  kubeconfig: string,
  args: string[],
  opts: {
    input?: string;
    timeoutMs?: number;
    env?: Record<string, string>;
    /** keep stdin open until stdout satisfies this (then write input and EOF); default: input and EOF at once */
    holdStdinUntil?: (stdout: string) => boolean;
    /** called with all of stdout so far whenever more arrives */
    onStdout?: (stdout: string) => void;
    /** called with all of stderr so far whenever more arrives */
    onStderr?: (stderr: string) => void;
    /** keep stdin open until this settles (then write input and EOF) */
    stdinEnd?: Promise<unknown>;
    /**
     * give kubectl a real pipe as stdin (through `cat |`, as in a shell pipeline) instead of Node's socket pair:
     * kubectl's reader on a pipe keeps it attached until the pipe closes; on a socket it does not
     */
    pipeStdin?: boolean;
    /** kill kubectl (SIGKILL, `stopped` in the result) as soon as its stderr satisfies this */
    stopWhen?: (stderr: string) => boolean;
  } = {},
): Promise<RunResult> {
  const bin = path.join(kubectlDir(), `kubectl.${version}`);
  return new Promise((resolve, reject) => {
    const [file, argv] = opts.pipeStdin ? ['sh', ['-c', 'cat | exec "$0" "$@"', bin, ...args]] : [bin, args];
    const child = spawn(file, argv, {
      env: { ...process.env, KUBECONFIG: kubeconfig, HOME: process.env.KDBG_E2E_DIR ?? process.env.HOME, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: opts.pipeStdin, // its own process group, so that a kill reaches cat and kubectl
    });
    const kill = () => {
      if (opts.pipeStdin && child.pid) {
        try {
          process.kill(-child.pid, 'SIGKILL');
          return;
        } catch {
          // gone already
        }
      }
      child.kill('SIGKILL');
    };
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      opts.onStdout?.(stdout);
      if (opts.holdStdinUntil?.(stdout) && child.stdin.writable) child.stdin.end(opts.input ?? '');
    });
    let stopped = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      opts.onStderr?.(stderr);
      if (!stopped && opts.stopWhen?.(stderr)) {
        stopped = true;
        kill();
      }
    });
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, stopped });
    });
    // stdin: the given input then EOF, at once or once stdout satisfies holdStdinUntil
    child.stdin.on('error', () => {});
    if (opts.stdinEnd) {
      void opts.stdinEnd.finally(() => {
        if (child.stdin.writable) child.stdin.end(opts.input ?? '');
      });
    } else if (!opts.holdStdinUntil) child.stdin.end(opts.input ?? '');
  });
}

/** Polls until the named (ephemeral or regular) container's status satisfies `done`. */
export async function waitContainer(
  backend: RealBackend,
  namespace: string,
  pod: string,
  container: string,
  done: (s: V1ContainerStatus) => boolean,
  timeoutMs = 30_000,
): Promise<V1ContainerStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: V1ContainerStatus | undefined;
  for (;;) {
    const p = await backend.getPod(namespace, pod);
    const all = [...(p.status?.containerStatuses ?? []), ...(p.status?.ephemeralContainerStatuses ?? [])];
    last = all.find((s) => s.name === container);
    if (last && done(last)) return last;
    if (Date.now() > deadline) throw new Error(`container ${container}: ${JSON.stringify(last)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A pod whose container serves HTTP on its pod loopback (127.0.0.1:8080) and fetches from itself twice a second. */
export function httpPod(name: string, securityContext?: object): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'http' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'app',
          image: 'busybox:1.36',
          command: ['sh', '-c', 'httpd -f -p 127.0.0.1:8080 -h /etc & while true; do wget -q -O /dev/null http://127.0.0.1:8080/hostname; sleep 0.5; done'],
          ...(securityContext ? { securityContext } : {}),
        },
      ],
    },
  };
}

/** true with the local control plane of e2e/run.sh, false on a cluster of your own (KDBG_E2E_KUBECONFIG) */
export function backendIsLocal(): boolean {
  return process.env.KDBG_E2E_KUBECONFIG === undefined;
}

/** true unless the local control plane runs the kubelet stand-in (KDBG_E2E_NODE_KIND=standin): a real kubelet on
 * containerd, locally (KDBG_E2E_NODE_KIND=real) or on a cluster of your own */
export function realNode(): boolean {
  return !backendIsLocal() || process.env.KDBG_E2E_NODE_KIND === 'real';
}

/**
 * A namespace enforcing PodSecurity `level` with a compliant HTTP pod `web-0` in it: the fixture namespace
 * kdbg-<level> of e2e/run.sh on the local control plane, a new one on a cluster of your own.
 */
export async function podSecurityNamespace(backend: RealBackend, level: 'restricted' | 'baseline'): Promise<string> {
  if (backendIsLocal()) return `kdbg-${level}`;
  const ns = await backend.newNamespace(`psa-${level}`, {
    'pod-security.kubernetes.io/enforce': level,
    'pod-security.kubernetes.io/enforce-version': 'latest',
  });
  const pod = httpPod('web-0', level === 'restricted' ? { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } : undefined) as V1Pod;
  if (level === 'restricted') {
    pod.spec!.securityContext = { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } };
  }
  await backend.createPod(ns, pod);
  return ns;
}
