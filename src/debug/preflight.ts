// Who kdbg acts as, and whether that user may do what a new debug container needs, asked before it is created.
import type { KubeClient } from '../kube/types.ts';
import { ApiError } from '../kube/api-error.ts';
import { KdbgError } from '../errors.ts';

export interface Identity {
  /** from a SelfSubjectReview; the kubeconfig user name where the server has none (before 1.28) */
  user: string;
}

export async function whoAmI(client: KubeClient): Promise<Identity> {
  try {
    const review = await client.request<{ status?: { userInfo?: { username?: string } } }>({
      method: 'POST',
      path: '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    });
    const user = review.status?.userInfo?.username;
    if (user) return { user };
  } catch (err) {
    if (!(err instanceof ApiError && err.statusCode === 404)) throw err;
  }
  return { user: client.context.userName || 'unknown' };
}

export interface Permission {
  verb: string;
  resource: string;
  subresource?: string;
}

const PATCH_EPHEMERAL: Permission = { verb: 'patch', resource: 'pods', subresource: 'ephemeralcontainers' };
/** Waiting for a new container to start watches the pod. */
const WATCH_PODS: Permission = { verb: 'watch', resource: 'pods' };
/** A WebSocket exec is a GET; since 1.35 the apiserver also checks create. */
export const EXEC: Permission[] = [
  { verb: 'get', resource: 'pods', subresource: 'exec' },
  { verb: 'create', resource: 'pods', subresource: 'exec' },
];
/** What adding a debug container and running a session in it takes. */
export const TO_CREATE: Permission[] = [PATCH_EPHEMERAL, WATCH_PODS, ...EXEC];

export function describePermission(p: Permission): string {
  return `${p.verb} ${p.resource}${p.subresource ? `/${p.subresource}` : ''}`;
}

/** Asks SelfSubjectAccessReviews in parallel, for one pod or (undefined) any; resolves with the permissions that are denied. */
export async function missingPermissions(client: KubeClient, namespace: string, pod: string | undefined, wanted: Permission[]): Promise<Permission[]> {
  const answers = await Promise.all(
    wanted.map((p) =>
      client.request<{ status?: { allowed?: boolean } }>({
        method: 'POST',
        path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
        body: {
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { namespace, verb: p.verb, resource: p.resource, subresource: p.subresource, name: pod } },
        },
      }),
    ),
  );
  return wanted.filter((_, i) => answers[i]?.status?.allowed !== true);
}

/** Throws a `forbidden` error naming every denied permission (as `missing` answers them); `purpose` ends the sentence. */
export async function assertPermitted(missing: Promise<Permission[]>, namespace: string, identity: Identity, purpose: string): Promise<void> {
  const denied = await missing;
  if (denied.length === 0) return;
  throw new KdbgError('forbidden', `${identity.user} may not ${denied.map(describePermission).join(', ')} in namespace ${namespace}; ${purpose}`);
}
