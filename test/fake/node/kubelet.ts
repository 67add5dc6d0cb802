// The node: watches the Pods bound to it and runs their init containers (in order, before the others), containers
// and ephemeral containers as real host processes, records events, and reports every status change statusLagMs after
// it happens (like PLEG relist).
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { containerConfig, CreateConfigError, type ContainerConfig } from './container-config.ts';
import type { EventRecorder } from './events.ts';
import type { FakeHooks } from '../hooks.ts';
import { imageId, imageIn, parseImage, type ImageRef } from './images.ts';
import { ContainerLog } from './container-log.ts';
import { generatePodStatus } from './pod-status.ts';
import { HostProcess, killSessions, listProcesses, resolveExecutable } from './process.ts';
import { badRequest, type JsonObject } from '../api/status.ts';
import type { Store, StoreEvent } from '../api/store.ts';
import { deepEqual } from '../api/validation.ts';

export interface KubeletOptions {
  nodeName: string;
  startDelayMs: number;
  statusLagMs: number;
}

export interface ContainerRecord {
  name: string;
  ephemeral: boolean;
  /** an init container: runs to completion, one after the other, before the regular containers start */
  init: boolean;
  spec: JsonObject;
  image: ImageRef;
  state: JsonObject;
  lastState: JsonObject;
  restartCount: number;
  containerID?: string;
  imageID?: string;
  /** a regular container that exited and will be started again */
  willRestart: boolean;
  proc?: HostProcess;
  config?: ContainerConfig;
  /** one log per run, by containerID */
  logs: Map<string, ContainerLog>;
  execs: Set<HostProcess>;
  pullBackoffMs: number;
  crashBackoffMs: number;
}

export interface PodRecord {
  namespace: string;
  name: string;
  uid: string;
  podIP: string;
  startTime: string;
  everRunning: boolean;
  terminating: boolean;
  containers: Map<string, ContainerRecord>;
  timers: Set<NodeJS.Timeout>;
}

/** A failure the kubelet (`kubelet`) or the container runtime (`runtime`) reports for exec/attach. */
export class StreamTargetError extends Error {
  constructor(
    message: string,
    readonly stage: 'kubelet' | 'runtime',
  ) {
    super(message);
  }
}

const maxBackoffMs = 300_000;
const noSuchImage = 'docker.io/example/nosuchimage';

export class Kubelet {
  private readonly pods = new Map<string, PodRecord>();
  private readonly sessions = new Set<number>();
  private readonly pulled = new Set<string>();
  /** Each pod's own /tmp (host processes share the host's otherwise): TMPDIR of its containers and execs. */
  private readonly scratch = traversable(mkdtempSync(join(tmpdir(), 'kdbg-fake-node-')));
  /** TMPDIR of a container that may not write there: creating anything under it fails, even as root */
  private readonly readOnly = join(this.scratch, 'read-only');
  private readonly unsubscribe: () => void;
  private nextIP = 0;

  constructor(
    private readonly store: Store,
    private readonly hooks: FakeHooks,
    private readonly events: EventRecorder,
    private readonly opts: KubeletOptions,
  ) {
    writeFileSync(this.readOnly, '');
    this.unsubscribe = store.subscribe((e) => this.onPodEvent(e));
    process.on('exit', this.killAll);
  }

  /** Last resort when the test process exits without close(): no container may outlive it. */
  private readonly killAll = (): void => killSessions(this.sessions, 'SIGKILL');

  private onPodEvent(e: StoreEvent): void {
    if (e.kind !== 'Pod' || e.object.spec?.nodeName !== this.opts.nodeName) return;
    const pod = e.object;
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const rec = this.pods.get(key);
    // created on the node, or bound to it by the scheduler
    if (e.type === 'ADDED' || (e.type === 'MODIFIED' && !e.previous?.spec?.nodeName)) {
      this.admit(pod);
      return;
    }
    if (!rec || rec.uid !== pod.metadata.uid) return;
    if (e.type === 'DELETED') {
      if (!rec.terminating) void this.terminate(rec, false);
      return;
    }
    if (pod.metadata.deletionTimestamp) {
      if (!rec.terminating) void this.terminate(rec, true);
      return;
    }
    // a pod that has finished starts nothing more (its new ephemeral containers never get a status)
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    for (const ec of pod.spec.ephemeralContainers ?? []) {
      if (!rec.containers.has(ec.name)) this.addContainer(rec, ec, 'ephemeral');
    }
  }

  private admit(pod: JsonObject): void {
    const rec: PodRecord = {
      namespace: pod.metadata.namespace,
      name: pod.metadata.name,
      uid: pod.metadata.uid,
      podIP: `10.244.0.${10 + (this.nextIP++ % 240)}`,
      startTime: now(),
      everRunning: false,
      terminating: false,
      containers: new Map(),
      timers: new Set(),
    };
    this.pods.set(`${rec.namespace}/${rec.name}`, rec);
    // until the runtime knows a container, its status waits: PodInitializing in a pod with init containers
    const inits: JsonObject[] = pod.spec.initContainers ?? [];
    for (const c of inits) this.addContainer(rec, c, 'init', false);
    for (const c of pod.spec.containers ?? []) this.addContainer(rec, c, 'regular', inits.length === 0);
    this.startNextInit(rec);
  }

  private addContainer(rec: PodRecord, spec: JsonObject, kind: 'regular' | 'init' | 'ephemeral', start = true): void {
    const c: ContainerRecord = {
      name: spec.name,
      ephemeral: kind === 'ephemeral',
      init: kind === 'init',
      spec,
      image: parseImage(spec.image),
      state: { waiting: { reason: start ? 'ContainerCreating' : 'PodInitializing' } },
      lastState: {},
      restartCount: 0,
      willRestart: false,
      logs: new Map(),
      execs: new Set(),
      pullBackoffMs: 10_000,
      crashBackoffMs: 0,
    };
    rec.containers.set(c.name, c);
    this.scheduleStatus(rec);
    if (start) this.beginStart(rec, c);
  }

  /** Starts the first init container that has not completed, else every regular container. */
  private startNextInit(rec: PodRecord): void {
    const all = [...rec.containers.values()];
    const inits = all.filter((c) => c.init);
    if (inits.length === 0) return;
    const next = inits.find((c) => c.state.terminated?.exitCode !== 0);
    if (next) this.beginStart(rec, next);
    else for (const c of all.filter((x) => !x.init && !x.ephemeral)) this.beginStart(rec, c);
  }

  private fieldPath(c: ContainerRecord): string {
    return `spec.${c.init ? 'initContainers' : c.ephemeral ? 'ephemeralContainers' : 'containers'}{${c.name}}`;
  }

  private event(rec: PodRecord, c: ContainerRecord, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.events.record(rec, this.fieldPath(c), type, reason, message);
  }

  /** Pull (or find) the image, then create and start the container startDelayMs (+ slowStartMs) later. */
  private beginStart(rec: PodRecord, c: ContainerRecord): void {
    const delay = this.opts.startDelayMs + this.hooks.slowStartMs;
    const image = c.spec.image;
    if (c.image.repository === noSuchImage || imageIn(c.image, this.hooks.unpullableImages)) {
      this.event(rec, c, 'Normal', 'Pulling', `Pulling image "${image}"`);
      this.later(rec, delay, () => this.pullFailed(rec, c));
      return;
    }
    const present = this.pulled.has(c.image.normalized);
    if (c.spec.imagePullPolicy === 'Never' && !present) {
      const message = `Container image "${image}" is not present with pull policy of Never`;
      this.event(rec, c, 'Warning', 'ErrImageNeverPull', message);
      this.setState(rec, c, { waiting: { reason: 'ErrImageNeverPull', message } });
      return;
    }
    const pull = c.spec.imagePullPolicy === 'Always' || !present;
    if (pull) this.event(rec, c, 'Normal', 'Pulling', `Pulling image "${image}"`);
    this.later(rec, delay, () => {
      if (pull) {
        this.pulled.add(c.image.normalized);
        const took = goDuration(delay);
        this.event(rec, c, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: 2166802 bytes.`);
      } else {
        this.event(rec, c, 'Normal', 'Pulled', `Container image "${image}" already present on machine and can be accessed by the pod`);
      }
      this.create(rec, c);
    });
  }

  private pullFailed(rec: PodRecord, c: ContainerRecord): void {
    const ref = c.image.normalized;
    // the kubelet reports containerd's message without the gRPC status around it (measured on kubelet 1.36)
    const err = `failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": ${ref}: not found`;
    this.event(rec, c, 'Warning', 'Failed', `Failed to pull image "${c.spec.image}": ${err}`);
    this.event(rec, c, 'Warning', 'Failed', 'Error: ErrImagePull');
    this.setState(rec, c, { waiting: { reason: 'ErrImagePull', message: err } });
    this.later(rec, 1000, () => {
      this.event(rec, c, 'Normal', 'BackOff', `Back-off pulling image "${c.spec.image}"`);
      this.event(rec, c, 'Warning', 'Failed', 'Error: ImagePullBackOff');
      this.setState(rec, c, { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.spec.image}": ErrImagePull: ${err}` } });
      this.later(rec, c.pullBackoffMs, () => this.beginStart(rec, c));
      c.pullBackoffMs = Math.min(c.pullBackoffMs * 2, maxBackoffMs);
    });
  }

  private create(rec: PodRecord, c: ContainerRecord): void {
    const pod = this.store.get('Pod', rec.namespace, rec.name);
    if (!pod || rec.terminating) return;
    let config: ContainerConfig;
    try {
      config = containerConfig(pod, c.spec, this.hooks, this.opts.nodeName);
    } catch (e) {
      if (!(e instanceof CreateConfigError)) throw e;
      this.event(rec, c, 'Warning', 'Failed', `Error: ${e.message}`);
      this.setState(rec, c, { waiting: { reason: 'CreateContainerConfigError', message: e.message } });
      return;
    }
    config.env.TMPDIR = this.tmpdir(rec, pod, c.spec, config.env.TMPDIR);
    c.containerID = `containerd://${randomBytes(32).toString('hex')}`;
    c.imageID = imageId(c.image);
    c.config = config;
    const log = new ContainerLog();
    c.logs.set(c.containerID, log);
    this.event(rec, c, 'Normal', 'Created', 'Container created');

    const exe = this.executable(c, config.argv[0]);
    if ('error' in exe) {
      const message = `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: ${exe.error}: unknown`;
      this.event(rec, c, 'Warning', 'Failed', `Error: ${message}`);
      log.end();
      if (c.ephemeral) {
        // never restarted, yet shown as the kubelet shows a start that failed: waiting RunContainerError, the
        // StartError as its last state (measured on kubelet 1.36)
        c.lastState = { terminated: { exitCode: 128, reason: 'StartError', message, startedAt: '1970-01-01T00:00:00Z', finishedAt: now(), containerID: c.containerID } };
        this.setState(rec, c, { waiting: { reason: 'RunContainerError', message } });
        return;
      }
      this.finished(rec, c, { exitCode: 128, reason: 'StartError', message, startedAt: '1970-01-01T00:00:00Z' });
      return;
    }
    const proc = new HostProcess({ ...config, tty: Boolean(c.spec.tty), stdin: Boolean(c.spec.stdin), init: true }, exe.path);
    this.sessions.add(proc.pid);
    proc.onOutput((_, chunk) => log.append(chunk));
    c.proc = proc;
    const startedAt = now();
    if (!c.ephemeral && !c.init) rec.everRunning = true;
    this.event(rec, c, 'Normal', 'Started', `Started container ${c.name}`);
    this.setState(rec, c, { running: { startedAt } });
    void proc.exited.then((code) => {
      log.end();
      c.proc = undefined;
      this.finished(rec, c, { exitCode: code, reason: code === 0 ? 'Completed' : 'Error', startedAt });
    });
  }

  private executable(c: ContainerRecord, file: string | undefined): { path: string } | { error: string } {
    if (!file) return { error: 'exec: "": executable file not found in $PATH' };
    if (imageIn(c.image, this.hooks.shelllessImages)) return { error: `exec: "${file}": executable file not found in $PATH` };
    if (imageIn(c.image, this.hooks.exitAtStartImages)) return resolveExecutable('false', c.config?.env.PATH ?? '');
    return resolveExecutable(file, c.config?.env.PATH ?? '');
  }

  /** The container's process ended (or never started): record it, kill its execs, maybe restart it. */
  private finished(rec: PodRecord, c: ContainerRecord, t: { exitCode: number; reason: string; message?: string; startedAt: string }): void {
    killSessions([...c.execs].map((e) => e.pid), 'SIGKILL');
    const terminated: JsonObject = { exitCode: t.exitCode, reason: t.reason };
    if (t.message) terminated.message = t.message;
    Object.assign(terminated, { startedAt: t.startedAt, finishedAt: now(), containerID: c.containerID });
    const pod = this.store.get('Pod', rec.namespace, rec.name);
    const policy = pod?.spec.restartPolicy ?? 'Always';
    // an init container is run again only when it failed, and not under restartPolicy Never (the pod then Fails)
    const again = c.init ? policy !== 'Never' && t.exitCode !== 0 : policy === 'Always' || (policy === 'OnFailure' && t.exitCode !== 0);
    c.willRestart = !c.ephemeral && !rec.terminating && again;
    if (!c.willRestart) {
      this.setState(rec, c, { terminated });
      if (c.init && t.exitCode === 0) this.startNextInit(rec);
      return;
    }
    const restart = (): void => {
      c.restartCount++;
      c.crashBackoffMs = c.crashBackoffMs ? Math.min(c.crashBackoffMs * 2, maxBackoffMs) : 10_000;
      this.beginStart(rec, c);
    };
    c.lastState = { terminated };
    if (c.crashBackoffMs === 0) {
      this.setState(rec, c, { terminated });
      this.later(rec, 0, restart);
      return;
    }
    const podRef = `${rec.name}_${rec.namespace}(${rec.uid})`;
    const reason = t.reason === 'StartError' ? 'RunContainerError' : 'CrashLoopBackOff';
    const message = reason === 'RunContainerError' ? t.message : `back-off ${c.crashBackoffMs / 1000}s restarting failed container=${c.name} pod=${podRef}`;
    this.event(rec, c, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${podRef}`);
    this.setState(rec, c, { waiting: { reason, message } });
    this.later(rec, c.crashBackoffMs, restart);
  }

  private setState(rec: PodRecord, c: ContainerRecord, state: JsonObject): void {
    c.state = state;
    this.scheduleStatus(rec);
  }

  /** Generate the status now; it reaches the API statusLagMs later (skipped when nothing changed). */
  private scheduleStatus(rec: PodRecord): void {
    const pod = this.store.get('Pod', rec.namespace, rec.name);
    if (!pod || rec.terminating) return;
    const status = generatePodStatus(pod, rec, now());
    this.later(rec, this.opts.statusLagMs, () => {
      const current = this.store.get('Pod', rec.namespace, rec.name);
      if (!current || current.metadata.uid !== rec.uid || current.metadata.deletionTimestamp) return;
      if (deepEqual(current.status, status)) return;
      current.status = status;
      this.store.update('Pod', current);
    });
  }

  private later(rec: PodRecord, ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      rec.timers.delete(t);
      if (!rec.terminating) fn();
    }, ms);
    rec.timers.add(t);
  }

  /**
   * Kill the pod's containers, then remove the Pod object (graceful deletion). SIGTERM goes to each container's init
   * only (exec'd processes die with its pid namespace), SIGKILL to everything 2 s later: the kubelet's minimum
   * grace period, also applied to force deletions; longer grace periods are cut to it.
   */
  private async terminate(rec: PodRecord, removeObject: boolean): Promise<void> {
    rec.terminating = true;
    for (const t of rec.timers) clearTimeout(t);
    rec.timers.clear();
    const running = [...rec.containers.values()].filter((c) => c.proc);
    for (const c of running) this.event(rec, c, 'Normal', 'Killing', `Stopping container ${c.name}`);
    for (const c of running) {
      try {
        process.kill(c.proc!.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    const sessions = running.flatMap((c) => [c.proc!.pid, ...[...c.execs].map((e) => e.pid)]);
    const escalate = setTimeout(() => killSessions(sessions, 'SIGKILL'), 2000);
    await Promise.all(running.map((c) => c.proc?.exited));
    clearTimeout(escalate);
    const current = this.store.get('Pod', rec.namespace, rec.name);
    if (removeObject && current?.metadata.uid === rec.uid) {
      // the status manager reports the terminated containers before the kubelet deletes the object
      const status = generatePodStatus(current, rec, now());
      if (!deepEqual(current.status, status)) {
        current.status = status;
        this.store.update('Pod', current);
      }
      this.store.delete('Pod', rec.namespace, rec.name);
    }
    if (this.pods.get(`${rec.namespace}/${rec.name}`) === rec) this.pods.delete(`${rec.namespace}/${rec.name}`);
  }

  private container(ns: string, pod: string, name: string): ContainerRecord | undefined {
    return this.pods.get(`${ns}/${pod}`)?.containers.get(name);
  }

  /** The running container to attach to, or the kubelet's "not found" (it only sees running containers). */
  attachTarget(ns: string, pod: string, name: string): ContainerRecord & { proc: HostProcess } {
    const c = this.container(ns, pod, name);
    if (!c?.proc || !c.state.running) throw new StreamTargetError(`container ${name} not found in pod ${pod}_${ns}`, 'kubelet');
    return c as ContainerRecord & { proc: HostProcess };
  }

  /** Starts `argv` in a running container with its environment and user (a new session on the host). */
  exec(ns: string, pod: string, name: string, argv: string[], tty: boolean, stdin: boolean): HostProcess {
    const c = this.container(ns, pod, name);
    // a container whose process exits at start is gone before an exec can reach it, as on a real node (the exit
    // takes microseconds, an exec's way there milliseconds); here its process may still be starting
    const exitsAtStart = c !== undefined && imageIn(c.image, this.hooks.exitAtStartImages);
    if (!c?.proc || !c.state.running || !c.config || exitsAtStart) throw new StreamTargetError(`container not found ("${name}")`, 'kubelet');
    const exe = this.executable(c, argv[0]);
    if ('error' in exe) {
      const id = randomBytes(32).toString('hex');
      throw new StreamTargetError(
        `failed to exec in container: failed to start exec "${id}": OCI runtime exec failed: exec failed: unable to start container process: ${exe.error}: unknown`,
        'runtime',
      );
    }
    const env = { ...c.config.env, ...(tty ? { TERM: 'xterm' } : {}) };
    const proc = new HostProcess({ ...c.config, argv, env, tty, stdin, init: false }, exe.path);
    this.sessions.add(proc.pid);
    c.execs.add(proc);
    void proc.exited.then(() => c.execs.delete(proc));
    return proc;
  }

  /** The log the kubelet would serve, or its 400 (validateContainerLogStatus). */
  containerLog(ns: string, pod: string, name: string, previous: boolean): ContainerLog {
    const c = this.container(ns, pod, name);
    if (!c) throw badRequest(`container "${name}" in pod "${pod}" is not available`);
    const last = c.lastState.terminated;
    const pick = (id: string | undefined): ContainerLog => c.logs.get(id ?? '') ?? new ContainerLog();
    if (previous) {
      if (!last?.containerID) throw badRequest(`previous terminated container "${name}" in pod "${pod}" not found`);
      return pick(last.containerID);
    }
    if (c.state.running) return pick(c.containerID);
    if (c.state.terminated) return pick(c.state.terminated.containerID);
    if (last) return pick(last.containerID);
    const reason = c.state.waiting?.reason;
    if (reason === 'ErrImagePull') throw badRequest(`container "${name}" in pod "${pod}" is waiting to start: image can't be pulled`);
    if (reason === 'ImagePullBackOff') throw badRequest(`container "${name}" in pod "${pod}" is waiting to start: trying and failing to pull image`);
    throw badRequest(`container "${name}" in pod "${pod}" is waiting to start: ${reason}`);
  }

  /** Command lines of live processes the node started (containers, execs and their descendants). */
  processes(match: string): string[] {
    return listProcesses()
      .filter((p) => this.sessions.has(p.session) && p.cmdline.includes(match))
      .map((p) => p.cmdline);
  }

  private podTmp(rec: PodRecord): string {
    return scratchDir(join(this.scratch, `${rec.namespace}_${rec.name}`));
  }

  /**
   * Where the container's TMPDIR (else /tmp) is on the host: for a writable emptyDir mounted there, the volume's own
   * directory (shared by the pod's containers that mount it); for a writable root filesystem, the pod's /tmp; where a
   * read-only mount or root filesystem is, a path under which nothing can be created (it is a file).
   */
  private tmpdir(rec: PodRecord, pod: JsonObject, spec: JsonObject, named: string | undefined): string {
    const path = (named || '/tmp').replace(/\/+$/, '');
    const mount: JsonObject | undefined = (spec.volumeMounts ?? []).find((m: JsonObject) => String(m.mountPath).replace(/\/+$/, '') === path);
    if (mount) {
      const volume: JsonObject | undefined = (pod.spec.volumes ?? []).find((v: JsonObject) => v.name === mount.name);
      if (!volume?.emptyDir || mount.readOnly) return this.readOnly;
      return scratchDir(join(this.scratch, `${rec.namespace}_${rec.name}.volumes`, volume.name, mount.subPath ?? ''));
    }
    return spec.securityContext?.readOnlyRootFilesystem ? this.readOnly : this.podTmp(rec);
  }

  async close(): Promise<void> {
    this.unsubscribe();
    process.off('exit', this.killAll);
    const exits: Promise<unknown>[] = [];
    for (const rec of this.pods.values()) {
      rec.terminating = true;
      for (const t of rec.timers) clearTimeout(t);
      for (const c of rec.containers.values()) {
        if (c.proc) exits.push(c.proc.exited);
        for (const e of c.execs) exits.push(e.exited);
      }
    }
    this.killAll();
    await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 3000))]);
    rmSync(this.scratch, { recursive: true, force: true });
  }
}

/** A directory every user of a container may write in, like /tmp. */
function scratchDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o1777);
  return dir;
}

/** mkdtemp makes 0700 directories; containers running as other users must reach their pod's /tmp inside. */
function traversable(dir: string): string {
  chmodSync(dir, 0o711);
  return dir;
}

/** time.Duration's String() for whole milliseconds: 350ms, 1.2s */
function goDuration(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${ms / 1000}s`;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
