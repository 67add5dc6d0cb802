// kdbg attach --record: the session as an asciicast v2 file that players read. Runs on every backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, runKdbg } from './harness.ts';
import { runKdbgInPty } from './pty.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

type Event = [number, 'o' | 'i' | 'r', string];

/** Parses an asciicast v2 file strictly: a header object, then [time, kind, text] arrays with times that never go back. */
function parseCast(file: string): { header: Record<string, unknown>; events: Event[] } {
  const [first, ...rest] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const header = JSON.parse(first!) as Record<string, unknown>;
  const events = rest.map((l) => JSON.parse(l) as Event);
  let last = 0;
  for (const [t, kind, text] of events) {
    expect(typeof t).toBe('number');
    expect(t).toBeGreaterThanOrEqual(last);
    expect(['o', 'i', 'r']).toContain(kind);
    expect(typeof text).toBe('string');
    last = t;
  }
  return { header, events };
}

describe(`kdbg attach --record (${backend.name})`, () => {
  let kubeconfig: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'kdbg-record-'));
  beforeAll(async () => {
    const ns = await backend.newNamespace('record');
    kubeconfig = await backend.kubeconfig('debugger', ns);
    await backend.createPod(ns, webPod('web-0'));
  });

  it('records a TTY session: its size, its output and a resize, and not what was typed', async () => {
    const file = path.join(dir, 'tty.cast');
    const s = runKdbgInPty(['attach', 'web-0', '--record', file], kubeconfig, { cols: 100, rows: 30 });
    await s.waitFor('~. at the start');
    s.write('echo REC-$((2+3))\r');
    await s.waitFor('REC-5');
    await s.resizeTo(120, 40);
    s.write('exit 3\r');
    expect(await s.exitCode()).toBe(3);
    const { header, events } = parseCast(file);
    expect(header).toMatchObject({ version: 2, width: 100, height: 30, command: 'sh' });
    const output = events.filter(([, k]) => k === 'o').map(([, , t]) => t).join('');
    expect(output).toContain('REC-5');
    expect(events).toContainEqual([expect.any(Number), 'r', '120x40']);
    expect(events.filter(([, k]) => k === 'i')).toEqual([]);
  });

  it('--record-input also records what was typed; a one-shot records its output', async () => {
    const file = path.join(dir, 'input.cast');
    const s = runKdbgInPty(['attach', 'web-0', '--record', file, '--record-input'], kubeconfig);
    await s.waitFor('~. at the start');
    s.write('echo TYPED\r');
    await s.waitFor(/TYPED[\s\S]*TYPED/); // the echo of the line, then its output
    s.write('exit 0\r');
    expect(await s.exitCode()).toBe(0);
    expect(parseCast(file).events.filter(([, k]) => k === 'i').map(([, , t]) => t).join('')).toContain('echo TYPED\r');

    const oneShot = path.join(dir, 'oneshot.cast');
    const r = await runKdbg(['attach', 'web-0', '--record', oneShot, '--', 'sh', '-c', 'echo out; echo err >&2'], { kubeconfig });
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toBe('out\n');
    const cast = parseCast(oneShot);
    expect(cast.header).toMatchObject({ version: 2, width: 80, height: 24, command: 'sh -c echo out; echo err >&2' });
    const recorded = cast.events.map(([, , t]) => t).join('');
    expect(recorded).toContain('out\n');
    expect(recorded).toContain('err\n');
  });
});
