import { describe, expect, it } from 'vitest';
import { ImageFailed, judgeEvent, judgeStatus } from '../../src/debug/states.ts';

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

describe("the kubelet's events for a starting container", () => {
  const event = (reason: string, message: string) => judgeEvent({ reason, message, involvedObject: {}, metadata: {} }, 'img:1', 'dbg');

  it('a failed pull fails at once, as an image failure a later call can name', () => {
    const e = event('Failed', 'Failed to pull image "img:1": rpc error: code = NotFound desc = not found');
    expect(e).toBeInstanceOf(ImageFailed);
    expect(e!.message).toBe('debug container dbg: ErrImagePull: Failed to pull image "img:1": rpc error: code = NotFound desc = not found');
    expect((e as ImageFailed).again().message).toBe(
      'image img:1 already failed in debug container dbg of this pod: ErrImagePull: Failed to pull image "img:1": rpc error: code = NotFound desc = not found (--new tries it anyway)',
    );
    expect(event('Failed', 'Error: ImagePullBackOff')).toBeInstanceOf(ImageFailed);
  });

  it('a runtime that finds no sh says the image has no shell; other failures say what the kubelet said', () => {
    expect(event('Failed', 'Error: failed to create containerd task: exec: "sh": executable file not found in $PATH')?.message).toBe(
      'image img:1 has no shell; kdbg needs one (pick a profile or --image with sh)',
    );
    expect(event('Failed', 'Error: container has runAsNonRoot and image will run as root')?.message).toBe('debug container dbg: Error: container has runAsNonRoot and image will run as root');
  });

  it('every other event is progress, not a verdict', () => {
    for (const reason of ['Pulling', 'Pulled', 'Created', 'Started', 'BackOff']) expect(event(reason, 'x')).toBeUndefined();
  });
});
