// Reads kubeconfig files with kubectl's (client-go's) rules and resolves the context kdbg will use.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { CORE_SCHEMA, dump, load, YAMLException } from 'js-yaml';
import { KdbgError } from '../../errors.ts';

type Obj = Record<string, unknown>;

export interface ClusterSettings {
  /** https://host:port[/prefix] or http://…, no trailing slash */
  server: string;
  ca?: Buffer;
  insecureSkipTLSVerify: boolean;
  tlsServerName?: string;
  /** extensions[client.authentication.k8s.io/exec].extension, handed to exec plugins as cluster.config */
  execExtension?: unknown;
}

export interface ExecSettings {
  command: string;
  args: string[];
  env: Array<{ name: string; value: string }>;
  apiVersion: string;
  installHint?: string;
  provideClusterInfo: boolean;
  interactiveMode: 'Never' | 'IfAvailable' | 'Always';
}

export interface UserSettings {
  token?: string;
  tokenFile?: string;
  clientCert?: Buffer;
  clientKey?: Buffer;
  username?: string;
  password?: string;
  impersonate: { user?: string; groups: string[]; uid?: string };
  exec?: ExecSettings;
  /** a legacy auth-provider (oidc, gcp, azure), served by @kubernetes/client-node from this one-context kubeconfig */
  authProvider?: { name: string; kubeconfigYaml: string };
}

/** Everything needed to talk to the API server as the selected user. */
export interface KubeTarget {
  contextName: string;
  namespace: string;
  userName: string;
  cluster: ClusterSettings;
  user: UserSettings;
}

/** The merged content of all kubeconfig files: the first file to set a value wins. */
export interface MergedKubeconfig {
  /** the files looked at, in order, and whether each was there */
  sources: { file: string; found: boolean }[];
  currentContext: string;
  clusters: Map<string, Obj>;
  users: Map<string, Obj>;
  contexts: Map<string, Obj>;
}

export interface KubeconfigSources {
  kubeconfig?: string;
  env: NodeJS.ProcessEnv;
}

/** --kubeconfig (must exist), else every file in $KUBECONFIG (missing ones skipped), else ~/.kube/config. */
export function loadMergedKubeconfig({ kubeconfig, env }: KubeconfigSources): MergedKubeconfig {
  const merged: MergedKubeconfig = { sources: [], currentContext: '', clusters: new Map(), users: new Map(), contexts: new Map() };
  const files = kubeconfig
    ? [kubeconfig]
    : env.KUBECONFIG
      ? env.KUBECONFIG.split(path.delimiter).filter((f) => f !== '')
      : [path.join(env.HOME || homedir(), '.kube', 'config')];
  for (const file of files) {
    const text = readIfExists(file);
    merged.sources.push({ file, found: text !== undefined });
    if (text !== undefined) mergeFile(merged, file, text);
    else if (kubeconfig) throw new KdbgError('config', `kubeconfig file ${kubeconfig} does not exist`);
  }
  return merged;
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new KdbgError('config', `cannot read kubeconfig ${file}: ${(err as NodeJS.ErrnoException).code}`);
  }
}

function mergeFile(merged: MergedKubeconfig, file: string, text: string): void {
  const config = parseYaml(file, text);
  if (config === null || config === undefined) return;
  if (!isObj(config)) throw new KdbgError('config', `kubeconfig ${file} is not a mapping`);
  const base = path.dirname(path.resolve(file));
  if (!merged.currentContext && typeof config['current-context'] === 'string') {
    merged.currentContext = config['current-context'];
  }
  const sections = [
    ['clusters', 'cluster', merged.clusters],
    ['users', 'user', merged.users],
    ['contexts', 'context', merged.contexts],
  ] as const;
  for (const [listKey, itemKey, into] of sections) {
    // A name listed twice in one file is an error (as in kubectl); across files the first file wins.
    const entries = new Map<string, Obj>();
    for (const item of asArray(config[listKey])) {
      if (!isObj(item) || typeof item.name !== 'string') continue;
      if (entries.has(item.name)) throw new KdbgError('config', `kubeconfig ${file} lists ${itemKey} "${item.name}" twice`);
      const body = item[itemKey];
      // a body that is not a mapping would otherwise mean no credentials, and requests sent anonymously
      if (body !== undefined && body !== null && !isObj(body)) throw new KdbgError('config', `kubeconfig ${file}: ${itemKey} "${item.name}" is not a mapping`);
      entries.set(item.name, isObj(body) ? body : {});
    }
    for (const [name, body] of entries) {
      if (into.has(name)) continue;
      if (itemKey !== 'context') resolvePaths(itemKey, body, base);
      into.set(name, body);
    }
  }
}

/** Relative file references resolve against the directory of the file that holds them (client-go ResolveLocalPaths). */
function resolvePaths(kind: 'cluster' | 'user', body: Obj, base: string): void {
  const keys = kind === 'cluster' ? ['certificate-authority'] : ['client-certificate', 'client-key', 'tokenFile'];
  for (const key of keys) {
    const v = body[key];
    if (typeof v === 'string' && v !== '' && !path.isAbsolute(v)) body[key] = path.join(base, v);
  }
  const exec = body.exec;
  if (isObj(exec) && typeof exec.command === 'string' && exec.command.includes(path.sep) && !path.isAbsolute(exec.command)) {
    exec.command = path.join(base, exec.command);
  }
}

export interface SelectOptions {
  context?: string;
  namespace?: string;
  as?: string;
  asGroups?: string[];
}

/** The context named by --context, else current-context; undefined when neither names one. */
export function selectContext(merged: MergedKubeconfig, opts: SelectOptions): KubeTarget | undefined {
  const contextName = opts.context || merged.currentContext;
  if (!contextName) return undefined;
  const context = merged.contexts.get(contextName);
  if (!context) throw new KdbgError('config', `context "${contextName}" not found in kubeconfig`);
  const clusterName = str(context.cluster);
  if (!clusterName) throw new KdbgError('config', `context "${contextName}" names no cluster`);
  const cluster = merged.clusters.get(clusterName);
  if (!cluster) throw new KdbgError('config', `cluster "${clusterName}" (of context "${contextName}") not found in kubeconfig`);
  const userName = str(context.user) ?? '';
  const user = userName ? merged.users.get(userName) : {};
  if (!user) throw new KdbgError('config', `user "${userName}" (of context "${contextName}") not found in kubeconfig`);
  const settings = userSettings(userName, user, opts);
  if (isObj(user['auth-provider'])) {
    // The merged selection (paths already absolute), so client-node sees what kubectl's rules chose.
    const kubeconfigYaml = dump({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': contextName,
      contexts: [{ name: contextName, context }],
      clusters: [{ name: clusterName, cluster }],
      users: [{ name: userName, user }],
    });
    settings.authProvider = { name: str(user['auth-provider'].name) ?? '', kubeconfigYaml };
  }
  return {
    contextName,
    namespace: opts.namespace || str(context.namespace) || 'default',
    userName,
    cluster: clusterSettings(clusterName, cluster),
    user: settings,
  };
}

/**
 * YAML 1.2's core schema, as the yaml library reads kdbg's other files: plain scalars are strings, numbers,
 * booleans or null, nothing else (no timestamps, no merge keys). js-yaml here: it reads a kubeconfig several times
 * faster on a cold start, which every command and each Tab pays.
 */
function parseYaml(file: string, text: string): unknown {
  try {
    return load(text, { schema: CORE_SCHEMA });
  } catch (err) {
    if (!(err instanceof YAMLException)) throw err;
    // The parser's own messages quote the offending line, which may hold a token: report the position only.
    const at = err.mark ? ` (line ${err.mark.line + 1}, column ${err.mark.column + 1})` : '';
    throw new KdbgError('config', `kubeconfig ${file} is not valid YAML${at}`);
  }
}

function clusterSettings(name: string, c: Obj): ClusterSettings {
  const server = str(c.server)?.replace(/\/+$/, '');
  if (!server) throw new KdbgError('config', `cluster "${name}" has no server`);
  if (!/^https?:\/\/[^/]/.test(server)) throw new KdbgError('config', `cluster "${name}": server must be an http:// or https:// URL`);
  const execExtension = asArray(c.extensions).find(
    (e) => isObj(e) && e.name === 'client.authentication.k8s.io/exec',
  ) as Obj | undefined;
  return {
    server,
    ca: fileOrData(c, 'certificate-authority', `cluster "${name}"`),
    insecureSkipTLSVerify: c['insecure-skip-tls-verify'] === true,
    tlsServerName: str(c['tls-server-name']),
    execExtension: execExtension?.extension,
  };
}

function userSettings(name: string, u: Obj, opts: SelectOptions): UserSettings {
  const what = `user "${name}"`;
  const groups = asArray(u['as-groups']).map(String);
  return {
    token: str(u.token),
    tokenFile: str(u.tokenFile),
    clientCert: fileOrData(u, 'client-certificate', what),
    clientKey: fileOrData(u, 'client-key', what),
    username: str(u.username),
    password: str(u.password),
    impersonate: {
      user: opts.as || str(u.as),
      groups: opts.asGroups?.length ? opts.asGroups : groups,
      uid: str(u['as-uid']),
    },
    exec: isObj(u.exec) ? execSettings(what, u.exec) : undefined,
  };
}

function execSettings(what: string, e: Obj): ExecSettings {
  const command = str(e.command);
  const apiVersion = str(e.apiVersion);
  if (!command || !apiVersion) throw new KdbgError('config', `${what}: exec needs both command and apiVersion`);
  const mode = e.interactiveMode ?? 'IfAvailable';
  if (mode !== 'Never' && mode !== 'IfAvailable' && mode !== 'Always') {
    throw new KdbgError('config', `${what}: exec interactiveMode must be Never, IfAvailable or Always`);
  }
  return {
    command,
    apiVersion,
    args: asArray(e.args).map(String),
    env: asArray(e.env)
      .filter(isObj)
      .map((v) => ({ name: String(v.name), value: String(v.value ?? '') })),
    installHint: str(e.installHint),
    provideClusterInfo: e.provideClusterInfo === true,
    interactiveMode: mode,
  };
}

/** `<key>-data` (base64) wins over the file `<key>`, which is read now. Errors name the path, never the content. */
function fileOrData(o: Obj, key: string, what: string): Buffer | undefined {
  const data = str(o[`${key}-data`]);
  if (data) return Buffer.from(data, 'base64');
  const file = str(o[key]);
  if (!file) return undefined;
  try {
    return readFileSync(file);
  } catch (err) {
    throw new KdbgError('config', `${what}: cannot read ${key} ${file}: ${(err as NodeJS.ErrnoException).code}`);
  }
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v || undefined;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What was read, for "no current context": `in F1, F2 (F3 does not exist)` or `F1 does not exist`. */
export function describeSources(merged: MergedKubeconfig): string {
  const found = merged.sources.filter((s) => s.found).map((s) => s.file);
  const missing = merged.sources.filter((s) => !s.found).map((s) => s.file);
  const absent = missing.length ? `${missing.join(', ')} ${missing.length === 1 ? 'does' : 'do'} not exist` : '';
  if (found.length === 0) return `no kubeconfig was read: ${absent}`;
  return `none in ${found.join(', ')}${absent ? ` (${absent})` : ''}`;
}
