// A shell on a node: a pod pinned to it with the host's PID, network and IPC namespaces, privileged, the host's
// root mounted at /host; sessions chroot there unless told not to. Pure: the caller creates the pod.
import type { V1Pod } from '@kubernetes/client-node';
import { idleCommand } from './programs.ts';
import { OWN_POD, ownPodNameBase } from './pod-copy.ts';
import { ENV, nameSuffix } from './spec.ts';

export const NODE_SHELL_CONTAINER = 'shell';
export const HOST_ROOT = '/host';

export interface NodePodRequest {
  node: string;
  image: string;
  user: string;
  reason?: string | undefined;
  ttlSeconds: number;
  random: Buffer;
}

export function nodePod(req: NodePodRequest): V1Pod {
  const name = `${ownPodNameBase(`kdbg-node-${req.node}`)}-${nameSuffix(req.random)}`;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels: { [OWN_POD.managedBy]: 'kdbg', [OWN_POD.kind]: 'node' },
      annotations: { [OWN_POD.user]: req.user, [OWN_POD.session]: NODE_SHELL_CONTAINER, ...(req.reason ? { [OWN_POD.reason]: req.reason } : {}) },
    },
    spec: {
      nodeName: req.node,
      hostPID: true,
      hostNetwork: true,
      hostIPC: true,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      // whatever taints the node has: it is the node you asked for
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: NODE_SHELL_CONTAINER,
          image: req.image,
          command: idleCommand(),
          env: [
            { name: ENV.name, value: name },
            { name: ENV.user, value: req.user },
            { name: ENV.ttl, value: String(req.ttlSeconds) },
            ...(req.reason ? [{ name: ENV.reason, value: req.reason }] : []),
          ],
          stdin: true,
          tty: true,
          securityContext: { privileged: true },
          volumeMounts: [{ name: 'host-root', mountPath: HOST_ROOT }],
        },
      ],
      volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
    },
  };
}

/** A session's command: in the host's root (its own tools, its shell), or in the pod's image with --no-chroot. */
export function nodeSessionCommand(command: string[], chroot: boolean, shell: string[]): string[] {
  if (!chroot) return command.length ? command : shell;
  if (command.length) return ['chroot', HOST_ROOT, ...command];
  return ['chroot', HOST_ROOT, 'sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash -l; fi; exec sh -l'];
}
