// API discovery, both the legacy documents (/api, /apis, /api/v1, …) and the aggregated APIGroupDiscoveryList that
// kubectl asks for first. Only what the fake serves is advertised.
import type { JsonObject } from './status.ts';
import { workloadResources } from './workloads.ts';

interface Sub {
  name: string;
  kind: string;
  verbs: string[];
}

interface Res {
  name: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: Sub[];
}

/** What this server serves of what may be missing on an older one. */
export interface Served {
  /** authentication.k8s.io/v1 SelfSubjectReview (1.28 and later) */
  selfSubjectReview: boolean;
  /** pods/ephemeralcontainers (on by default from 1.23, GA in 1.25) */
  ephemeralContainers: boolean;
}

interface GroupVersion {
  group: string;
  version: string;
  resources: Res[];
}

const workloads = (group: string): Res[] =>
  workloadResources
    .filter((r) => r.group === group)
    .map((r) => ({ name: r.resource, singular: r.singular, kind: r.kind, namespaced: true, verbs: ['get', 'list', 'watch'], shortNames: r.shortNames, categories: ['all'] }));

function groupVersions(served: Served): GroupVersion[] {
  return [
    {
      group: '',
      version: 'v1',
      resources: [
        { name: 'events', singular: 'event', kind: 'Event', namespaced: true, verbs: ['get', 'list', 'watch'], shortNames: ['ev'] },
        { name: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, verbs: ['get', 'list', 'watch'], shortNames: ['ns'] },
        {
          name: 'pods',
          singular: 'pod',
          kind: 'Pod',
          namespaced: true,
          verbs: ['create', 'delete', 'get', 'list', 'watch'],
          shortNames: ['po'],
          categories: ['all'],
          subresources: [
            { name: 'attach', kind: 'PodAttachOptions', verbs: ['create', 'get'] },
            ...(served.ephemeralContainers ? [{ name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] }] : []),
            { name: 'exec', kind: 'PodExecOptions', verbs: ['create', 'get'] },
            { name: 'log', kind: 'Pod', verbs: ['get'] },
          ],
        },
      ],
    },
    { group: 'apps', version: 'v1', resources: workloads('apps') },
    {
      group: 'authentication.k8s.io',
      version: 'v1',
      resources: served.selfSubjectReview
        ? [{ name: 'selfsubjectreviews', singular: 'selfsubjectreview', kind: 'SelfSubjectReview', namespaced: false, verbs: ['create'] }]
        : [],
    },
    {
      group: 'authorization.k8s.io',
      version: 'v1',
      resources: [
        { name: 'selfsubjectaccessreviews', singular: 'selfsubjectaccessreview', kind: 'SelfSubjectAccessReview', namespaced: false, verbs: ['create'] },
      ],
    },
    { group: 'batch', version: 'v1', resources: workloads('batch') },
  ];
}

const gvString = (gv: GroupVersion): string => (gv.group ? `${gv.group}/${gv.version}` : gv.version);

export function legacyCoreVersions(serverAddress: string): JsonObject {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function apiGroup(gv: GroupVersion): JsonObject {
  const version = { groupVersion: gvString(gv), version: gv.version };
  return { name: gv.group, versions: [version], preferredVersion: version };
}

export function legacyGroupList(served: Served): JsonObject {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groupVersions(served).filter((g) => g.group).map(apiGroup) };
}

export function legacyGroup(served: Served, group: string): JsonObject | undefined {
  const gv = groupVersions(served).find((g) => g.group === group && group);
  return gv && { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(gv) };
}

export function resourceList(served: Served, group: string, version: string): JsonObject | undefined {
  const gv = groupVersions(served).find((g) => g.group === group && g.version === version);
  if (!gv) return undefined;
  const resources: JsonObject[] = [];
  for (const r of gv.resources) {
    const entry: JsonObject = { name: r.name, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames) entry.shortNames = r.shortNames;
    if (r.categories) entry.categories = r.categories;
    resources.push(entry);
    for (const s of r.subresources ?? []) {
      resources.push({ name: `${r.name}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gvString(gv), resources };
}

/** The aggregated-discovery version the Accept header asks for (v2 or v2beta1), if any. */
export function aggregatedVersion(accept: string): 'v2' | 'v2beta1' | undefined {
  for (const part of accept.split(',')) {
    const params = part.split(';').map((p) => p.trim());
    if (!params.includes('g=apidiscovery.k8s.io') || !params.includes('as=APIGroupDiscoveryList')) continue;
    if (params.includes('v=v2')) return 'v2';
    if (params.includes('v=v2beta1')) return 'v2beta1';
  }
  return undefined;
}

/** APIGroupDiscoveryList for /api (legacy: true) or /apis. */
export function aggregated(served: Served, legacy: boolean, version: 'v2' | 'v2beta1'): JsonObject {
  const items = groupVersions(served)
    .filter((gv) => (gv.group === '') === legacy)
    .map((gv) => ({
      metadata: gv.group ? { name: gv.group, creationTimestamp: null } : { creationTimestamp: null },
      versions: [
        {
          version: gv.version,
          resources: gv.resources.map((r) => {
            const out: JsonObject = {
              resource: r.name,
              responseKind: { group: gv.group, version: gv.version, kind: r.kind },
              scope: r.namespaced ? 'Namespaced' : 'Cluster',
              singularResource: r.singular,
              verbs: r.verbs,
            };
            if (r.shortNames) out.shortNames = r.shortNames;
            if (r.categories) out.categories = r.categories;
            if (r.subresources) {
              out.subresources = r.subresources.map((s) => ({
                subresource: s.name,
                responseKind: { group: gv.group, version: gv.version, kind: s.kind },
                verbs: s.verbs,
              }));
            }
            return out;
          }),
          freshness: 'Current',
        },
      ],
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

/** GET /version of a server of that release (v1.36.3 unless a test asks for an older one). */
export function versionInfo(gitVersion = 'v1.36.3'): JsonObject {
  const [major = '1', minor = '36'] = gitVersion.replace(/^v/, '').split('.');
  return {
    major,
    minor,
    emulationMajor: major,
    emulationMinor: minor,
    minCompatibilityMajor: major,
    minCompatibilityMinor: String(Number(minor) - 1),
    gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-09-10T00:00:00Z',
    goVersion: 'go1.26.1',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
