// The profiles kdbg ships with. The PodSecurity level each needs is computed from its securityContext
// (src/debug/pod-security-level.ts), never written here.
import type { Profile } from './profile.ts';

export const DEFAULT_PROFILE = 'busybox';

// Pinned by digest (the multi-platform index Docker Hub serves for the tag), so a moved tag never changes what runs
// and `requireDigest: true` accepts them; the tag stays for people to read.
export const BUSYBOX = 'busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662';
const NETSHOOT = 'nicolaka/netshoot:v0.13@sha256:a20c2531bf35436ed3766cd6cfe89d352b050ccc4d7005ce6400adf97503da1b';

/** Fresh objects on every call, so a caller may change what it gets. */
export function builtinProfiles(): Profile[] {
  const source = 'built-in';
  return [
    {
      name: 'busybox',
      description: 'small shell and coreutils, adds nothing',
      image: BUSYBOX,
      shell: ['sh'],
      source,
    },
    {
      name: 'netshoot',
      description:
        'network tools (curl, dig, ss, tcpdump), adds nothing; tcpdump needs the runtime to grant NET_RAW (containerd does)',
      image: NETSHOOT,
      shell: ['bash'],
      source,
    },
    {
      name: 'netadmin',
      description: 'netshoot + NET_ADMIN, NET_RAW for tcpdump, iptables, tc anywhere',
      image: NETSHOOT,
      shell: ['bash'],
      securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
      source,
    },
    {
      name: 'ptrace',
      description: 'netshoot + SYS_PTRACE for strace and /proc/PID/root of the target',
      image: NETSHOOT,
      shell: ['bash'],
      securityContext: { capabilities: { add: ['SYS_PTRACE'] } },
      source,
    },
    {
      name: 'restricted',
      description: 'busybox as uid 65534 with no capabilities',
      image: BUSYBOX,
      shell: ['sh'],
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 65534,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        seccompProfile: { type: 'RuntimeDefault' },
      },
      source,
    },
  ];
}

/** Whether an image is the built-in busybox one (as is, or through a registry mirror), which has no tcpdump. */
export function isBuiltinBusybox(image: string): boolean {
  return image === BUSYBOX || image.endsWith(`/library/${BUSYBOX}`);
}

export const BUILTIN_NAMES: readonly string[] = builtinProfiles().map((p) => p.name);

/**
 * The built-in images (Docker Hub short names) as pulled through a mirror of Docker Hub: `<registry>/<repo>:<tag>`,
 * keeping Docker Hub's implicit `library/` for official images (busybox:1.36.1 → REGISTRY/library/busybox:1.36.1).
 */
export function mirrorImage(image: string, registry: string): string {
  return `${registry}/${image.includes('/') ? image : `library/${image}`}`;
}
