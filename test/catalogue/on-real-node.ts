// The catalogue's cases that meet the cluster and need nothing only the fake has: npm run e2e runs them against the
// real control plane and node too (e2e/catalogue.e2e.test.ts), and docs/errors.md says so.
import type { Case } from './case.ts';
import { admission, containers, forbidden, notDebuggable, notFound } from './cases/cluster.ts';

/** Cases of those groups that cannot run there, and why. */
const FAKE_ONLY: Record<string, string> = {
  'static-pod': "a mirror pod is the kubelet's own; one made through the API is deleted by the kubelet as an orphan",
  'podsecurity-node': "names the fake's node",
  'cp-shared-pid-target-unfound': "the fake's processes have no container cgroups; a real node's are found (test/scenarios/cp.test.ts)",
  'cp-file-unreadable': "the fake's debug containers see this machine's files, /etc/shadow among them",
  'ls-namespace-empty': "the fake's debugger may list pods in every namespace; the real one's RoleBindings are per namespace",
};

/** Fault hooks, a fake of its own and signals at moments only the fake sees keep a case to the fake. */
export const REAL_NODE_CASES = [notFound, notDebuggable, forbidden, admission, containers]
  .flatMap((g) => g.cases)
  .filter((c): c is Case & { args: string[] } => Array.isArray(c.args) && !c.setup && !c.ownCluster && !c.signal && !(c.id in FAKE_ONLY));

export function runsOnRealNode(c: Case): boolean {
  return REAL_NODE_CASES.includes(c as Case & { args: string[] });
}
