// The krew manifest and archives that npm run dist writes, from a small fake release folder: what krew's
// validation demands, each archive's SHA-256, and an archive holding kubectl-kdbg (executable) and the LICENSE.
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { list } from 'tar';
import { parse } from 'yaml';
import { writeKrewRelease } from '../../scripts/dist/krew.ts';
import { validateKrewPlugin, type KrewPlugin } from './krew-validation.ts';

const LICENSE = new URL('../../LICENSE', import.meta.url).pathname;

async function fakeRelease() {
  const dir = mkdtempSync(join(tmpdir(), 'kdbg-krew-test-'));
  const executables = (['x64', 'arm64'] as const).map((arch) => {
    const file = join(dir, `kdbg-linux-${arch}`);
    writeFileSync(file, `#!/bin/sh\necho kdbg for ${arch}\n`);
    return { os: 'linux', arch, file };
  });
  const manifestFile = await writeKrewRelease({ outDir: join(dir, 'krew'), version: '1.2.3', license: LICENSE, baseUri: 'https://example.com/releases/v1.2.3/', executables });
  return { dir, manifestFile, manifest: parse(readFileSync(manifestFile, 'utf8')) as Required<KrewPlugin> };
}

describe('krew manifest', () => {
  it('passes krew\'s validation, named as its file', async () => {
    const { manifestFile, manifest } = await fakeRelease();
    expect(validateKrewPlugin(basename(manifestFile, '.yaml'), manifest)).toEqual([]);
    expect(manifest.metadata.name).toBe('kdbg');
    expect(manifest.spec.version).toBe('v1.2.3');
  });

  it('has a platform per executable, whose archive has that SHA-256 and holds kubectl-kdbg and the LICENSE', async () => {
    const { dir, manifest } = await fakeRelease();
    const platforms = manifest.spec.platforms!;
    expect(platforms.map((p) => p.selector?.matchLabels)).toEqual([{ os: 'linux', arch: 'amd64' }, { os: 'linux', arch: 'arm64' }]);
    for (const [i, arch] of ['x64', 'arm64'].entries()) {
      const p = platforms[i]!;
      expect(p.uri).toBe(`https://example.com/releases/v1.2.3/kdbg-linux-${arch}.tar.gz`);
      const archive = join(dir, 'krew', `kdbg-linux-${arch}.tar.gz`);
      expect(p.sha256).toBe(createHash('sha256').update(readFileSync(archive)).digest('hex'));
      expect(p.bin).toBe('kubectl-kdbg');
      const entries: { path: string; mode: number; body: string }[] = [];
      await list({
        file: archive,
        onReadEntry: (e) => {
          const chunks: Buffer[] = [];
          e.on('data', (c: Buffer) => chunks.push(c));
          e.on('end', () => entries.push({ path: e.path, mode: e.mode!, body: Buffer.concat(chunks).toString() }));
        },
      });
      expect(entries.map((e) => e.path).sort()).toEqual(['LICENSE', 'kubectl-kdbg']);
      const exe = entries.find((e) => e.path === 'kubectl-kdbg')!;
      expect(exe.body).toBe(`#!/bin/sh\necho kdbg for ${arch}\n`);
      expect(exe.mode & 0o111).toBe(0o111);
      expect(entries.find((e) => e.path === 'LICENSE')!.body).toBe(readFileSync(LICENSE, 'utf8'));
      expect(p.files).toEqual([{ from: 'kubectl-kdbg', to: '.' }, { from: 'LICENSE', to: '.' }]);
    }
  });

  it('the validation refuses what krew refuses', async () => {
    const { manifest } = await fakeRelease();
    const platform = manifest.spec.platforms![0]!;
    const broken = (change: (m: Required<KrewPlugin>) => void) => {
      const m = structuredClone(manifest);
      change(m);
      return validateKrewPlugin('kdbg', m);
    };
    expect(validateKrewPlugin('other', manifest)).toEqual(['plugin should be named "other", not "kdbg"']);
    expect(broken((m) => (m.apiVersion = 'krew.googlecontainertools.github.com/v1alpha1'))).toHaveLength(1);
    expect(broken((m) => (m.kind = 'Plugins'))).toHaveLength(1);
    expect(broken((m) => (m.spec.version = '1.2.3'))).toEqual(['failed to parse plugin version "1.2.3"']);
    expect(broken((m) => (m.spec.shortDescription = ''))).toEqual(['should have a short description']);
    expect(broken((m) => (m.spec.platforms![0] = { ...platform, sha256: platform.sha256!.toUpperCase() }))).toHaveLength(1);
    expect(broken((m) => (m.spec.platforms![0] = { ...platform, selector: { matchLabels: { os: 'linux', distro: 'debian' } } }))).toEqual([
      'platform 0 is badly constructed: invalid platform selector: key "distro" not supported',
    ]);
    expect(broken((m) => (m.spec.platforms![0] = { ...platform, files: [] }))).toHaveLength(1);
    expect(broken((m) => (m.spec.platforms![0] = { ...platform, bin: '' }))).toHaveLength(1);
  });
});
