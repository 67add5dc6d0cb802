// kdbg runbook run on a terminal: a live line per running pod and a count under the lines of the pods that are done,
// redrawn in place, the cursor hidden meanwhile; at the end the live lines go and the done lines stay. In a pipe,
// the same run is a plain log of one line per event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { webPod, type Backend } from '../backends/backend.ts';
import { backendFromEnv, runKdbg } from './harness.ts';
import { runKdbgInPty } from './pty.ts';

const backend: Backend = await backendFromEnv();
afterAll(() => backend.close());

const ESC = '\x1b';

describe(`kdbg runbook run's progress (${backend.name})`, () => {
  let ns: string;
  let kubeconfig: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'kdbg-runbook-progress-'));
  const file = path.join(dir, 'slow.yaml');
  beforeAll(async () => {
    ns = await backend.newNamespace('rb-progress');
    kubeconfig = await backend.kubeconfig('debugger', ns);
    await Promise.all([0, 1, 2].map((i) => backend.createPod(ns, webPod(`web-${i}`))));
    writeFileSync(file, ['name: slow', 'targets: {select: [{selector: app=web}]}', 'steps:', '  - name: wait', '    run: [sleep, "0.6"]'].join('\n'));
  });

  it('on a terminal: live lines redrawn in place under the done ones, which stay; the cursor comes back', async () => {
    const s = runKdbgInPty(['runbook', 'run', file, '-o', path.join(dir, 'tty-out')], kubeconfig, { cols: 120, rows: 30 });
    expect(await s.exitCode()).toBe(0);
    const out = s.output();
    // while it runs: each pod's step, and the count
    expect(out).toMatch(new RegExp(`  \\S ${ns}/web-\\d: step 1/1: wait\\r?\\n`));
    expect(out).toMatch(/\d\/3 pods done, [1-3] running\r?\n/);
    // redrawn in place: back to the first live line, then erased to the end of the screen
    expect(out).toMatch(new RegExp(`${ESC}\\[\\d+F${ESC}\\[J`));
    for (const i of [0, 1, 2]) expect(out).toMatch(new RegExp(`✓.* ${ns}/web-${i}: passed: 1/1 steps passed in [\\d.]+s`));
    // the last drawing erases the live lines and draws none: nothing of them follows the last done line
    const lastDone = Math.max(...[0, 1, 2].map((i) => out.lastIndexOf(`${ns}/web-${i}: passed`)));
    expect(out.slice(lastDone)).not.toMatch(/pods done|running/);
    expect(out.indexOf(`${ESC}[?25l`)).toBeLessThan(out.indexOf('pods done'));
    expect(out.lastIndexOf(`${ESC}[?25h`)).toBeGreaterThan(lastDone);
    expect(out).toMatch(/kdbg: runbook slow: 3 passed of 3 pods in [\d.]+s; report in /);
    const { before, after } = s.sttyBeforeAfter();
    expect(after).toBe(before);
  });

  it('in a pipe: a plain log, one line per event, no escape sequences', async () => {
    const r = await runKdbg(['runbook', 'run', file, '-o', path.join(dir, 'pipe-out')], { kubeconfig });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain(ESC);
    for (const i of [0, 1, 2]) {
      expect(r.stderr).toMatch(new RegExp(`^kdbg: ${ns}/web-${i}: step wait: passed in [\\d.]+s$`, 'm'));
      expect(r.stderr).toMatch(new RegExp(`^kdbg: ${ns}/web-${i}: passed: 1/1 steps passed in [\\d.]+s$`, 'm'));
    }
  });
});
