// kdbg as a krew plugin: per platform, a .tar.gz holding the executable as `kubectl-kdbg` and the LICENSE, and
// the manifest (krew.googlecontainertools.github.com/v1alpha2 Plugin) naming each archive's URI and SHA-256.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from 'tar';
import { stringify } from 'yaml';
import { sha256File } from './checksums.ts';

/** Go's names, which krew's platform selectors use */
const GOARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

export interface KrewInput {
  /** where the archives and kdbg.yaml go */
  outDir: string;
  /** kdbg's version, without the v */
  version: string;
  license: string;
  /** the URL the archives are published under; each platform's uri is BASE/kdbg-OS-ARCH.tar.gz */
  baseUri: string;
  /** each platform's executable */
  executables: { os: string; arch: string; file: string }[];
}

/** Writes the archives and the manifest; returns the manifest's path. */
export async function writeKrewRelease(input: KrewInput): Promise<string> {
  mkdirSync(input.outDir, { recursive: true });
  const platforms = [];
  for (const exe of input.executables) {
    const archive = `kdbg-${exe.os}-${exe.arch}.tar.gz`;
    await archiveOf(exe.file, input.license, join(input.outDir, archive));
    platforms.push({
      selector: { matchLabels: { os: exe.os, arch: GOARCH[exe.arch] ?? exe.arch } },
      uri: `${input.baseUri.replace(/\/$/, '')}/${archive}`,
      sha256: await sha256File(join(input.outDir, archive)),
      files: [
        { from: 'kubectl-kdbg', to: '.' },
        { from: 'LICENSE', to: '.' },
      ],
      bin: 'kubectl-kdbg',
    });
  }
  const manifest = {
    apiVersion: 'krew.googlecontainertools.github.com/v1alpha2',
    kind: 'Plugin',
    metadata: { name: 'kdbg' },
    spec: {
      version: `v${input.version}`,
      shortDescription: 'Debug pods with ephemeral containers: fast, safe, scriptable',
      description:
        "kdbg adds an idle ephemeral container beside a pod's container (same network, same process namespace) and runs " +
        'every session as an exec into it: exact output, the remote exit code, stdin with EOF, and the next call reuses ' +
        'the container. Also capture, cp, ls, stop and node.',
      platforms,
    },
  };
  const file = join(input.outDir, 'kdbg.yaml');
  writeFileSync(file, stringify(manifest, { lineWidth: 0 }));
  return file;
}

/** A .tar.gz of the executable as kubectl-kdbg (mode 755) and the LICENSE, owned by root, dated 1970. */
async function archiveOf(executable: string, license: string, archive: string): Promise<void> {
  const staging = mkdtempSync(join(tmpdir(), 'kdbg-krew-'));
  try {
    copyFileSync(executable, join(staging, 'kubectl-kdbg'));
    chmodSync(join(staging, 'kubectl-kdbg'), 0o755);
    copyFileSync(license, join(staging, 'LICENSE'));
    chmodSync(join(staging, 'LICENSE'), 0o644);
    await create({ gzip: true, file: archive, cwd: staging, portable: true, mtime: new Date(0) }, ['kubectl-kdbg', 'LICENSE']);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
