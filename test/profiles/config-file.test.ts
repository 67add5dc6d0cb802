import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KdbgError } from '../../src/errors.ts';
import { loadProfiles } from '../../src/profiles/catalog.ts';
import { defaultConfigPath, readConfigFile } from '../../src/profiles/config-file.ts';
import { loadError, removeTempDirs, tempDir, writeConfig } from './helpers.ts';

afterEach(removeTempDirs);

/** A config whose only profile, `p`, has the given body lines (indented under it). */
const profile = (...body: string[]) => ['profiles:', '  p:', ...body.map((l) => `    ${l}`), ''].join('\n');

describe('config file location', () => {
  it('is $XDG_CONFIG_HOME/kdbg/config.yaml, else ~/.config/kdbg/config.yaml (a relative XDG_CONFIG_HOME is ignored)', () => {
    expect(defaultConfigPath({ XDG_CONFIG_HOME: '/x/cfg', HOME: '/home/u' })).toBe('/x/cfg/kdbg/config.yaml');
    expect(defaultConfigPath({ HOME: '/home/u' })).toBe('/home/u/.config/kdbg/config.yaml');
    expect(defaultConfigPath({ XDG_CONFIG_HOME: '', HOME: '/home/u' })).toBe('/home/u/.config/kdbg/config.yaml');
    expect(defaultConfigPath({ XDG_CONFIG_HOME: 'rel/cfg', HOME: '/home/u' })).toBe('/home/u/.config/kdbg/config.yaml');
  });

  it('reads the XDG file before ~/.config, and --config before both', async () => {
    const home = tempDir();
    const xdg = tempDir();
    writeConfig('defaultProfile: netshoot\n', home, '.config/kdbg/config.yaml');
    expect((await loadProfiles({ env: { HOME: home } })).defaultProfile).toBe('netshoot');
    writeConfig('defaultProfile: ptrace\n', xdg, 'kdbg/config.yaml');
    const env = { HOME: home, XDG_CONFIG_HOME: xdg };
    expect((await loadProfiles({ env })).defaultProfile).toBe('ptrace');
    const explicit = writeConfig('defaultProfile: restricted\n');
    expect((await loadProfiles({ configPath: explicit, env })).defaultProfile).toBe('restricted');
  });

  it('may be absent at the default path, but not when given with --config', async () => {
    const env = { HOME: tempDir() };
    expect(await readConfigFile(undefined, env)).toBeUndefined();
    const missing = path.join(tempDir(), 'nope.yaml');
    const err = await readConfigFile(missing, env).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KdbgError);
    expect((err as KdbgError).kind).toBe('config');
    expect((err as KdbgError).message).toBe(`config file ${missing} does not exist`);
  });

  it('reports a path it cannot read', async () => {
    const dir = tempDir();
    const err = await readConfigFile(dir, {}).catch((e: unknown) => e);
    expect((err as KdbgError).message).toBe(`cannot read config file ${dir}: EISDIR`);
  });
});

describe('config file validation: one line per problem, FILE:LINE:COL: PATH: message', () => {
  it('requireDigest: a boolean; with true, a profile\'s own image names a digest', async () => {
    expect(await loadError('requireDigest: yes\n')).toBe('F:1:16: requireDigest: must be true or false (got yes)');
    expect(await loadError(['requireDigest: true', profile('image: example/tools:1.2')].join('\n'))).toBe(
      'F:4:12: profiles.p.image: "example/tools:1.2" is not pinned by digest, which requireDigest: true demands (name@sha256:…)',
    );
    const pinned = `example/tools:1.2@sha256:${'a'.repeat(64)}`;
    const { requireDigestIn, get } = await loadProfiles({ configPath: writeConfig(['requireDigest: true', profile(`image: ${pinned}`, 'extends: busybox')].join('\n')), env: {} });
    expect(requireDigestIn).toMatch(/config\.yaml$/);
    // an inherited image is judged when it is used
    expect(get('p').image).toBe(pinned);
    expect((await loadProfiles({ configPath: writeConfig('requireDigest: false\n'), env: {} })).requireDigestIn).toBeUndefined();
  });

  it('YAML syntax errors', async () => {
    expect(await loadError('profiles:\n  p: [a,\n')).toMatch(/^F:3:1: invalid YAML: /);
    expect(await loadError('profiles:\n  p: {}\n  p: {}\n')).toBe('F:3:3: invalid YAML: Map keys must be unique');
    expect(await loadError('a: 1\n---\nb: 2\n')).toBe('F:2:1: invalid YAML: a config file holds a single document');
  });

  it('the top level', async () => {
    expect(await loadError('- a\n')).toBe('F:1:1: must be a mapping (got a list)');
    expect(await loadError('profile:\n  p: {}\n')).toBe('F:1:1: profile: unknown key (expected one of registry, defaultProfile, requireDigest, profiles)');
    expect(await loadError('profiles: [a]\n')).toBe('F:1:11: profiles: must be a mapping (got a list)');
    expect(await loadError('registry: https://mirror.example.com\n')).toBe(
      'F:1:11: registry: must be a registry host with an optional path, like mirror.example.com/hub (no scheme, no trailing /)',
    );
    expect(await loadError('registry: mirror.example.com/\n')).toMatch(/^F:1:11: registry: must be a registry host/);
    expect(await loadError('defaultProfile: nope\n')).toBe(
      'F:1:17: defaultProfile: unknown profile "nope" (known: busybox, netshoot, netadmin, ptrace, restricted)',
    );
  });

  it('profile names', async () => {
    expect(await loadError('profiles:\n  My_Tools:\n    image: x.example/y:1\n')).toBe(
      'F:2:3: profiles.My_Tools: a profile name must be lower-case letters, digits and -, starting and ending with a letter or digit',
    );
    expect(await loadError('profiles:\n  abcdefghij-abcdefghij:\n    image: x.example/y:1\n')).toBe(
      'F:2:3: profiles.abcdefghij-abcdefghij: a profile name must be at most 20 characters (this one has 21)',
    );
    expect(await loadError('profiles:\n  netshoot:\n    image: x.example/y:1\n')).toBe(
      'F:2:3: profiles.netshoot: "netshoot" is a built-in profile and cannot be redefined; choose another name and use "extends: netshoot"',
    );
  });

  it('unknown keys and wrong types', async () => {
    expect(await loadError(profile('image: x.example/y:1', 'imag: x'))).toBe(
      'F:4:5: profiles.p.imag: unknown key (expected one of description, extends, image, shell, env, securityContext)',
    );
    expect(await loadError(profile('image: [x]'))).toBe('F:3:12: profiles.p.image: must be a string (got a list)');
    expect(await loadError(profile('image: x.example/y:1', 'description: 12'))).toBe(
      'F:4:18: profiles.p.description: must be a string (got 12; quote it: "12")',
    );
    expect(await loadError(profile('image: x.example/y:1', 'description: |', '  two', '  lines'))).toBe(
      'F:4:18: profiles.p.description: must be a single line',
    );
    expect(await loadError(profile('image: x.example/y:1', 'shell: sh'))).toBe('F:4:12: profiles.p.shell: must be a list (got sh)');
    expect(await loadError(profile('image: x.example/y:1', 'shell: []'))).toBe('F:4:12: profiles.p.shell: must not be empty');
    expect(await loadError(profile('image: x.example/y:1', 'shell: [bash, ""]'))).toBe('F:4:19: profiles.p.shell[1]: must not be empty');
    expect(await loadError(profile('image: x.example/y:1', 'env: [A]'))).toBe('F:4:10: profiles.p.env: must be a mapping (got a list)');
  });

  it('images must be valid and pinned', async () => {
    expect(await loadError(profile('image: registry.example.com/tools'))).toBe(
      'F:3:12: profiles.p.image: "registry.example.com/tools" has no tag; pin a version tag or a digest (@sha256:...)',
    );
    expect(await loadError(profile('image: tools:latest'))).toBe(
      'F:3:12: profiles.p.image: "tools:latest" is not pinned; use a version tag or a digest (@sha256:...) instead of :latest',
    );
    expect(await loadError(profile('image: Tools:1'))).toBe('F:3:12: profiles.p.image: "Tools:1" is not a valid image reference');
    expect(await loadError(profile('image: https://x.example/y:1'))).toBe(
      'F:3:12: profiles.p.image: "https://x.example/y:1" is not a valid image reference',
    );
  });

  it('env names and values', async () => {
    expect(await loadError(profile('image: x.example/y:1', 'env:', '  KDBG_TOKEN: x'))).toBe(
      'F:5:7: profiles.p.env.KDBG_TOKEN: names starting with KDBG_ are reserved for kdbg',
    );
    expect(await loadError(profile('image: x.example/y:1', 'env:', '  1A: x'))).toBe(
      'F:5:7: profiles.p.env.1A: not a valid variable name (letters, digits and _, not starting with a digit)',
    );
    expect(await loadError(profile('image: x.example/y:1', 'env:', '  VERSION: 1.10'))).toBe(
      'F:5:16: profiles.p.env.VERSION: must be a string (got 1.10; quote it: "1.10")',
    );
  });

  it('securityContext fields', async () => {
    const sc = (...lines: string[]) => loadError(profile('image: x.example/y:1', 'securityContext:', ...lines.map((l) => `  ${l}`)));
    expect(await sc('windowsOptions: {}')).toBe(
      'F:5:7: profiles.p.securityContext.windowsOptions: unknown key (expected one of capabilities, runAsUser, runAsGroup, runAsNonRoot, allowPrivilegeEscalation, privileged, readOnlyRootFilesystem, seccompProfile, appArmorProfile, seLinuxOptions, procMount)',
    );
    expect(await sc('capabilities: {add: [CAP_NET_ADMIN]}')).toBe(
      'F:5:28: profiles.p.securityContext.capabilities.add[0]: write NET_ADMIN, without CAP_',
    );
    expect(await sc('capabilities: {drop: [all]}')).toBe(
      'F:5:29: profiles.p.securityContext.capabilities.drop[0]: "all" is not a capability name (upper case, like NET_ADMIN)',
    );
    expect(await sc('capabilities: {add: NET_ADMIN}')).toBe('F:5:27: profiles.p.securityContext.capabilities.add: must be a list (got NET_ADMIN)');
    expect(await sc('runAsUser: -1')).toBe('F:5:18: profiles.p.securityContext.runAsUser: must be an integer from 0 to 2147483647 (got -1)');
    expect(await sc('runAsGroup: "1000"')).toBe(
      'F:5:19: profiles.p.securityContext.runAsGroup: must be an integer from 0 to 2147483647 (got "1000")',
    );
    expect(await sc('privileged: yes')).toBe('F:5:19: profiles.p.securityContext.privileged: must be true or false (got yes)');
    expect(await sc('procMount: unmasked')).toBe(
      'F:5:18: profiles.p.securityContext.procMount: must be one of Default, Unmasked (got unmasked)',
    );
    expect(await sc('seccompProfile: {type: runtime/default}')).toBe(
      'F:5:30: profiles.p.securityContext.seccompProfile.type: must be one of RuntimeDefault, Unconfined, Localhost (got runtime/default)',
    );
    expect(await sc('seccompProfile: {localhostProfile: a.json}')).toBe('F:5:23: profiles.p.securityContext.seccompProfile: type is required');
    expect(await sc('seccompProfile: {type: Localhost}')).toBe(
      'F:5:30: profiles.p.securityContext.seccompProfile.type: Localhost needs localhostProfile',
    );
    expect(await sc('appArmorProfile: {type: RuntimeDefault, localhostProfile: x}')).toBe(
      'F:5:65: profiles.p.securityContext.appArmorProfile.localhostProfile: is only allowed with type Localhost',
    );
    expect(await sc('seLinuxOptions: {type: 1}')).toBe(
      'F:5:30: profiles.p.securityContext.seLinuxOptions.type: must be a string (got 1; quote it: "1")',
    );
    expect(await sc('privileged: true', 'allowPrivilegeEscalation: false')).toBe(
      'F:5:19: profiles.p.securityContext.privileged: cannot be true when allowPrivilegeEscalation is false',
    );
    expect(await sc('runAsNonRoot: true', 'runAsUser: 0')).toBe(
      'F:6:18: profiles.p.securityContext.runAsUser: 0 (root) contradicts runAsNonRoot: true',
    );
    expect(await sc('readOnlyRootFilesystem: true')).toMatch(
      /^F:5:\d+: profiles\.p\.securityContext\.readOnlyRootFilesystem: cannot be true: kdbg's debug container writes its state to \/tmp$/,
    );
  });

  it('image or extends, and extends only backwards', async () => {
    expect(await loadError(profile('shell: [sh]'))).toBe('F:2:3: profiles.p: image is required unless the profile extends another');
    expect(await loadError('profiles:\n  p:\n')).toBe('F:2:3: profiles.p: image is required unless the profile extends another');
    expect(await loadError(profile('extends: p'))).toBe('F:3:14: profiles.p.extends: a profile cannot extend itself');
    expect(await loadError(profile('extends: nope'))).toBe(
      'F:3:14: profiles.p.extends: unknown profile "nope" (known: busybox, netshoot, netadmin, ptrace, restricted, p)',
    );
    expect(await loadError('profiles:\n  a:\n    extends: b\n  b:\n    image: x.example/y:1\n')).toBe(
      'F:3:14: profiles.a.extends: "b" is defined further down; move it above "a"',
    );
  });

  it('reports every problem of a file, one per line, in file order', async () => {
    const text = [
      'defaultProfile: [x]',
      'profiles:',
      '  a:',
      '    image: y',
      '  b:',
      '    image: x.example/y:1',
      '    shel: [sh]',
      '',
    ].join('\n');
    expect((await loadError(text)).split('\n')).toEqual([
      'F:1:17: defaultProfile: must be a string (got a list)',
      'F:4:12: profiles.a.image: "y" has no tag; pin a version tag or a digest (@sha256:...)',
      'F:7:5: profiles.b.shel: unknown key (expected one of description, extends, image, shell, env, securityContext)',
    ]);
  });
});
