// Runs one of kdbg's short in-container programs (no stdin, no TTY) and collects what it prints.
import { PassThrough } from 'node:stream';
import type { KubeClient } from '../kube/types.ts';
import { openExec, type ExecResult } from './remote-exec.ts';

export interface ProgramRun {
  result: ExecResult;
  stdout: string;
  stderr: string;
}

export async function runProgram(client: KubeClient, namespace: string, pod: string, container: string, command: string[]): Promise<ProgramRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const session = await openExec({ client, namespace, pod, container, command, tty: false, stdout, stderr });
  const result = await session.done;
  return { result, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
