import { afterEach, describe, expect, it } from 'vitest';
import { KdbgError } from '../../src/errors.ts';
import { loadProfiles } from '../../src/profiles/catalog.ts';
import { removeTempDirs, writeConfig } from './helpers.ts';

afterEach(removeTempDirs);

const load = (text: string) => {
  const file = writeConfig(text);
  return loadProfiles({ configPath: file, env: {} }).then((catalog) => ({ catalog, file }));
};

describe('loadProfiles', () => {
  it('without a config file: the built-ins, busybox by default', async () => {
    const catalog = await loadProfiles({ env: { HOME: '/nonexistent', XDG_CONFIG_HOME: '/nonexistent/xdg' } });
    expect(catalog.profiles.map((p) => p.name)).toEqual(['busybox', 'netshoot', 'netadmin', 'ptrace', 'restricted']);
    expect(catalog.defaultProfile).toBe('busybox');
    expect(catalog.get('ptrace').securityContext).toEqual({ capabilities: { add: ['SYS_PTRACE'] } });
  });

  it('get() refuses an unknown name, listing the known ones', async () => {
    const { catalog } = await load('profiles:\n  mytools:\n    image: registry.example.com/tools:1.2\n');
    const err = (() => {
      try {
        catalog.get('nope');
      } catch (e) {
        return e as KdbgError;
      }
    })();
    expect(err).toBeInstanceOf(KdbgError);
    expect(err!.kind).toBe('usage');
    expect(err!.message).toBe('unknown profile "nope" (known: busybox, netshoot, netadmin, ptrace, restricted, mytools)');
  });

  it('remaps the built-in images to the registry, and extends-derived images with them', async () => {
    const { catalog } = await load(
      [
        'registry: mirror.example.com/hub',
        'profiles:',
        '  own:',
        '    image: registry.example.com/tools:1.2',
        '  net:',
        '    extends: netadmin',
        '  net2:',
        '    extends: net',
        '  own2:',
        '    extends: own',
        '',
      ].join('\n'),
    );
    expect(Object.fromEntries(catalog.profiles.map((p) => [p.name, p.image]))).toEqual({
      busybox: 'mirror.example.com/hub/library/busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662',
      netshoot: 'mirror.example.com/hub/nicolaka/netshoot:v0.13@sha256:a20c2531bf35436ed3766cd6cfe89d352b050ccc4d7005ce6400adf97503da1b',
      netadmin: 'mirror.example.com/hub/nicolaka/netshoot:v0.13@sha256:a20c2531bf35436ed3766cd6cfe89d352b050ccc4d7005ce6400adf97503da1b',
      ptrace: 'mirror.example.com/hub/nicolaka/netshoot:v0.13@sha256:a20c2531bf35436ed3766cd6cfe89d352b050ccc4d7005ce6400adf97503da1b',
      restricted: 'mirror.example.com/hub/library/busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662',
      own: 'registry.example.com/tools:1.2',
      net: 'mirror.example.com/hub/nicolaka/netshoot:v0.13@sha256:a20c2531bf35436ed3766cd6cfe89d352b050ccc4d7005ce6400adf97503da1b',
      net2: 'mirror.example.com/hub/nicolaka/netshoot:v0.13@sha256:a20c2531bf35436ed3766cd6cfe89d352b050ccc4d7005ce6400adf97503da1b',
      own2: 'registry.example.com/tools:1.2',
    });
  });

  it('builds custom profiles: built-ins first, then file order, with the file as source and its default', async () => {
    const { catalog, file } = await load(
      [
        'defaultProfile: mytools',
        'profiles:',
        '  mytools:',
        '    description: team tools',
        '    extends: netshoot',
        '    shell: [bash, -l]',
        '    env: {FOO: bar}',
        '  plain:',
        '    image: registry.example.com/tools@sha256:' + 'a'.repeat(64),
        '',
      ].join('\n'),
    );
    expect(catalog.defaultProfile).toBe('mytools');
    expect(catalog.profiles.map((p) => p.name)).toEqual(['busybox', 'netshoot', 'netadmin', 'ptrace', 'restricted', 'mytools', 'plain']);
    expect(catalog.get('mytools')).toStrictEqual({
      name: 'mytools',
      description: 'team tools',
      image: 'nicolaka/netshoot:v0.13@sha256:a20c2531bf35436ed3766cd6cfe89d352b050ccc4d7005ce6400adf97503da1b',
      shell: ['bash', '-l'],
      env: { FOO: 'bar' },
      source: file,
    });
    expect(catalog.get('plain')).toStrictEqual({
      name: 'plain',
      description: '',
      image: `registry.example.com/tools@sha256:${'a'.repeat(64)}`,
      shell: ['sh'],
      source: file,
    });
  });

  it('extends: env merges (own values win), a securityContext replaces the base one whole, {} clears it', async () => {
    const { catalog } = await load(
      [
        'profiles:',
        '  a:',
        '    extends: netadmin',
        '    env: {A: "1", B: "1"}',
        '  b:',
        '    extends: a',
        '    env: {B: "2", C: "2"}',
        '    securityContext:',
        '      capabilities: {add: [SYS_PTRACE]}',
        '      runAsUser: 0',
        '  c:',
        '    extends: netadmin',
        '    securityContext: {}',
        '',
      ].join('\n'),
    );
    expect(catalog.get('a')).toMatchObject({
      description: 'extends netadmin',
      shell: ['bash'],
      env: { A: '1', B: '1' },
      securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
    });
    expect(catalog.get('b').env).toStrictEqual({ A: '1', B: '2', C: '2' });
    expect(catalog.get('b').securityContext).toStrictEqual({ capabilities: { add: ['SYS_PTRACE'] }, runAsUser: 0 });
    expect(catalog.get('c').securityContext).toBeUndefined();
    expect(catalog.get('netadmin').securityContext).toStrictEqual({ capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } });
  });

  it('takes every securityContext field a container has', async () => {
    const sc = {
      capabilities: { add: ['NET_ADMIN'], drop: ['ALL'] },
      runAsUser: 1000,
      runAsGroup: 0,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: false,
      seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/audit.json' },
      appArmorProfile: { type: 'RuntimeDefault' },
      seLinuxOptions: { user: 'system_u', role: 'system_r', type: 'spc_t', level: 's0' },
      procMount: 'Default',
    };
    const { catalog } = await load(`profiles:\n  full:\n    image: x.example/y:1\n    securityContext: ${JSON.stringify(sc)}\n`);
    expect(catalog.get('full').securityContext).toStrictEqual(sc);
  });

  it('accepts an empty file, and empty values as absent', async () => {
    expect((await load('')).catalog.profiles).toHaveLength(5);
    const { catalog } = await load('registry:\nprofiles:\n  a:\n    image: x.example/y:1\n    env:\n');
    expect(catalog.get('busybox').image).toBe('busybox:1.36.1@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662');
    expect(catalog.get('a').env).toBeUndefined();
  });
});
