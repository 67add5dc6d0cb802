// RBAC-style authorization: allow rules per user (system:masters bypasses them), plus test-injected denials.
import type { FakeUser, UserInfo } from './auth.ts';
import { forbidden, type ApiFailure } from './status.ts';
import { workloadResources } from './workloads.ts';

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

interface Rule {
  verbs: string[];
  /** `pods`, `pods/exec`, … in the core group unless `group` is set */
  resources: string[];
  group?: string;
}

const read = ['get', 'list', 'watch'];
// system:basic-user, bound to system:authenticated in every cluster
const basicUser: Rule[] = [
  { verbs: ['create'], group: 'authorization.k8s.io', resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] },
  { verbs: ['create'], group: 'authentication.k8s.io', resources: ['selfsubjectreviews'] },
];
const readWorkloads: Rule[] = workloadResources.map((r) => ({ verbs: read, group: r.group, resources: [r.resource] }));
const debuggerRules: Rule[] = [
  { verbs: read, resources: ['pods', 'events', 'namespaces'] },
  ...readWorkloads,
  { verbs: ['patch'], resources: ['pods/ephemeralcontainers'] },
  { verbs: ['get', 'create'], resources: ['pods/exec', 'pods/attach'] },
  { verbs: ['get'], resources: ['pods/log'] },
];
const rules: Record<Exclude<FakeUser, 'admin'>, Rule[]> = {
  debugger: debuggerRules,
  viewer: [{ verbs: read, resources: ['pods', 'events'] }, ...readWorkloads],
  noexec: debuggerRules.map((r) => ({ ...r, resources: r.resources.filter((res) => res !== 'pods/exec') })),
};

export class Authorizer {
  private readonly denied = new Set<string>();

  /** Denies `verb` on `resource` (e.g. `pods/exec`) to `user` (in `namespace` only, if named), whatever its rules say. */
  deny(user: FakeUser, verb: string, resource: string, namespace?: string): void {
    this.denied.add(`${user} ${verb} ${resource}${namespace === undefined ? '' : ` ${namespace}`}`);
  }

  allowed(user: UserInfo, a: ResourceAttributes): boolean {
    const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const denial = `${user.username} ${a.verb} ${resource}`;
    if (this.denied.has(denial) || (a.namespace && this.denied.has(`${denial} ${a.namespace}`))) return false;
    if (user.groups.includes('system:masters')) return true;
    const own = rules[user.username as Exclude<FakeUser, 'admin'>] ?? [];
    return [...basicUser, ...own].some(
      (r) => (r.group ?? '') === a.group && r.verbs.includes(a.verb) && r.resources.includes(resource),
    );
  }

  /** The authorization filter's 403 (endpoints/handlers/responsewriters.forbiddenMessage). */
  check(user: UserInfo, a: ResourceAttributes): void {
    if (!this.allowed(user, a)) throw forbiddenFor(user, a);
  }
}

function forbiddenFor(user: UserInfo, a: ResourceAttributes): ApiFailure {
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  const reason = `User "${user.username}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${where}`;
  return forbidden(a.resource, a.name ?? '', reason, a.group);
}
