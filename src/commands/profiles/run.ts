// kdbg profiles / kdbg profiles show: the catalog, and the exact container attach would send.
import { stringify } from 'yaml';
import type { V1Pod } from '@kubernetes/client-node';
import type { Runtime } from '../../runtime.ts';
import type { ProfilesFlags, ShowFlags } from './command.ts';
import { loadProfiles } from '../../profiles/catalog.ts';
import { profileJson, profileTable } from '../../profiles/list.ts';
import { debugContainer } from '../../kube/debug-container.ts';
import { parseDuration } from '../../duration.ts';
import { UsageError } from '../../errors.ts';

export async function listProfiles(flags: ProfilesFlags, rt: Runtime): Promise<number> {
  const catalog = await loadProfiles({ configPath: flags.config, env: rt.env });
  const output = flags.output ?? 'table';
  rt.stdout.write(output === 'table' ? profileTable(catalog) : output === 'json' ? profileJson(catalog) : stringify(JSON.parse(profileJson(catalog))));
  return 0;
}

export async function showProfile(name: string, podName: string | undefined, flags: ShowFlags, shared: ProfilesFlags, rt: Runtime): Promise<number> {
  if (shared.output === 'table') throw new UsageError('kdbg profiles show prints yaml or json, not a table');
  const catalog = await loadProfiles({ configPath: shared.config, env: rt.env });
  const profile = catalog.get(name);
  const ttlSeconds = Math.round(parseDuration('--ttl', flags.ttl) / 1000);
  let pod: V1Pod = { spec: { containers: [] } };
  let target = flags.target ?? '<target>';
  let user = '<you>';
  if (podName) {
    const { loadKubeClient } = await import('../../kube/client.ts');
    const { getPod } = await import('../../kube/wait.ts');
    const { resolveContainer } = await import('../../kube/resolve-pod.ts');
    const { whoAmI } = await import('../../kube/access.ts');
    const client = await loadKubeClient({ ...flags, env: rt.env, stderr: rt.stderr, stdinIsTTY: false });
    try {
      const [p, identity] = await Promise.all([getPod(client, client.context.namespace, podName), whoAmI(client)]);
      pod = p;
      target = (await resolveContainer(p, flags.target, () => undefined)).name;
      user = identity.user;
    } finally {
      client.close();
    }
  }
  const container = debugContainer({ profile, pod, target, user, ttlSeconds, reason: flags.reason, image: flags.image }, `kdbg-${profile.name}-xxxxx`);
  rt.stdout.write(shared.output === 'json' ? `${JSON.stringify(container, null, 2)}\n` : stringify(container, { lineWidth: 0 }));
  return 0;
}
