// kdbg version: kdbg's, Node's and the API server's versions; the server's only when it answers in time, and a
// server that does not answer is said, not an error.
import type { IO } from '../../io.ts';
import { KdbgError } from '../../errors.ts';
import { withClient, type ClusterFlags } from '../cluster.ts';

export interface VersionFlags extends ClusterFlags {
  output?: 'json';
}

/** how long the API server has to answer GET /version */
const SERVER_TIMEOUT_MS = 2000;

interface ServerVersion {
  url?: string;
  context?: string;
  version?: string;
  platform?: string;
  /** why there is no version */
  error?: string;
}

export async function runVersion(flags: VersionFlags, kdbgVersion: string, io: IO): Promise<number> {
  const server = await serverVersion(flags, io);
  if (flags.output === 'json') {
    io.stdout.write(`${JSON.stringify({ kdbg: kdbgVersion, node: process.version, server }, null, 2)}\n`);
    return 0;
  }
  const where = [server.url && `at ${server.url}`, server.context && `context ${server.context}`].filter(Boolean).join(', ');
  const about = server.version ? `${server.version}${server.platform ? ` (${server.platform})` : ''}` : `unknown: ${server.error}`;
  io.stdout.write(`kdbg ${kdbgVersion} (Node ${process.version})\nserver ${about}${where ? `, ${where}` : ''}\n`);
  return 0;
}

async function serverVersion(flags: ClusterFlags, io: IO): Promise<ServerVersion> {
  let where: Pick<ServerVersion, 'url' | 'context'> = {};
  try {
    return await withClient(flags, io, async (client) => {
      where = { url: client.context.server, context: client.context.contextName || undefined };
      const v = await client.request<{ gitVersion?: string; platform?: string }>({ method: 'GET', path: '/version', timeoutMs: SERVER_TIMEOUT_MS });
      return { ...where, version: v.gitVersion, platform: v.platform };
    });
  } catch (err) {
    if (!(err instanceof KdbgError)) throw err;
    return { ...where, error: err.message };
  }
}
