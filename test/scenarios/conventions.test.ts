// The conventions of command-line tools: colour only on a terminal unless asked (--color, FORCE_COLOR), never with
// NO_COLOR, --color never or TERM=dumb; and `kdbg version`, with the API server's version when it answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, eventually, kdbgNodeVersion, runKdbg } from './harness.ts';
import { runShellInPty } from './pty.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

const ESC = '\x1b[';
const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** `kdbg ARGS` on a terminal, with these variables; resolves with what it printed. */
async function onTerminal(args: string, env: Record<string, string>): Promise<string> {
  const shell = runShellInPty('sh', ['-c', `kdbg ${args}; echo "exit=$?"`], env);
  try {
    const screen = await shell.waitFor(/exit=\d+/);
    expect(screen).toContain('exit=0');
    return screen;
  } finally {
    shell.pty.kill();
  }
}

describe(`colour and version (${backend.name})`, () => {
  let kubeconfig: string;
  beforeAll(async () => {
    const ns = await backend.newNamespace('conventions');
    kubeconfig = await backend.kubeconfig('debugger', ns);
    await backend.createPod(ns, webPod('web-0'));
  });

  it('colours tables on a terminal, and not with NO_COLOR, --color never or TERM=dumb', async () => {
    const env = { KUBECONFIG: kubeconfig };
    expect(await onTerminal('profiles', env)).toContain(`${ESC}1mNAME`);
    expect(await onTerminal('profiles', { ...env, NO_COLOR: '1' })).not.toContain(ESC);
    expect(await onTerminal('profiles --color never', env)).not.toContain(ESC);
    expect(await onTerminal('profiles', { ...env, TERM: 'dumb' })).not.toContain(ESC);
  });

  it('writes no colour in a pipe, unless --color always or FORCE_COLOR asks for it', async () => {
    const plain = await runKdbg(['profiles'], { kubeconfig });
    expect(plain.stdout.toString()).toMatch(/^NAME /);
    expect(plain.stdout.toString()).not.toContain(ESC);
    const always = await runKdbg(['--color', 'always', 'profiles'], { kubeconfig, env: { NO_COLOR: '1' } });
    expect(always.stdout.toString()).toContain(`${ESC}1mNAME`);
    const forced = await runKdbg(['profiles'], { kubeconfig, env: { FORCE_COLOR: '1' } });
    expect(forced.stdout.toString()).toContain(`${ESC}1mNAME`);
    expect((await runKdbg(['profiles'], { kubeconfig, env: { FORCE_COLOR: '0' } })).stdout.toString()).not.toContain(ESC);
  });

  it("colours ls's state with --color=always, without moving a column", async () => {
    expect((await runKdbg(['attach', 'web-0', '--', 'true'], { kubeconfig })).code).toBe(0);
    // the container's status reaches the API a little later
    const coloured = await eventually(async () => {
      const out = (await runKdbg(['ls', '--color=always'], { kubeconfig })).stdout.toString();
      return out.includes(`${ESC}32mRunning`) ? out : undefined;
    });
    const [head, row] = coloured.replace(/\x1b\[\d+m/g, '').split('\n') as [string, string];
    expect(row.indexOf('Running')).toBe(head.indexOf('STATE'));
    expect(row.indexOf('15m')).toBe(head.indexOf('TTL'));
  });

  it('refuses a --color value it does not know, in one line', async () => {
    const r = await runKdbg(['--color', 'sometimes', 'profiles'], { kubeconfig });
    expect(r.stderr).toBe("kdbg: option '--color <when>' argument 'sometimes' is invalid. Allowed choices are auto, always, never.\n");
    expect(r.code).toBe(125);
  });

  it("version -o json: kdbg's, Node's and the API server's versions", async () => {
    const r = await runKdbg(['version', '-o', 'json'], { kubeconfig });
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout.toString());
    expect(v).toMatchObject({ kdbg: version, node: kdbgNodeVersion(), server: { version: expect.stringMatching(/^v1\.\d+/) } });
    const human = await runKdbg(['version'], { kubeconfig });
    expect(human.stdout.toString()).toMatch(new RegExp(`^kdbg ${version.replace(/\./g, '\\.')} \\(Node v[\\d.]+\\)\\nserver v1\\.\\d+\\S* `));
  });

  it('version says when the server cannot be reached, and still exits 0', async () => {
    const config = parse(readFileSync(kubeconfig, 'utf8'));
    config.clusters[0].cluster.server = 'https://127.0.0.1:1';
    const file = join(mkdtempSync(join(tmpdir(), 'kdbg-version-')), 'unreachable.kubeconfig');
    writeFileSync(file, stringify(config));
    const r = await runKdbg(['version', '-o', 'json'], { kubeconfig: file });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.toString()).server).toEqual({ url: 'https://127.0.0.1:1', context: expect.any(String), error: expect.stringContaining('cannot talk to https://127.0.0.1:1') });
  });
});
