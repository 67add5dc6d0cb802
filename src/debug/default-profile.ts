// The profile used without -p (and without the config's defaultProfile): busybox where the namespace admits it,
// restricted where the namespace enforces restricted by its PodSecurity labels. Where the labels say nothing (or
// cannot be read), busybox is tried and the dry run decides: acquire.ts moves to restricted when PodSecurity
// refuses it.
import type { KubeClient } from '../kube/types.ts';
import type { Profile } from '../profiles/profile.ts';
import { enforcedLevel, type PodSecurityLevel } from './pod-security.ts';

export interface DefaultChoice {
  profile: Profile;
  /** why, for stderr: `profile restricted: namespace prod enforces restricted` */
  why: string | undefined;
  /** the profile to move to if PodSecurity refuses `profile` after all */
  fallback: Profile | undefined;
}

export async function chooseDefault(client: KubeClient, namespace: string, preferred: Profile, restricted: Profile): Promise<DefaultChoice> {
  return defaultFor(await enforcedLevel(client, namespace), namespace, preferred, restricted);
}

export function defaultFor(level: PodSecurityLevel | undefined, namespace: string, preferred: Profile, restricted: Profile): DefaultChoice {
  if (level === 'restricted') return { profile: restricted, why: `profile ${restricted.name}: namespace ${namespace} enforces restricted`, fallback: undefined };
  return { profile: preferred, why: undefined, fallback: restricted };
}
