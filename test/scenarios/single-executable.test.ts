// The single executable (npm run test:binary sets KDBG_BIN): it names the Node inside, needs no Node on the PATH,
// and ignores the user's NODE_OPTIONS; a legacy auth-provider still works, though @kubernetes/client-node is an
// asset of its own; the release folder beside it has its checksums and a valid krew manifest. Skipped for the npm
// entry.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { parse } from 'yaml';
import { validateKrewPlugin, type KrewPlugin } from '../dist/krew-validation.ts';
import { json, kubeconfig, makePki, removeTempDirs, startServer, tempDir } from '../kube/helpers.ts';
import { KDBG_COMMAND, runKdbg } from './harness.ts';

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe.runIf(process.env.KDBG_BIN !== undefined)('the single executable', () => {
  const run = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(KDBG_COMMAND[0], args, { env: { PATH: mkdtempSync(join(tmpdir(), 'kdbg-empty-path-')), XDG_CONFIG_HOME: '/nonexistent', ...env }, encoding: 'utf8' });

  it('--version names kdbg and the Node inside, with nothing on the PATH', () => {
    const r = run(['--version']);
    expect(r.stdout).toMatch(new RegExp(`^kdbg ${version.replace(/\./g, '\\.')} \\(Node v\\d+\\.\\d+\\.\\d+\\)\\n$`));
    expect(r.status).toBe(0);
  });

  it("ignores NODE_OPTIONS, even ones Node refuses or that would starve it", () => {
    for (const NODE_OPTIONS of ['--no-such-flag', '--max-old-space-size=8', '--require /nonexistent.js']) {
      const r = run(['profiles', '-o', 'json'], { NODE_OPTIONS });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(JSON.parse(r.stdout)).toBeTruthy();
    }
  });

  it('a legacy auth-provider gets its credential from @kubernetes/client-node', async () => {
    const pki = makePki();
    const server = await startServer((_seen, res) => json(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [] }), { ...pki.server, ca: pki.ca });
    try {
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const idToken = `${b64({ alg: 'none' })}.${b64({ exp: Math.floor(Date.now() / 1000) + 3600 })}.sig`;
      const config = kubeconfig(join(tempDir(), 'config'), { server: server.url, 'certificate-authority': pki.caFile }, {
        'auth-provider': { name: 'oidc', config: { 'id-token': idToken, 'client-id': 'kdbg', 'idp-issuer-url': 'https://idp' } },
      });
      const r = await runKdbg(['ls', '-o', 'json'], { kubeconfig: config });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(server.seen.map((s) => s.headers.authorization)).toContain(`Bearer ${idToken}`);
    } finally {
      await server.close();
      removeTempDirs();
    }
  });

  it('SHA256SUMS names its sum, and the krew manifest passes krew\'s validation with its archives\' sums', () => {
    const bin = dirname(KDBG_COMMAND[0]);
    expect(readFileSync(join(bin, 'SHA256SUMS'), 'utf8')).toContain(`${sha256(KDBG_COMMAND[0])}  ${basename(KDBG_COMMAND[0])}\n`);
    const krew = join(bin, '../krew');
    const manifest = parse(readFileSync(join(krew, 'kdbg.yaml'), 'utf8')) as Required<KrewPlugin>;
    expect(validateKrewPlugin('kdbg', manifest)).toEqual([]);
    expect(manifest.spec.version).toBe(`v${version}`);
    for (const p of manifest.spec.platforms!) expect(p.sha256).toBe(sha256(join(krew, basename(new URL(p.uri!).pathname))));
  });
});
