import { describe, expect, it } from 'vitest';
import { loadProfiles } from '../../src/profiles/catalog.ts';
import { adds, profileJson, profileTable } from '../../src/profiles/list.ts';
import type { Profile } from '../../src/profiles/profile.ts';

const builtins = async () => (await loadProfiles({ env: { HOME: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent' } })).profiles;

const mytools: Profile = {
  name: 'mytools',
  description: 'team tools',
  image: 'registry.example.com/tools:1.2',
  shell: ['bash', '-l'],
  env: { FOO: 'bar' },
  securityContext: { privileged: true },
  source: '/etc/kdbg.yaml',
};

describe('kdbg profiles', () => {
  it('prints a table, marking the default with *', async () => {
    const table = profileTable({ profiles: [...(await builtins()), mytools], defaultProfile: 'mytools' });
    const d = Object.fromEntries((await builtins()).map((p) => [p.name, p.description]));
    expect(table).toBe(
      [
        'NAME         IMAGE                                          ADDS                 LEVEL        SOURCE           DESCRIPTION',
        `busybox      busybox:1.36.1@sha256:73aaf090f3d8…            -                    baseline     built-in         ${d.busybox}`,
        `netshoot     nicolaka/netshoot:v0.13@sha256:a20c2531bf35…   -                    baseline     built-in         ${d.netshoot}`,
        `netadmin     nicolaka/netshoot:v0.13@sha256:a20c2531bf35…   NET_ADMIN,NET_RAW    privileged   built-in         ${d.netadmin}`,
        `ptrace       nicolaka/netshoot:v0.13@sha256:a20c2531bf35…   SYS_PTRACE           privileged   built-in         ${d.ptrace}`,
        `restricted   busybox:1.36.1@sha256:73aaf090f3d8…            uid=65534,drop=ALL   restricted   built-in         ${d.restricted}`,
        'mytools*     registry.example.com/tools:1.2                 privileged           privileged   /etc/kdbg.yaml   team tools',
        '',
      ].join('\n'),
    );
  });

  it('leaves no trailing spaces when the last column is empty', () => {
    const table = profileTable({ profiles: [{ ...mytools, description: '' }], defaultProfile: 'busybox' });
    expect(table.split('\n')[1]).toBe('mytools   registry.example.com/tools:1.2   privileged   privileged   /etc/kdbg.yaml');
  });

  it('summarises what a securityContext adds', () => {
    expect(adds(undefined)).toBe('-');
    expect(adds({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true })).toBe('-');
    expect(adds({ runAsNonRoot: true })).toBe('non-root');
    expect(adds({ privileged: true, capabilities: { add: ['SYS_ADMIN'], drop: ['NET_RAW', 'MKNOD'] }, runAsUser: 0 })).toBe(
      'privileged,SYS_ADMIN,uid=0,drop=NET_RAW+MKNOD',
    );
  });

  it('prints JSON: an array of profiles, each with default true|false', async () => {
    const json = profileJson({ profiles: [(await builtins())[4]!, mytools], defaultProfile: 'restricted' });
    expect(json.endsWith('\n')).toBe(true);
    expect(JSON.parse(json)).toStrictEqual([
      {
        name: 'restricted',
        default: true,
        image: 'busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662',
        shell: ['sh'],
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 65534,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        },
        podSecurityLevel: 'restricted',
        source: 'built-in',
        description: 'busybox as uid 65534 with no capabilities',
      },
      {
        name: 'mytools',
        default: false,
        image: 'registry.example.com/tools:1.2',
        shell: ['bash', '-l'],
        env: { FOO: 'bar' },
        securityContext: { privileged: true },
        podSecurityLevel: 'privileged',
        source: '/etc/kdbg.yaml',
        description: 'team tools',
      },
    ]);
  });
});
