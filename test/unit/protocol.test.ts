import { describe, expect, it } from 'vitest';
import { closeFrame, decodeStatus, frame, resizeFrame } from '../../src/session/protocol.ts';

describe('v5 framing', () => {
  it('prefixes the channel byte and keeps the payload verbatim', () => {
    expect([...frame(0, Buffer.from([0, 255, 10]))]).toEqual([0, 0, 255, 10]);
    expect([...closeFrame(0)]).toEqual([255, 0]);
  });

  it('sends resizes the way kubectl does: capitalised keys and a newline', () => {
    expect(resizeFrame(120, 40).toString()).toBe('\u0004{"Width":120,"Height":40}\n');
  });

  it('decodes exit codes from the exec status', () => {
    expect(decodeStatus(Buffer.from('{"metadata":{},"status":"Success"}'))).toEqual({ kind: 'exited', code: 0 });
    const nonZero = '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}';
    expect(decodeStatus(Buffer.from(nonZero))).toEqual({ kind: 'exited', code: 3 });
  });

  it('reports other failures with the server message', () => {
    const internal = '{"metadata":{},"status":"Failure","message":"container not found (\\"kdbg-busybox-abcde\\")","reason":"InternalError"}';
    expect(decodeStatus(Buffer.from(internal))).toMatchObject({ kind: 'failed', message: 'container not found ("kdbg-busybox-abcde")' });
    expect(decodeStatus(Buffer.from('not json'))).toMatchObject({ kind: 'failed', message: 'unreadable status from the server: not json' });
  });
});
