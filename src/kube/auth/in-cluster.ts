// The service-account identity of a pod (client-go rest.InClusterConfig), used when no kubeconfig names a context.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { KubeTarget, SelectOptions } from './kubeconfig.ts';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** undefined unless KUBERNETES_SERVICE_HOST/PORT are set and the token file exists. */
export function inClusterTarget(env: NodeJS.ProcessEnv, dir: string, opts: SelectOptions): KubeTarget | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const tokenFile = path.join(dir, 'token');
  if (!host || !port || !statSync(tokenFile, { throwIfNoEntry: false })?.isFile()) return undefined;
  const caFile = path.join(dir, 'ca.crt');
  const namespaceFile = path.join(dir, 'namespace');
  const namespace =
    opts.namespace ||
    env.POD_NAMESPACE ||
    (existsSync(namespaceFile) ? readFileSync(namespaceFile, 'utf8').trim() : '') ||
    'default';
  return {
    contextName: '',
    namespace,
    userName: '',
    cluster: {
      server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
      ca: existsSync(caFile) ? readFileSync(caFile) : undefined,
      insecureSkipTLSVerify: false,
    },
    user: {
      tokenFile,
      impersonate: { user: opts.as, groups: opts.asGroups ?? [] },
    },
  };
}
