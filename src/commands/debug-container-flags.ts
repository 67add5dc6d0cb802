// The flags of every command that runs something in a debug container (attach, capture): which container to
// target, the profile and image, why, how long it idles and how long kdbg waits for it; checked before any IO.
import { Option, type Command } from 'commander';
import { KdbgError, UsageError } from '../errors.ts';
import { parseDuration } from '../duration.ts';
import { checkImageReference, parseImageReference } from '../debug/image-ref.ts';
import { MAX_TTL_SECONDS } from '../debug/spec.ts';
import type { Target } from '../debug/target.ts';
import type { Profile } from '../profiles/profile.ts';
import type { Catalog } from '../profiles/catalog.ts';
import type { SessionPriority } from '../debug/programs.ts';
import type { ClusterFlags } from './cluster.ts';
import type { PipelineRequest } from './pipeline.ts';

export interface DebugContainerFlags extends ClusterFlags {
  target?: string;
  profile?: string;
  image?: string;
  config?: string;
  reason?: string;
  ttl: string;
  new?: boolean;
  timeout: string;
  mountTargetVolumes?: boolean;
  rw?: boolean;
  priority: SessionPriority;
  allowPrivileged?: boolean;
  harden?: boolean;
}

export function addDebugContainerOptions(cmd: Command, profileHelp: string, defaultProfile?: string): Command {
  return cmd
    .option('-c, --target <container>', 'container whose namespaces to share (default: the default-container annotation, or the only one)')
    .option('-p, --profile <name>', profileHelp, defaultProfile)
    .option('--image <image>', "use this image instead of the profile's")
    .option('--config <path>', 'kdbg config file with custom profiles (default: $XDG_CONFIG_HOME/kdbg/config.yaml)')
    .option('--reason <text>', "why you are debugging; recorded in the container and in the pod's events")
    .option('--ttl <duration>', 'how long the debug container idles after the last session (at most 168h); 0 ends it after this one', '15m')
    .option('--new', 'add a new debug container even if one of yours can be reused')
    .option('--timeout <duration>', 'how long to wait for the debug container to start (at most 24h)', '2m')
    .option('--mount-target-volumes', "mount the target container's volumes at the same paths, read-only")
    .option('--rw', 'with --mount-target-volumes: writable (where the target has them writable)')
    .addOption(
      new Option('--priority <priority>', "the session's CPU and IO priority: low (nice 10, idle IO class: the app comes first) or normal")
        .choices(['low', 'normal'])
        .default('low'),
    )
    .option('--allow-privileged', 'allow a profile that sets privileged: true (the whole node is open to it)')
    .option('--harden', "the profile's image under the restricted securityContext: non-root, no privilege escalation, no capabilities, seccomp RuntimeDefault");
}

/** How long kdbg waits at most: a day, far below where Node's timers overflow (24.8 days). */
export const MAX_WAIT_MS = 24 * 3_600_000;

export interface CheckedDebugContainerFlags {
  ttlSeconds: number;
  timeoutMs: number;
  priority: SessionPriority;
}

export function checkDebugContainerFlags(flags: DebugContainerFlags): CheckedDebugContainerFlags {
  const ttlMs = parseDuration('--ttl', flags.ttl);
  const timeoutMs = parseDuration('--timeout', flags.timeout);
  if (timeoutMs <= 0) throw new UsageError('--timeout must be more than 0');
  if (timeoutMs > MAX_WAIT_MS) throw new UsageError('--timeout is at most 24h');
  if (ttlMs > 0 && ttlMs < 1000) throw new UsageError('--ttl is counted in whole seconds: 0, or 1s and more');
  if (ttlMs > MAX_TTL_SECONDS * 1000) throw new UsageError('--ttl is at most 168h (7 days): a debug container cannot be removed, only left to end');
  if (flags.image !== undefined) checkImageReference('--image', flags.image);
  if (flags.rw && !flags.mountTargetVolumes) throw new UsageError('--rw goes with --mount-target-volumes');
  return { ttlSeconds: Math.round(ttlMs / 1000), timeoutMs, priority: flags.priority };
}

/**
 * The profile by that name, checked before any cluster IO: one that sets privileged: true is used only with
 * --allow-privileged, and where the config requires digests, the image used (--image or the profile's) names one.
 * (Profiles that add capabilities are used only when named, or set as the config's defaultProfile.)
 */
export function chosenProfile(catalog: Catalog, name: string, flags: DebugContainerFlags): Profile {
  const profile = catalog.get(name);
  if (profile.securityContext?.privileged === true && !flags.allowPrivileged) {
    throw new UsageError(`profile "${name}" sets privileged: true, which opens the whole node to the debug container; pass --allow-privileged to use it`);
  }
  assertPinned(catalog, flags.image ?? profile.image, flags.image === undefined ? `profile "${name}"'s image` : '--image');
  return profile;
}

/** Where the config requires digests, an image without one is refused before any cluster IO. */
export function assertPinned(catalog: Catalog, image: string, whose: string): void {
  if (catalog.requireDigestIn !== undefined && !parseImageReference(image)?.digest) {
    throw new KdbgError(
      'config',
      `${whose} ${image} is not pinned by digest, and ${catalog.requireDigestIn} sets requireDigest: true; use name@sha256:… (--image, or a profile's image)`,
    );
  }
}

/**
 * Without -p, a config's defaultProfile and --harden: the profile used where the namespace enforces restricted
 * (src/debug/default-profile.ts).
 */
export function restrictedDefault(catalog: Catalog, flags: DebugContainerFlags): Profile | undefined {
  return flags.profile === undefined && catalog.defaultSetIn === undefined && !flags.harden ? catalog.get('restricted') : undefined;
}

/** The pipeline's request for these flags. */
export function pipelineRequest(
  flags: DebugContainerFlags,
  checked: CheckedDebugContainerFlags,
  target: Target,
  profile: Profile,
  command: string[],
  signal: AbortSignal,
): PipelineRequest {
  return {
    target,
    targetContainer: flags.target,
    spec: {
      profile,
      ttlSeconds: checked.ttlSeconds,
      reason: flags.reason,
      image: flags.image,
      targetVolumes: flags.mountTargetVolumes ? (flags.rw ? 'rw' : 'ro') : undefined,
      harden: flags.harden === true,
    },
    fresh: flags.new === true,
    timeoutMs: checked.timeoutMs,
    command,
    signal,
    notRunning: { json: false, clusterArgs: clusterArgs(flags) },
  };
}

/** The flags that chose the cluster and namespace, to repeat in a command kdbg suggests. */
function clusterArgs(flags: ClusterFlags): string[] {
  const args: string[] = [];
  if (flags.kubeconfig) args.push('--kubeconfig', flags.kubeconfig);
  if (flags.context) args.push('--context', flags.context);
  if (flags.namespace) args.push('-n', flags.namespace);
  return args;
}
