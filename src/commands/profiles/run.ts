// kdbg profiles / kdbg profiles show: the catalog, and the exact container attach would send.
import { stringify } from 'yaml';
import type { V1Pod } from '@kubernetes/client-node';
import type { IO } from '../../io.ts';
import type { ProfilesFlags, ShowFlags } from './command.ts';
import { loadProfiles } from '../../profiles/catalog.ts';
import { profileJson, profileTable } from '../../profiles/list.ts';
import { debugContainer } from '../../debug/spec.ts';
import { podSecurityLevel } from '../../debug/pod-security-level.ts';
import { checkImageReference } from '../../debug/image-ref.ts';
import { parseDuration } from '../../duration.ts';
import { UsageError } from '../../errors.ts';
import { withClient } from '../cluster.ts';

export async function listProfiles(flags: ProfilesFlags, io: IO): Promise<number> {
  const catalog = await loadProfiles({ configPath: flags.config, env: io.env });
  const output = flags.output ?? 'table';
  if (output === 'table' || output === 'wide') {
    const width = output === 'table' && io.stdout.isTTY ? io.stdout.columns : undefined;
    io.stdout.write(profileTable(catalog, { width, wide: output === 'wide', paint: io.paint.out }));
  } else {
    io.stdout.write(output === 'json' ? profileJson(catalog) : stringify(JSON.parse(profileJson(catalog))));
  }
  return 0;
}

export async function showProfile(name: string, podName: string | undefined, flags: ShowFlags, shared: ProfilesFlags, io: IO): Promise<number> {
  if (shared.output === 'table' || shared.output === 'wide') throw new UsageError('kdbg profiles show prints yaml or json, not a table');
  const ttlSeconds = Math.round(parseDuration('--ttl', flags.ttl) / 1000);
  if (flags.image !== undefined) checkImageReference('--image', flags.image);
  const catalog = await loadProfiles({ configPath: shared.config, env: io.env });
  const profile = catalog.get(name);
  let pod: V1Pod = { spec: { containers: [] } };
  let target = flags.target ?? '<target>';
  let user = '<you>';
  if (podName) {
    const { namedPod } = await import('../../debug/target.ts');
    const { resolveContainer } = await import('../../debug/target-container.ts');
    const { whoAmI } = await import('../../debug/preflight.ts');
    await withClient(flags, io, async (client) => {
      const [p, identity] = await Promise.all([namedPod({ client, namespace: client.context.namespace }, podName), whoAmI(client)]);
      pod = p;
      target = (await resolveContainer(p, flags.target, () => undefined)).name;
      user = identity.user;
    });
  }
  const container = debugContainer({ profile, pod, target, user, ttlSeconds, reason: flags.reason, image: flags.image }, `kdbg-${profile.name}-xxxxx`);
  // with a pod, its own securityContext counts too (runAsNonRoot and seccompProfile are inherited)
  io.note(`PodSecurity level this container needs${podName ? ` in pod ${podName}` : ''}: ${podSecurityLevel(container.securityContext, pod.spec ?? {})}`);
  io.stdout.write(shared.output === 'json' ? `${JSON.stringify(container, null, 2)}\n` : stringify(container, { lineWidth: 0 }));
  return 0;
}
