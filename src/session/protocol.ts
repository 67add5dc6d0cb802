// The v5.channel.k8s.io framing: binary messages of the form [channel byte][payload].
// v5 adds CLOSE ([255, channel]) so stdin can reach EOF while stdout, stderr and the status still flow.
import type { V1Status } from '@kubernetes/client-node';

export const Channel = { stdin: 0, stdout: 1, stderr: 2, status: 3, resize: 4, close: 255 } as const;

export const V5 = 'v5.channel.k8s.io';
export const V4 = 'v4.channel.k8s.io';

export function frame(channel: number, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = channel;
  body.copy(out, 1);
  return out;
}

export function closeFrame(channel: number): Buffer {
  return Buffer.from([Channel.close, channel]);
}

/** kubectl sends Go's json.Encoder output: capitalised keys and a trailing newline. */
export function resizeFrame(columns: number, rows: number): Buffer {
  return frame(Channel.resize, `${JSON.stringify({ Width: columns, Height: rows })}\n`);
}

export type Outcome =
  | { kind: 'exited'; code: number }
  | { kind: 'failed'; message: string; status: V1Status };

/** Decodes the status frame of an exec: Success → 0, NonZeroExitCode → its ExitCode cause, else a failure. */
export function decodeStatus(payload: Buffer): Outcome {
  let status: V1Status;
  try {
    status = JSON.parse(payload.toString('utf8')) as V1Status;
  } catch {
    return { kind: 'failed', message: `unreadable status from the server: ${payload.toString('utf8').slice(0, 200)}`, status: {} };
  }
  if (status.status === 'Success') return { kind: 'exited', code: 0 };
  if (status.reason === 'NonZeroExitCode') {
    const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
    const code = Number(cause?.message);
    if (Number.isInteger(code)) return { kind: 'exited', code };
  }
  return { kind: 'failed', message: status.message ?? 'the remote command failed', status };
}
