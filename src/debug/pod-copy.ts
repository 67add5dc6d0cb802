// A copy of a pod to debug when its own container cannot take a debug container (a crash loop, a failed init
// container): the same spec (volumes, env, service account, node selector), hidden from Services and controllers
// (its labels are kdbg's own), never restarted, and with the failing container held by kdbg's idle program so its
// image, env and volumes stay there to inspect. Where the image has no shell to hold it with, kdbg's debug
// container joins instead: beside the app (sharing the process namespace), or, for an init container, just
// before it with its volumes. A held container whose root filesystem is read-only keeps kdbg's state in an emptyDir
// of its own, which TMPDIR names (programs.ts keeps it under ${TMPDIR:-/tmp}), unless its TMPDIR is writable already.
// Pure: the caller creates the pod.
import type { V1Container, V1EnvVar, V1Pod, V1PodSpec } from '@kubernetes/client-node';
import type { Profile } from '../profiles/profile.ts';
import { DEFAULT_TMPDIR, heldCommand, idleCommand } from './programs.ts';
import { hasFailed } from './post-mortem.ts';
import { ENV, nameSuffix } from './spec.ts';

/** Labels and annotations of kdbg's own pods: copies and node shells. */
export const OWN_POD = {
  managedBy: 'app.kubernetes.io/managed-by',
  /** the label that marks a copy: its value is "copy" or "node" */
  kind: 'kdbg.dev/pod',
  copyOf: 'kdbg.dev/copy-of',
  user: 'kdbg.dev/user',
  reason: 'kdbg.dev/reason',
  /** the container sessions run in */
  session: 'kdbg.dev/session-container',
} as const;

export type CopyMode = 'hold' | 'beside';

export interface CopyRequest {
  pod: V1Pod;
  /** the container that fails (or --hold): an app container or an init container */
  failing: string;
  mode: CopyMode;
  /** kdbg's debug container profile, for 'beside' */
  profile: Profile;
  image?: string | undefined;
  user: string;
  reason?: string | undefined;
  ttlSeconds: number;
  /** --same-node */
  sameNode: boolean;
  /** --rw: the debug container's copies of the failing container's mounts are writable */
  writableMounts: boolean;
  /** five random bytes for the name */
  random: Buffer;
}

export interface PodCopy {
  pod: V1Pod;
  /** where sessions run */
  container: string;
  /** whether that container is an init container */
  init: boolean;
  /** where kdbg keeps its state (TMPDIR) in a held container whose root filesystem is read-only */
  stateDir?: string;
}

/** The mount path of the emptyDir that holds kdbg's state in a held container whose root filesystem is read-only. */
export const HELD_STATE_DIR = '/kdbg';

/** The start of a name kdbg gives its pods: cut to leave room for `-kdbg-xxxxx` within a DNS label's 63 characters. */
export function ownPodNameBase(base: string): string {
  return base.slice(0, 63 - '-kdbg-xxxxx'.length).replace(/[.-]+$/, '');
}

/** the copy's name: POD-kdbg-xxxxx */
export function copyName(pod: string, random: Buffer): string {
  return `${ownPodNameBase(pod)}-kdbg-${nameSuffix(random)}`;
}

/**
 * The container to hold: the first init container whose status shows it failed (the one the post-mortem names), else
 * `target`. An init container that has not failed is not held in the target's place: one without a status (a pod not
 * yet scheduled or started) or on its first run, which the copy runs as the pod would.
 */
export function failingContainer(pod: V1Pod, target: string | undefined): { name: string; init: boolean } | undefined {
  const statuses = pod.status?.initContainerStatuses ?? [];
  const failed = (pod.spec?.initContainers ?? []).find(
    // a sidecar does not block the pod
    (c) => c.restartPolicy !== 'Always' && statuses.some((s) => s.name === c.name && hasFailed(s)),
  );
  if (failed) return { name: failed.name, init: true };
  return target ? { name: target, init: false } : undefined;
}

export function podCopy(req: CopyRequest): PodCopy {
  const source = req.pod;
  const spec = structuredClone(source.spec!) as V1PodSpec;
  const name = copyName(source.metadata!.name!, req.random);
  const init = (spec.initContainers ?? []).some((c) => c.name === req.failing);

  delete spec.ephemeralContainers;
  delete spec.hostname; // a StatefulSet pod's DNS name stays the original's
  delete spec.subdomain;
  delete spec.readinessGates;
  delete spec.schedulingGates;
  if (!req.sameNode) delete spec.nodeName;
  else spec.nodeName = source.spec?.nodeName;
  spec.restartPolicy = 'Never';
  for (const c of [...spec.containers, ...(spec.initContainers ?? [])]) {
    // probes would kill a held container; kubectl debug --copy-to drops them too
    delete c.livenessProbe;
    delete c.readinessProbe;
    delete c.startupProbe;
  }

  const env: V1EnvVar[] = [
    { name: ENV.name, value: name },
    { name: ENV.user, value: req.user },
    { name: ENV.ttl, value: String(req.ttlSeconds) },
    ...(req.reason ? [{ name: ENV.reason, value: req.reason }] : []),
  ];
  let container: string;
  let stateDir: string | undefined;
  const list = init ? spec.initContainers! : spec.containers;
  const at = list.findIndex((c) => c.name === req.failing);
  if (at < 0) throw new Error(`no container ${req.failing} in pod ${source.metadata!.name}`);
  if (req.mode === 'hold') {
    const held = list[at]!;
    held.command = heldCommand();
    delete held.args;
    delete held.lifecycle;
    if (!writableTmp(held)) {
      stateDir = HELD_STATE_DIR;
      const volume = unique((spec.volumes ?? []).map((v) => v.name), 'kdbg-state');
      spec.volumes = [...(spec.volumes ?? []), { name: volume, emptyDir: {} }];
      held.volumeMounts = [...(held.volumeMounts ?? []), { name: volume, mountPath: stateDir }];
      env.push({ name: 'TMPDIR', value: stateDir });
    }
    const ours = new Set<string>([...Object.values(ENV), ...env.map((e) => e.name)]);
    held.env = [...(held.env ?? []).filter((e) => !ours.has(e.name)), ...env];
    container = held.name;
  } else {
    const failing = list[at]!;
    const debug: V1Container = {
      name: unique([...spec.containers, ...(spec.initContainers ?? [])].map((c) => c.name), 'kdbg-debug'),
      image: req.image ?? req.profile.image,
      command: idleCommand(),
      env,
      stdin: true,
      tty: true,
      volumeMounts: (failing.volumeMounts ?? []).map((m) => ({ ...m, readOnly: m.readOnly || !req.writableMounts })),
      ...(req.profile.securityContext ? { securityContext: structuredClone(req.profile.securityContext) } : {}),
    };
    if (init) list.splice(at, 0, debug); // it runs where the failing one would, with what the earlier ones left
    else {
      list.push(debug);
      spec.shareProcessNamespace = true;
    }
    container = debug.name;
  }

  const labels: Record<string, string> = { [OWN_POD.managedBy]: 'kdbg', [OWN_POD.kind]: 'copy' };
  const annotations: Record<string, string> = {
    [OWN_POD.copyOf]: source.metadata!.name!,
    [OWN_POD.user]: req.user,
    [OWN_POD.session]: container,
    ...(req.reason ? { [OWN_POD.reason]: req.reason } : {}),
  };
  return {
    pod: { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: source.metadata!.namespace, labels, annotations }, spec },
    container,
    init,
    stateDir,
  };
}

/**
 * Whether the held program can write its state under ${TMPDIR:-/tmp}: a root filesystem that is not read-only, or a
 * writable mount at the path the container's TMPDIR names (one envFrom may set is not known here: not writable).
 */
function writableTmp(c: V1Container): boolean {
  if (!c.securityContext?.readOnlyRootFilesystem) return true;
  const tmpdir = c.env?.find((e) => e.name === 'TMPDIR');
  if (tmpdir?.valueFrom || (!tmpdir && c.envFrom?.length)) return false;
  const path = (tmpdir?.value || DEFAULT_TMPDIR).replace(/\/+$/, '');
  return (c.volumeMounts ?? []).some((m) => !m.readOnly && m.mountPath.replace(/\/+$/, '') === path);
}

function unique(names: string[], base: string): string {
  const taken = new Set(names);
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  return name;
}
