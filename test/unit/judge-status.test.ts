import { describe, expect, it } from 'vitest';
import { judgeStatus } from '../../src/debug/states.ts';

const judge = (state: object) => judgeStatus({ name: 'dbg', image: 'x', imageID: '', ready: false, restartCount: 0, state }, 'img:1', 'dbg');

describe('when a starting debug container is ready, or never will be', () => {
  it('is ready when running', () => {
    expect(judge({ running: { startedAt: new Date() } })).toEqual({ kind: 'running' });
  });

  it('keeps waiting through ContainerCreating and shows the reason', () => {
    expect(judge({ waiting: { reason: 'ContainerCreating' } })).toEqual({ kind: 'waiting', text: 'ContainerCreating' });
  });

  it('fails at once on pull errors with the node message', () => {
    const v = judge({ waiting: { reason: 'ErrImagePull', message: 'rpc error: not found' } });
    expect(v.kind).toBe('failed');
    expect(v.kind === 'failed' && v.error.message).toBe('debug container dbg: ErrImagePull: rpc error: not found');
    expect(v.kind === 'failed' && v.error.kind).toBe('unusable');
  });

  it('recognises an image without a shell', () => {
    const v = judge({ terminated: { exitCode: 128, reason: 'StartError', message: 'exec: "sh": executable file not found in $PATH' } });
    expect(v.kind === 'failed' && v.error.message).toBe('image img:1 has no shell; kdbg needs one (pick a profile or --image with sh)');
    const w = judge({ waiting: { reason: 'RunContainerError', message: 'exec: "sh": executable file not found in $PATH' } });
    expect(w.kind === 'failed' && w.error.kind).toBe('unusable');
  });

  it('does not call every start error a missing shell', () => {
    const v = judge({ terminated: { exitCode: 128, reason: 'StartError', message: 'failed to create containerd task: seccomp profile not found' } });
    expect(v.kind === 'failed' && v.error.message).toBe(
      'debug container dbg exited with code 128 before a session could start (StartError: failed to create containerd task: seccomp profile not found)',
    );
  });

  it('reports any other early end with its code', () => {
    const v = judge({ terminated: { exitCode: 1, reason: 'Error' } });
    expect(v.kind === 'failed' && v.error.message).toBe('debug container dbg exited with code 1 before a session could start (Error)');
  });
});
