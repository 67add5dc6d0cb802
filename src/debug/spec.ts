// Fits a profile to a pod: the exact ephemeral container kdbg sends, its reuse identity and its name.
// `kdbg profiles show` and `kdbg attach` both build it here.
import { createHash } from 'node:crypto';
import type { V1Container, V1EphemeralContainer, V1EnvVar, V1Pod, V1SecurityContext, V1VolumeMount } from '@kubernetes/client-node';
import type { Profile } from '../profiles/profile.ts';
import { DEFAULT_TMPDIR, idleCommand } from './programs.ts';
import { hardened } from './harden.ts';

export const ENV = {
  name: 'KDBG_NAME',
  user: 'KDBG_USER',
  /** the TTL the container started with; a later session may set another one (programs.ts) */
  ttl: 'KDBG_TTL',
  profile: 'KDBG_PROFILE',
  reason: 'KDBG_REASON',
  spec: 'KDBG_SPEC',
} as const;

export interface DebugContainerInput {
  profile: Profile;
  pod: V1Pod;
  target: string;
  user: string;
  ttlSeconds: number;
  reason?: string | undefined;
  /** --image: replaces the profile's image */
  image?: string | undefined;
  /** --mount-target-volumes: the target's volume mounts at the same paths, read-only unless 'rw' */
  targetVolumes?: 'ro' | 'rw' | undefined;
  /** --harden: the profile's image under the restricted securityContext (harden.ts) */
  harden?: boolean | undefined;
}

/** The reuse identity (the KDBG_SPEC hash) of the container this input makes, whatever its name. */
export function reuseIdentity(input: DebugContainerInput): string {
  return envOf(debugContainer(input, 'kdbg-pending'), ENV.spec)!;
}

/** The longest TTL a debug container may idle for. */
export const MAX_TTL_SECONDS = 7 * 24 * 3600;

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Five characters of kubectl's vowel-free alphabet from the first five bytes: the tail of kdbg's names. */
export function nameSuffix(bytes: Buffer): string {
  let suffix = '';
  for (const b of bytes.subarray(0, 5)) suffix += NAME_ALPHABET[b % NAME_ALPHABET.length];
  return suffix;
}

function nameFrom(profile: string, bytes: Buffer): string {
  return `kdbg-${profile}-${nameSuffix(bytes)}`;
}

/** `kdbg-<profile>-<5>` from kubectl's vowel-free alphabet, at random (--new); `random` yields bytes. */
export function randomName(profile: string, random: (n: number) => Buffer): string {
  return nameFrom(profile, random(5));
}

/**
 * The name of a reusable container: the same for every caller with this user and spec identity, so concurrent
 * callers send the same PATCH (the API server's no-op) and share one container. `generation` moves past names
 * taken by containers that ended.
 */
export function reusableName(profile: string, user: string, hash: string, generation: number): string {
  return nameFrom(profile, createHash('sha256').update(`${user}\n${hash}\n${generation}`).digest());
}

export function debugContainer(input: DebugContainerInput, name: string): V1EphemeralContainer {
  const { profile, pod, target } = input;
  const env: V1EnvVar[] = [
    { name: ENV.name, value: name },
    { name: ENV.user, value: input.user },
    { name: ENV.ttl, value: String(input.ttlSeconds) },
    { name: ENV.profile, value: profile.name },
    ...Object.entries(profile.env ?? {}).map(([k, v]) => ({ name: k, value: v })),
  ];
  const container: V1EphemeralContainer = {
    name,
    image: input.image ?? profile.image,
    command: idleCommand(),
    env,
    targetContainerName: target,
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
  const securityContext = fitSecurityContext(input.harden ? hardened(profile.securityContext) : profile.securityContext, pod, target);
  if (securityContext) container.securityContext = securityContext;
  if (input.targetVolumes) container.volumeMounts = targetVolumeMounts(pod, target, input.targetVolumes).mounts;
  const hash = specHash(container);
  if (input.reason) env.push({ name: ENV.reason, value: input.reason });
  env.push({ name: ENV.spec, value: hash });
  return container;
}

/**
 * The target container's volume mounts for the debug container, at the same paths: read-only unless 'rw' (a
 * read-only mount stays so). Left out, each with why: mounts with subPath or subPathExpr, which the API server
 * forbids in an ephemeral container, and a read-only mount over /tmp, where kdbg keeps its state.
 */
export function targetVolumeMounts(pod: V1Pod, target: string, mode: 'ro' | 'rw'): { mounts: V1VolumeMount[]; leftOut: { mount: V1VolumeMount; why: string }[] } {
  const all = pod.spec?.containers.find((c) => c.name === target)?.volumeMounts ?? [];
  const mounts: V1VolumeMount[] = [];
  const leftOut: { mount: V1VolumeMount; why: string }[] = [];
  for (const m of all) {
    const readOnly = mode === 'ro' || m.readOnly === true;
    if (m.subPath || m.subPathExpr) leftOut.push({ mount: m, why: 'it mounts a subPath, which an ephemeral container may not' });
    else if (readOnly && m.mountPath.replace(/\/+$/, '') === DEFAULT_TMPDIR) {
      leftOut.push({ mount: m, why: `kdbg keeps its state in ${DEFAULT_TMPDIR}, which must stay writable${m.readOnly ? '' : ' (--rw mounts it writable)'}` });
    } else mounts.push({ name: m.name, mountPath: m.mountPath, ...(readOnly ? { readOnly: true } : {}) });
  }
  return { mounts, leftOut };
}

/**
 * Where the profile, the target or the pod demands a non-root user and the profile names none, run as the target's user
 * (with the group the target container sets itself, unless the profile names one: the pod's applies to every
 * container anyway), else as 65534 (nobody), so a hardened pod does not get a container that can never start.
 */
function fitSecurityContext(base: V1SecurityContext | undefined, pod: V1Pod, target: string): V1SecurityContext | undefined {
  const targetContainer: V1Container | undefined = pod.spec?.containers.find((c) => c.name === target);
  const podSc = pod.spec?.securityContext;
  const nonRoot = base?.runAsNonRoot ?? targetContainer?.securityContext?.runAsNonRoot ?? podSc?.runAsNonRoot ?? false;
  if (!nonRoot || base?.runAsUser !== undefined) return base;
  const user = targetContainer?.securityContext?.runAsUser ?? podSc?.runAsUser;
  if (user === undefined || user === 0) return { ...base, runAsUser: 65534 };
  const group = base?.runAsGroup ?? targetContainer?.securityContext?.runAsGroup;
  return { ...base, runAsUser: user, ...(group !== undefined ? { runAsGroup: group } : {}) };
}

/**
 * A hash of what the container does: the fields kdbg sets, without its name, its profile's name, the free-text
 * reason and the TTL (a session sets the TTL of the container it reuses). Computed
 * from a stored container too (the API server adds defaults to fields outside this list), so a container whose
 * KDBG_SPEC label does not match its own spec is never taken for one of ours.
 */
export function specHash(container: V1EphemeralContainer): string {
  const skip = new Set<string>([ENV.name, ENV.ttl, ENV.profile, ENV.reason, ENV.spec]);
  const canonical = canonicalJson({
    image: container.image,
    command: container.command,
    args: container.args,
    env: (container.env ?? []).filter((e) => !skip.has(e.name)),
    targetContainerName: container.targetContainerName,
    securityContext: container.securityContext,
    terminationMessagePolicy: container.terminationMessagePolicy,
    volumeMounts: container.volumeMounts,
    stdin: container.stdin,
    tty: container.tty,
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function envOf(container: V1EphemeralContainer, name: string): string | undefined {
  return container.env?.find((e) => e.name === name)?.value;
}
