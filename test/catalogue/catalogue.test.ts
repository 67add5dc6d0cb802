// Runs every case of the catalogue against the fake API server (and the servers that are not one) and checks what
// kdbg must do with bad input: the exact exit code, one `kdbg:` line and no stack trace, no secret of the
// kubeconfig in any output (with --verbose too), nothing created on the server where a preflight failed, and
// nothing left of what kdbg made where it was interrupted.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Case } from './case.ts';
import { CASES } from './cases.ts';
import { ATTACHED_COMMAND, runCase, startCluster, type CaseRun, type World } from './run-case.ts';
import { eventually } from '../scenarios/harness.ts';
import { forbiddenStrings, makeSecrets } from './secrets.ts';
import { startTestServers } from './servers.ts';
import { templateRegex } from './template.ts';

let world: World;
let secrets: string[];
beforeAll(async () => {
  const s = makeSecrets();
  world = { secrets: s, cluster: await startCluster(s), servers: await startTestServers(), dir: mkdtempSync(path.join(tmpdir(), 'kdbg-catalogue-')) };
  secrets = forbiddenStrings(s);
});
afterAll(async () => {
  await world?.cluster.close();
  await world?.servers.close();
  if (world) rmSync(world.dir, { recursive: true, force: true });
});

it('has at least 60 cases, with unique ids', () => {
  expect(CASES.length).toBeGreaterThanOrEqual(60);
  expect(new Set(CASES.map((c) => c.id)).size).toBe(CASES.length);
});

describe.concurrent('the bad-input catalogue', () => {
  for (const c of CASES) {
    it(c.id, async () => {
      const run = await runCase(world, c);
      try {
        checkOutput(c, run);
        if (c.createsNothing) checkNothingCreated(run);
        if (c.leavesNothing) await checkNothingLeft(run);
        // the remote command got the signal too
        if (c.signal?.phase === 'attached') await eventually(() => run.env.cluster.processes(ATTACHED_COMMAND.join(' ')).length === 0, 10_000, 50);
      } finally {
        await run.close();
      }
      if (c.verbose) {
        const verbose = await runCase(world, c, ['--verbose']);
        await verbose.close();
        expect(verbose.result.code, 'exit code with --verbose').toBe(c.exit);
        checkNoSecrets(verbose);
      }
    }, 60_000);
  }
});

function checkOutput(c: Case, run: CaseRun): void {
  const { result, env } = run;
  const stderr = result.stderr;
  const context = `stderr:\n${stderr}\nstdout:\n${result.stdout.toString().slice(0, 2000)}`;
  expect(result.code, context).toBe(c.exit);
  expect(stderr, 'no stack trace').not.toMatch(/^\s+at .+[(:]\d+/m);
  checkNoSecrets(run);
  const lines = stderr.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
  if (c.stderr === '') {
    expect(stderr, context).toBe('');
  } else if (c.block) {
    expect(lines.at(-1), context).toMatch(templateRegex(c.stderr, env));
  } else {
    expect(lines, context).toHaveLength(1);
    expect(lines[0], context).toMatch(templateRegex(c.stderr, env));
  }
  if (c.stdout !== undefined) {
    const stdout = result.stdout.toString();
    expect(stdout.split('\n').length, context).toBe(c.stdout.split('\n').length);
    stdout.split('\n').forEach((line, i) => expect(line, context).toMatch(templateRegex(c.stdout!.split('\n')[i]!, env)));
  }
}

function checkNoSecrets({ result }: CaseRun): void {
  const all = `${result.stdout.toString()}\n${result.stderr}`;
  expect(all).not.toMatch(/s3cr3t/);
  for (const s of secrets) expect(all.includes(s), `a secret in the output:\n${all}`).toBe(false);
}

/** Every pod kdbg made was deleted before it exited, and is soon gone from the API. */
async function checkNothingLeft({ env, fixtures }: CaseRun): Promise<void> {
  const made = () => env.cluster.listPods(env.namespace).filter((p) => !fixtures.includes(p.metadata!.name!));
  expect(made().filter((p) => !p.metadata!.deletionTimestamp).map((p) => p.metadata!.name), 'pods kdbg left undeleted').toEqual([]);
  await eventually(() => made().length === 0, 10_000, 50);
}

/** The case's namespace holds the pods it made, and no more, and none of them has a debug container. */
function checkNothingCreated({ env, fixtures }: CaseRun): void {
  const pods = env.cluster.listPods(env.namespace);
  expect(pods.map((p) => p.metadata!.name).sort()).toEqual([...fixtures].sort());
  for (const p of pods) expect(p.spec?.ephemeralContainers ?? [], `debug containers in ${p.metadata!.name}`).toEqual([]);
}
