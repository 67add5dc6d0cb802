// kdbg profiles / kdbg profiles show: the catalog, and the exact container attach would send.
import { stringify } from 'yaml';
import type { V1EphemeralContainer, V1Pod } from '@kubernetes/client-node';
import type { Profile } from '../../profiles/profile.ts';
import type { PodSecurityLevel } from '../../debug/pod-security.ts';
import { enforcedLevel, levelRefusal } from '../../debug/pod-security.ts';
import { defaultFor } from '../../debug/default-profile.ts';
import type { IO } from '../../io.ts';
import type { ProfilesFlags, ShowFlags } from './command.ts';
import { loadProfiles, type Catalog } from '../../profiles/catalog.ts';
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
  let namespace: { name: string; level: PodSecurityLevel | undefined } | undefined;
  if (podName) {
    const { namedPod } = await import('../../debug/target.ts');
    const { resolveContainer } = await import('../../debug/target-container.ts');
    const { whoAmI } = await import('../../debug/preflight.ts');
    await withClient(flags, io, async (client) => {
      const name = client.context.namespace;
      const [p, identity, level] = await Promise.all([namedPod({ client, namespace: name }, podName), whoAmI(client), enforcedLevel(client, name)]);
      pod = p;
      target = (await resolveContainer(p, flags.target, () => undefined)).name;
      user = identity.user;
      namespace = { name, level };
    });
  }
  const container = debugContainer({ profile, pod, target, user, ttlSeconds, reason: flags.reason, image: flags.image, harden: flags.harden }, `kdbg-${profile.name}-xxxxx`);
  // with a pod, its own securityContext counts too (runAsNonRoot and seccompProfile are inherited)
  io.note(`PodSecurity level this container needs${podName ? ` in pod ${podName}` : ''}: ${podSecurityLevel(container.securityContext, pod.spec ?? {})}`);
  if (namespace) for (const line of explainChoice(catalog, profile, pod, container, namespace, flags.harden === true)) io.note(line);
  io.stdout.write(shared.output === 'json' ? `${JSON.stringify(container, null, 2)}\n` : stringify(container, { lineWidth: 0 }));
  return 0;
}

/** How the namespace's level judges this container, and which profile attach uses there without -p. */
function explainChoice(catalog: Catalog, profile: Profile, pod: V1Pod, container: V1EphemeralContainer, ns: { name: string; level: PodSecurityLevel | undefined }, harden: boolean): string[] {
  const refused = ns.level && levelRefusal(ns.level, ns.name, pod, container, profile);
  const judged =
    ns.level === undefined
      ? `namespace ${ns.name} has no PodSecurity enforce label kdbg can read: the API server's dry run judges the container`
      : refused
        ? `attach would refuse it: ${refused.message.replace(' (nothing was created)', '')}`
        : `namespace ${ns.name} enforces PodSecurity ${ns.level}, which admits this container`;
  if (harden) return [judged];
  if (catalog.defaultSetIn !== undefined) return [judged, `without -p, attach uses ${catalog.defaultProfile} (defaultProfile in ${catalog.defaultSetIn})`];
  const choice = defaultFor(ns.level, ns.name, catalog.get(catalog.defaultProfile), catalog.get('restricted'));
  const why = choice.why
    ? `namespace ${ns.name} enforces restricted`
    : ns.level === undefined
      ? 'restricted instead if the dry run finds that PodSecurity refuses it'
      : `namespace ${ns.name} enforces ${ns.level}, which admits it`;
  return [judged, `without -p, attach uses ${choice.profile.name} here: ${why}`];
}
