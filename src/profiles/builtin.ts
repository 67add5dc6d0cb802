// The profiles kdbg ships with. PodSecurity levels in the descriptions follow pod-security-admission's checks: baseline
// lets a container add only AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP,
// SETGID, SETPCAP, SETUID and SYS_CHROOT (not NET_RAW, NET_ADMIN or SYS_PTRACE); restricted also requires
// runAsNonRoot, allowPrivilegeEscalation false, drop ALL and a RuntimeDefault or Localhost seccomp profile.
import type { Profile } from './profile.ts';

export const DEFAULT_PROFILE = 'busybox';

const BUSYBOX = 'busybox:1.36.1';
const NETSHOOT = 'nicolaka/netshoot:v0.13';

/** Fresh objects on every call, so a caller may change what it gets. */
export function builtinProfiles(): Profile[] {
  const source = 'built-in';
  return [
    {
      name: 'busybox',
      description: 'small shell and coreutils, adds nothing; passes PodSecurity baseline, not restricted',
      image: BUSYBOX,
      shell: ['sh'],
      source,
    },
    {
      name: 'netshoot',
      description:
        'network tools (curl, dig, ss, tcpdump), adds nothing; passes baseline; tcpdump needs the runtime to grant NET_RAW (containerd does)',
      image: NETSHOOT,
      shell: ['bash'],
      source,
    },
    {
      name: 'netadmin',
      description: 'netshoot + NET_ADMIN, NET_RAW for tcpdump, iptables, tc anywhere; fails baseline (privileged namespaces only)',
      image: NETSHOOT,
      shell: ['bash'],
      securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
      source,
    },
    {
      name: 'ptrace',
      description: 'netshoot + SYS_PTRACE for strace and /proc/PID/root of the target; fails baseline (privileged namespaces only)',
      image: NETSHOOT,
      shell: ['bash'],
      securityContext: { capabilities: { add: ['SYS_PTRACE'] } },
      source,
    },
    {
      name: 'restricted',
      description: 'busybox as uid 65534 with no capabilities; the one that passes PodSecurity restricted',
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

export const BUILTIN_NAMES: readonly string[] = builtinProfiles().map((p) => p.name);

/**
 * The built-in images (Docker Hub short names) as pulled through a mirror of Docker Hub: `<registry>/<repo>:<tag>`,
 * keeping Docker Hub's implicit `library/` for official images (busybox:1.36.1 → REGISTRY/library/busybox:1.36.1).
 */
export function mirrorImage(image: string, registry: string): string {
  return `${registry}/${image.includes('/') ? image : `library/${image}`}`;
}
