// The bad-input catalogue's cases that meet the cluster, on the real control plane and node: the same exit code and
// `kdbg:` line as against the fake API server, no stack trace, no token or key of the kubeconfig in any output, and
// (read from the real API server) nothing created where a preflight failed. test/catalogue/on-real-node.ts picks
// them; the others run in `npm test` alone.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REAL_NODE_CASES } from '../test/catalogue/on-real-node.ts';
import { templateRegex } from '../test/catalogue/template.ts';
import { realBackendImpl, type RealBackend } from '../test/backends/real.ts';
import type { TestUser } from '../test/backends/backend.ts';
import { runKdbg } from '../test/scenarios/harness.ts';

let backend: RealBackend;
let dir: string;
beforeAll(async () => {
  backend = await realBackendImpl();
  dir = mkdtempSync(path.join(tmpdir(), 'kdbg-catalogue-e2e-'));
});
afterAll(async () => {
  await backend?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('runs the server-side cases of the catalogue here', () => {
  expect(REAL_NODE_CASES.length).toBeGreaterThanOrEqual(12);
});

describe('the bad-input catalogue on the real control plane', () => {
  for (const c of REAL_NODE_CASES) {
    it(c.id, async () => {
      const user = (c.kubeconfig ?? 'debugger') as TestUser;
      const namespace = await backend.newNamespace(`c-${c.id}`, c.namespaceLabels);
      const kubeconfig = await backend.kubeconfig(user, namespace);
      for (const pod of c.pods ?? []) await backend.createPod(namespace, pod);
      const result = await runKdbg(c.args, { kubeconfig, env: c.env, timeoutMs: 45_000 });
      const context = `stderr:\n${result.stderr}\nstdout:\n${result.stdout.toString().slice(0, 2000)}`;

      expect(result.code, context).toBe(c.exit);
      expect(result.stderr, 'no stack trace').not.toMatch(/^\s+at .+[(:]\d+/m);
      for (const secret of secretsOf(kubeconfig)) expect(`${result.stdout.toString()}\n${result.stderr}`.includes(secret), 'a secret in the output').toBe(false);
      // the fake's kubeconfigs name their context "fake"; these, USER@kdbg-e2e
      const expected = templateRegex(c.stderr.replaceAll('(context fake)', `(context ${user}@kdbg-e2e)`), { namespace, dir });
      const lines = result.stderr.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
      if (c.block) expect(lines.at(-1), context).toMatch(expected);
      else expect(lines, context).toEqual([expect.stringMatching(expected)]);

      if (c.createsNothing) {
        const pods = await backend.listPods(namespace);
        expect(pods.map((p) => p.metadata!.name).sort()).toEqual((c.pods ?? []).map((p) => p.metadata!.name).sort());
        for (const p of pods) expect(p.spec?.ephemeralContainers ?? [], `debug containers in ${p.metadata!.name}`).toEqual([]);
      }
    }, 90_000);
  }
});

/** The kubeconfig's token and client key, which no output may hold. */
function secretsOf(kubeconfig: string): string[] {
  const users = (parse(readFileSync(kubeconfig, 'utf8')) as { users: { user: Record<string, string> }[] }).users;
  return users.flatMap(({ user }) => [user.token, user['client-key-data'] && Buffer.from(user['client-key-data'], 'base64').toString()].filter((s): s is string => Boolean(s)));
}
