// What the kubelet hands the runtime for one container: argv (command/args over the image's ENTRYPOINT/CMD, with
// $(VAR) expansion), environment (service links, downward API, spec env), uid/gid and the runAsNonRoot check.
import { existsSync } from 'node:fs';
import type { FakeHooks } from '../hooks.ts';
import { imageConfig, imageIn, parseImage } from './images.ts';
import type { JsonObject } from '../api/status.ts';

export interface ContainerConfig {
  argv: string[];
  env: Record<string, string>;
  uid: number;
  gid: number;
  cwd: string;
}

export class CreateConfigError extends Error {}

const defaultPath = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function containerConfig(pod: JsonObject, c: JsonObject, hooks: FakeHooks, nodeName: string): ContainerConfig {
  const ref = parseImage(c.image);
  const image = imageConfig(ref, imageIn(ref, hooks.nonRootImages));
  const podSc: JsonObject = pod.spec.securityContext ?? {};
  const sc: JsonObject = c.securityContext ?? {};
  const runAsUser: number | undefined = sc.runAsUser ?? podSc.runAsUser;
  const runAsGroup: number | undefined = sc.runAsGroup ?? podSc.runAsGroup;
  const runAsNonRoot: boolean | undefined = sc.runAsNonRoot ?? podSc.runAsNonRoot;
  const podRef = `"${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})"`;
  if (runAsNonRoot) {
    if (runAsUser === 0) throw new CreateConfigError(`container's runAsUser breaks non-root policy (pod: ${podRef}, container: ${c.name})`);
    if (runAsUser === undefined && image.uid === 0) {
      throw new CreateConfigError(`container has runAsNonRoot and image will run as root (pod: ${podRef}, container: ${c.name})`);
    }
  }
  const uid = runAsUser ?? image.uid;
  const gid = runAsGroup ?? (runAsUser !== undefined ? 0 : image.gid);

  const env: Record<string, string> = {
    PATH: defaultPath,
    HOSTNAME: pod.metadata.name,
    HOME: uid === 0 ? '/root' : '/',
    ...(c.tty ? { TERM: 'xterm' } : {}),
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    KUBERNETES_SERVICE_PORT_HTTPS: '443',
    KUBERNETES_PORT: 'tcp://10.96.0.1:443',
    KUBERNETES_PORT_443_TCP: 'tcp://10.96.0.1:443',
    KUBERNETES_PORT_443_TCP_PROTO: 'tcp',
    KUBERNETES_PORT_443_TCP_PORT: '443',
    KUBERNETES_PORT_443_TCP_ADDR: '10.96.0.1',
  };
  for (const from of c.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (ref && !ref.optional) throw new CreateConfigError(`${from.configMapRef ? 'configmap' : 'secret'} "${ref.name}" not found`);
  }
  for (const e of c.env ?? []) {
    const value = e.valueFrom ? envFrom(pod, e.valueFrom, nodeName) : expand(e.value ?? '', env);
    if (value !== undefined) env[e.name] = value;
  }

  const command: string[] | undefined = c.command?.length ? c.command : undefined;
  const args: string[] | undefined = c.args?.length ? c.args : undefined;
  const argv = command ? [...command, ...(args ?? [])] : [...image.entrypoint, ...(args ?? image.cmd)];
  const cwd = c.workingDir && existsSync(c.workingDir) ? c.workingDir : '/';
  return { argv: argv.map((a) => expand(a, env)), env, uid, gid, cwd };
}

function envFrom(pod: JsonObject, from: JsonObject, nodeName: string): string | undefined {
  if (from.fieldRef) {
    const path: string = from.fieldRef.fieldPath;
    const label = path.match(/^metadata\.(labels|annotations)\['(.+)'\]$/);
    if (label) return pod.metadata[label[1]!]?.[label[2]!] ?? '';
    const fields: Record<string, string | undefined> = {
      'metadata.name': pod.metadata.name,
      'metadata.namespace': pod.metadata.namespace,
      'metadata.uid': pod.metadata.uid,
      'spec.nodeName': nodeName,
      'spec.serviceAccountName': pod.spec.serviceAccountName,
      'status.hostIP': '127.0.0.1',
      'status.hostIPs': '127.0.0.1',
      'status.podIP': pod.status?.podIP,
      'status.podIPs': pod.status?.podIP,
    };
    return fields[path] ?? '';
  }
  if (from.resourceFieldRef) return from.resourceFieldRef.resource?.startsWith('limits.memory') ? '4294967296' : '2';
  const ref = from.configMapKeyRef ?? from.secretKeyRef;
  if (ref?.optional) return undefined;
  throw new CreateConfigError(`${from.configMapKeyRef ? 'configmap' : 'secret'} "${ref?.name}" not found`);
}

/** $(VAR) expansion of the kubelet (k8s.io/kubernetes/third_party/forked/golang/expansion): $$ escapes. */
export function expand(text: string, env: Record<string, string>): string {
  return text.replace(/\$\$|\$\(([^)]+)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return Object.prototype.hasOwnProperty.call(env, name!) ? env[name!]! : m;
  });
}
