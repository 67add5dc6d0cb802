// Turns the selected user into request headers and TLS client material, renewing what can expire.
import { readFileSync } from 'node:fs';
import { KdbgError } from '../../errors.ts';
import { authProviderAuthorization } from './auth-provider.ts';
import { ExecPlugin } from './exec-plugin.ts';
import type { KubeTarget, UserSettings } from './kubeconfig.ts';

export interface AuthMaterial {
  /** Impersonate-Group is an array: one header line per group */
  headers: Record<string, string | string[]>;
  cert?: string | Buffer;
  key?: string | Buffer;
  /** present when the credential can be renewed: call it after a 401, then ask for credentials again */
  renew?: () => void;
}

export type Credentials = () => Promise<AuthMaterial>;

export interface CredentialOptions {
  env: NodeJS.ProcessEnv;
  stderr: NodeJS.WritableStream;
  stdinIsTTY: boolean;
}

interface Authorization {
  header?: string;
  cert?: string;
  key?: string;
  renew?: () => void;
}

/** tokenFile (and service-account token) re-reads happen at most this often, as in client-go: the files rotate. */
const TOKEN_FILE_TTL_MS = 60_000;

export function credentialsFor(target: KubeTarget, opts: CredentialOptions): Credentials {
  const { user, cluster } = target;
  const impersonation = impersonationHeaders(user.impersonate);
  // Like kubectl, send no credentials to a plain http:// server (client-go reads auth info only for TLS transports);
  // impersonation headers still go.
  if (!cluster.server.startsWith('https:')) return async () => ({ headers: impersonation });
  const authorize = authorizer(target, opts);
  return async () => {
    const auth: Authorization = authorize ? await authorize() : {};
    return {
      headers: auth.header ? { ...impersonation, Authorization: auth.header } : impersonation,
      cert: auth.cert ?? user.clientCert,
      key: auth.key ?? user.clientKey,
      renew: auth.renew,
    };
  };
}

function authorizer(target: KubeTarget, opts: CredentialOptions): (() => Promise<Authorization>) | undefined {
  const { user } = target;
  if (user.exec) {
    const plugin = new ExecPlugin(user.exec, { userName: target.userName, cluster: target.cluster, ...opts });
    return async () => {
      const cred = await plugin.get();
      return {
        header: cred.token && `Bearer ${cred.token}`,
        cert: cred.cert,
        key: cred.key,
        renew: () => plugin.invalidate(cred),
      };
    };
  }
  if (user.authProvider) {
    const provide = authProviderAuthorization(user.authProvider, target.userName);
    return async () => ({ header: await provide() });
  }
  if (user.token) {
    const header = `Bearer ${user.token}`;
    return async () => ({ header });
  }
  if (user.tokenFile) {
    const read = cachedFile(user.tokenFile);
    return async () => ({ header: `Bearer ${read()}` });
  }
  if (user.username) {
    const header = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
    return async () => ({ header });
  }
  return undefined;
}

function impersonationHeaders(imp: UserSettings['impersonate']): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  if (imp.user) headers['Impersonate-User'] = imp.user;
  if (imp.groups.length) headers['Impersonate-Group'] = imp.groups;
  if (imp.uid) headers['Impersonate-Uid'] = imp.uid;
  return headers;
}

/** The file's trimmed content, re-read when the copy is older than a minute; a failed re-read keeps the old copy. */
function cachedFile(file: string): () => string {
  let content: string | undefined;
  let readAt = 0;
  return () => {
    if (content === undefined || Date.now() - readAt >= TOKEN_FILE_TTL_MS) {
      try {
        content = readFileSync(file, 'utf8').trim();
        readAt = Date.now();
      } catch (err) {
        if (content === undefined) {
          throw new KdbgError('config', `cannot read token file ${file}: ${(err as NodeJS.ErrnoException).code}`);
        }
      }
    }
    return content;
  };
}
