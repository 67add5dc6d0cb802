// client-go exec credential plugins (client.authentication.k8s.io): run with kubectl's contract, cached per process.
import { KdbgError } from '../../errors.ts';
import type { ClusterSettings, ExecSettings } from './kubeconfig.ts';

export interface ExecCredential {
  token?: string;
  cert?: string;
  key?: string;
  /** ms since the epoch; undefined = valid for the rest of this run */
  expiresAt?: number;
}

export interface ExecPluginContext {
  userName: string;
  cluster: ClusterSettings;
  env: NodeJS.ProcessEnv;
  stderr: NodeJS.WritableStream;
  stdinIsTTY: boolean;
}

type Obj = Record<string, unknown>;

/** One user's plugin: its credential is reused until it expires, and concurrent callers share one spawn. */
export class ExecPlugin {
  private current: ExecCredential | undefined;
  private running: Promise<ExecCredential> | undefined;

  constructor(
    private readonly settings: ExecSettings,
    private readonly ctx: ExecPluginContext,
  ) {}

  get(): Promise<ExecCredential> {
    const cred = this.current;
    if (cred && (cred.expiresAt === undefined || Date.now() < cred.expiresAt)) return Promise.resolve(cred);
    this.running ??= runPlugin(this.settings, this.ctx).then(
      (fresh) => {
        this.current = fresh;
        this.running = undefined;
        return fresh;
      },
      (err: unknown) => {
        this.running = undefined;
        throw err;
      },
    );
    return this.running;
  }

  /** The server refused `cred` (401): the next get() runs the plugin again, unless another caller already did. */
  invalidate(cred: ExecCredential): void {
    if (this.current === cred) this.current = undefined;
  }
}

async function runPlugin(s: ExecSettings, ctx: ExecPluginContext): Promise<ExecCredential> {
  const what = `credential plugin "${s.command}" (user "${ctx.userName}")`;
  if (s.interactiveMode === 'Always' && !ctx.stdinIsTTY) {
    throw new KdbgError('auth', `${what} needs a terminal (interactiveMode: Always), but standard input is not one`);
  }
  const interactive = s.interactiveMode !== 'Never' && ctx.stdinIsTTY;
  const spec: Obj = { interactive };
  if (s.provideClusterInfo) spec.cluster = clusterInfo(ctx.cluster);
  const env: NodeJS.ProcessEnv = { ...ctx.env };
  for (const { name, value } of s.env) env[name] = value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion: s.apiVersion, kind: 'ExecCredential', spec });

  // The plugin's stderr (prompts, diagnostics) is the user's; its stdout is the secret and stays here.
  const ownStderr = ctx.stderr === process.stderr;
  // (child_process is loaded here, not with this module: most users have no exec plugin)
  const child = process.getBuiltinModule('node:child_process').spawn(s.command, s.args, {
    env,
    stdio: [interactive ? 'inherit' : 'ignore', 'pipe', ownStderr ? 'inherit' : 'pipe'],
  });
  if (!ownStderr) child.stderr?.pipe(ctx.stderr, { end: false });
  const out: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      // the hint on the same line: kdbg's errors are one line
      const hint = err.code === 'ENOENT' && s.installHint ? `; ${s.installHint.trim().replace(/\s*\n\s*/g, ' ')}` : '';
      reject(new KdbgError('auth', err.code === 'ENOENT' ? `${what} not found${hint}` : `${what} cannot be run: ${err.code}`));
    });
    child.once('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
  });
  if (code !== 0) {
    throw new KdbgError('auth', `${what} failed ${signal ? `(killed by ${signal})` : `with exit code ${code}`}`);
  }
  return parseCredential(Buffer.concat(out).toString('utf8'), s.apiVersion, what);
}

/** Decodes the plugin's ExecCredential. Messages never quote the output: it holds the credential. */
function parseCredential(stdout: string, apiVersion: string, what: string): ExecCredential {
  let cred: unknown;
  try {
    cred = JSON.parse(stdout);
  } catch {
    throw new KdbgError('auth', `${what} did not print an ExecCredential (its output is not JSON)`);
  }
  if (!isObj(cred) || cred.kind !== 'ExecCredential') throw new KdbgError('auth', `${what} did not print an ExecCredential`);
  if (cred.apiVersion !== apiVersion) {
    throw new KdbgError('auth', `${what} answered with another apiVersion than the configured ${apiVersion}`);
  }
  const status = isObj(cred.status) ? cred.status : {};
  const token = nonEmpty(status.token);
  const cert = nonEmpty(status.clientCertificateData);
  const key = nonEmpty(status.clientKeyData);
  if (!cert !== !key) throw new KdbgError('auth', `${what} returned only one of clientCertificateData and clientKeyData`);
  if (!token && !cert) throw new KdbgError('auth', `${what} returned neither a token nor a client certificate`);
  let expiresAt: number | undefined;
  if (status.expirationTimestamp !== undefined && status.expirationTimestamp !== null) {
    expiresAt = Date.parse(String(status.expirationTimestamp));
    if (Number.isNaN(expiresAt)) throw new KdbgError('auth', `${what} returned an invalid expirationTimestamp`);
  }
  return { token, cert, key, expiresAt };
}

/** spec.cluster of KUBERNETES_EXEC_INFO, for plugins with provideClusterInfo: true. */
function clusterInfo(c: ClusterSettings): Obj {
  const info: Obj = { server: c.server };
  if (c.tlsServerName) info['tls-server-name'] = c.tlsServerName;
  if (c.insecureSkipTLSVerify) info['insecure-skip-tls-verify'] = true;
  if (c.ca) info['certificate-authority-data'] = c.ca.toString('base64');
  if (c.execExtension !== undefined) info.config = c.execExtension;
  return info;
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
