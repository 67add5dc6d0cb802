// The checks of k8s.io/pod-security-admission/policy (v0.36.2, the library kube-apiserver 1.36 runs) at their
// newest version, with their reasons and details word for word: check_*.go, helpers.go (joinQuote, pluralize) and
// visitor.go (init containers, then containers, then ephemeral containers). registry.go orders them by check ID,
// baseline IDs first (Go's byte order), and restricted replaces the baseline checks its own ones override
// (capabilities_baseline, hostPathVolumes, procMount, seccompProfile_baseline).
import type { JsonObject } from './status.ts';

export interface CheckResult {
  reason: string;
  detail: string;
}
type Check = (meta: JsonObject, spec: JsonObject) => CheckResult | undefined;

const quote = (items: string[]): string => (items.length ? `"${items.join('", "')}"` : '');
const plural = (one: string, many: string, n: number): string => (n === 1 ? one : many);
const sorted = (s: Set<string>): string[] => [...s].sort();
/** `container "a"` or `containers "a", "b"` */
const named = (names: string[]): string => `${plural('container', 'containers', names.length)} ${quote(names)}`;

function allContainers(spec: JsonObject): JsonObject[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}
const sc = (c: JsonObject): JsonObject | undefined => c.securityContext ?? undefined;
const windows = (spec: JsonObject): boolean => spec.os?.name === 'windows';
/** relaxPolicyForUserNamespacePod: hostUsers: false */
const userNamespace = (spec: JsonObject): boolean => spec.hostUsers === false;

/** "pod and containers "a", "b"": the setters joined with " and " */
function setters(pod: boolean, bad: string[]): string[] {
  const out = pod ? ['pod'] : [];
  if (bad.length) out.push(named(bad));
  return out;
}

const appArmorProfile: Check = (meta, spec) => {
  const allowed = (t: string | undefined): boolean => t === 'RuntimeDefault' || t === 'Localhost';
  const badValues = new Set<string>();
  const bad: string[] = [];
  const podProfile = spec.securityContext?.appArmorProfile;
  const podBad = Boolean(podProfile) && !allowed(podProfile.type);
  if (podBad) badValues.add(podProfile.type ?? '');
  for (const c of allContainers(spec)) {
    const p = sc(c)?.appArmorProfile;
    if (p && !allowed(p.type)) {
      bad.push(c.name);
      badValues.add(p.type ?? '');
    }
  }
  const list = sorted(badValues);
  const who = setters(podBad, bad);
  const annotations = Object.entries((meta.annotations ?? {}) as Record<string, string>)
    .filter(([k, v]) => k.startsWith('container.apparmor.security.beta.kubernetes.io/') && !(v === '' || v === 'runtime/default' || v.startsWith('localhost/')))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .sort();
  if (annotations.length) {
    list.push(...annotations);
    who.push(plural('annotation', 'annotations', annotations.length));
  }
  if (!who.length) return undefined;
  return {
    reason: plural('forbidden AppArmor profile', 'forbidden AppArmor profiles', list.length),
    detail: `${who.join(' and ')} must not set AppArmor profile type to ${quote(list)}`,
  };
};

const baselineCapabilities = new Set([
  'AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT',
]);

const capabilitiesBaseline: Check = (_meta, spec) => {
  const bad: string[] = [];
  const caps = new Set<string>();
  for (const c of allContainers(spec)) {
    const added: string[] = sc(c)?.capabilities?.add ?? [];
    const extra = added.filter((cap) => !baselineCapabilities.has(cap));
    extra.forEach((cap) => caps.add(cap));
    if (extra.length) bad.push(c.name);
  }
  if (!bad.length) return undefined;
  return { reason: 'non-default capabilities', detail: `${named(bad)} must not include ${quote(sorted(caps))} in securityContext.capabilities.add` };
};

const hostNamespaces: Check = (_meta, spec) => {
  const used = [spec.hostNetwork && 'hostNetwork=true', spec.hostPID && 'hostPID=true', spec.hostIPC && 'hostIPC=true'].filter(Boolean);
  return used.length ? { reason: 'host namespaces', detail: used.join(', ') } : undefined;
};

const hostPathVolumes: Check = (_meta, spec) => {
  const vols = (spec.volumes ?? []).filter((v: JsonObject) => v.hostPath).map((v: JsonObject) => v.name as string);
  return vols.length ? { reason: 'hostPath volumes', detail: `${plural('volume', 'volumes', vols.length)} ${quote(vols)}` } : undefined;
};

const hostPorts: Check = (_meta, spec) => {
  const bad: string[] = [];
  const ports = new Set<string>();
  for (const c of allContainers(spec)) {
    const used = (c.ports ?? []).filter((p: JsonObject) => p.hostPort).map((p: JsonObject) => String(p.hostPort));
    used.forEach((p: string) => ports.add(p));
    if (used.length) bad.push(c.name);
  }
  if (!bad.length) return undefined;
  return {
    reason: 'hostPort',
    detail: `${named(bad)} ${plural('uses', 'use', bad.length)} ${plural('hostPort', 'hostPorts', ports.size)} ${sorted(ports).join(', ')}`,
  };
};

const hostProbesAndHostLifecycle: Check = (_meta, spec) => {
  const bad = new Set<string>();
  const hosts = new Set<string>();
  const handlerHosts = (h: JsonObject | undefined): string[] => (h ? [h.httpGet?.host, h.tcpSocket?.host].filter((x): x is string => Boolean(x)) : []);
  for (const c of allContainers(spec)) {
    const found = [c.livenessProbe, c.readinessProbe, c.startupProbe, c.lifecycle?.postStart, c.lifecycle?.preStop].flatMap(handlerHosts);
    found.forEach((h) => hosts.add(h));
    if (found.length) bad.add(c.name);
  }
  if (!bad.size) return undefined;
  return {
    reason: 'probe or lifecycle host',
    detail: `${named(sorted(bad))} ${plural('uses', 'use', bad.size)} ${plural('probe or lifecycle host', 'probe or lifecycle hosts', hosts.size)} ${quote(sorted(hosts))}`,
  };
};

const privileged: Check = (_meta, spec) => {
  const bad = allContainers(spec).filter((c) => sc(c)?.privileged === true).map((c) => c.name);
  return bad.length ? { reason: 'privileged', detail: `${named(bad)} must not set securityContext.privileged=true` } : undefined;
};

const procMountUnmasked: Check = (_meta, spec) => {
  const bad: string[] = [];
  const types = new Set<string>();
  for (const c of allContainers(spec)) {
    const pm = sc(c)?.procMount;
    if (pm !== undefined && pm !== null && pm !== 'Default') {
      bad.push(c.name);
      types.add(pm);
    }
  }
  return bad.length ? { reason: 'procMount', detail: `${named(bad)} must not set securityContext.procMount to ${quote(sorted(types))}` } : undefined;
};
const procMountBaseline: Check = (meta, spec) => (userNamespace(spec) ? undefined : procMountUnmasked(meta, spec));

const seLinuxTypes = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const seLinuxOptions: Check = (_meta, spec) => {
  const types = new Set<string>();
  let user = false;
  let role = false;
  const valid = (o: JsonObject): boolean => {
    let ok = true;
    if (!seLinuxTypes.has(o.type ?? '')) {
      ok = false;
      types.add(o.type ?? '');
    }
    if (o.user) {
      ok = false;
      user = true;
    }
    if (o.role) {
      ok = false;
      role = true;
    }
    return ok;
  };
  const podOpts = spec.securityContext?.seLinuxOptions;
  const podBad = Boolean(podOpts) && !valid(podOpts);
  const bad = allContainers(spec).filter((c) => sc(c)?.seLinuxOptions && !valid(sc(c)!.seLinuxOptions)).map((c) => c.name);
  const who = setters(podBad, bad);
  if (!who.length) return undefined;
  const data: string[] = [];
  if (types.size) data.push(`${plural('type', 'types', types.size)} ${quote(sorted(types))}`);
  if (user) data.push('user may not be set');
  if (role) data.push('role may not be set');
  return { reason: 'seLinuxOptions', detail: `${who.join(' and ')} set forbidden securityContext.seLinuxOptions: ${data.join('; ')}` };
};

const validSeccomp = (t: string | undefined): boolean => t === 'Localhost' || t === 'RuntimeDefault';

const seccompBaseline: Check = (_meta, spec) => {
  const values = new Set<string>();
  const podProfile = spec.securityContext?.seccompProfile;
  const podBad = Boolean(podProfile) && !validSeccomp(podProfile.type);
  if (podBad) values.add(podProfile.type ?? '');
  const bad: string[] = [];
  for (const c of allContainers(spec)) {
    const p = sc(c)?.seccompProfile;
    if (p && !validSeccomp(p.type)) {
      bad.push(c.name);
      values.add(p.type ?? '');
    }
  }
  const who = setters(podBad, bad);
  return who.length ? { reason: 'seccompProfile', detail: `${who.join(' and ')} must not set securityContext.seccompProfile.type to ${quote(sorted(values))}` } : undefined;
};

const allowedSysctls = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes', 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem',
]);
const sysctls: Check = (_meta, spec) => {
  const bad = (spec.securityContext?.sysctls ?? []).map((s: JsonObject) => s.name as string).filter((n: string) => !allowedSysctls.has(n));
  return bad.length ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
};

const windowsHostProcess: Check = (_meta, spec) => {
  const bad = allContainers(spec).filter((c) => sc(c)?.windowsOptions?.hostProcess === true).map((c) => c.name);
  const who = setters(spec.securityContext?.windowsOptions?.hostProcess === true, bad);
  return who.length ? { reason: 'hostProcess', detail: `${who.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true` } : undefined;
};

const allowPrivilegeEscalation: Check = (_meta, spec) => {
  if (windows(spec)) return undefined;
  const bad = allContainers(spec).filter((c) => sc(c)?.allowPrivilegeEscalation !== false).map((c) => c.name);
  return bad.length ? { reason: 'allowPrivilegeEscalation != false', detail: `${named(bad)} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
};

const capabilitiesRestricted: Check = (_meta, spec) => {
  if (windows(spec)) return undefined;
  const missingDrop: string[] = [];
  const adding: string[] = [];
  const caps = new Set<string>();
  for (const c of allContainers(spec)) {
    const capabilities = sc(c)?.capabilities;
    if (!capabilities) {
      missingDrop.push(c.name);
      continue;
    }
    if (!(capabilities.drop ?? []).includes('ALL')) missingDrop.push(c.name);
    const extra = (capabilities.add ?? []).filter((cap: string) => cap !== 'NET_BIND_SERVICE');
    extra.forEach((cap: string) => caps.add(cap));
    if (extra.length) adding.push(c.name);
  }
  const details: string[] = [];
  if (missingDrop.length) details.push(`${named(missingDrop)} must set securityContext.capabilities.drop=["ALL"]`);
  if (adding.length) details.push(`${named(adding)} must not include ${quote(sorted(caps))} in securityContext.capabilities.add`);
  return details.length ? { reason: 'unrestricted capabilities', detail: details.join('; ') } : undefined;
};

const restrictedVolumeTypes = [
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume',
  'cinder', 'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk',
  'portworxVolume', 'scaleIO', 'storageos',
];
const allowedVolumeTypes = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];
const restrictedVolumes: Check = (_meta, spec) => {
  const bad: string[] = [];
  const types = new Set<string>();
  for (const v of spec.volumes ?? []) {
    if (allowedVolumeTypes.some((t) => v[t] != null)) continue;
    bad.push(v.name);
    types.add(restrictedVolumeTypes.find((t) => v[t] != null) ?? 'unknown');
  }
  if (!bad.length) return undefined;
  return {
    reason: 'restricted volume types',
    detail: `${plural('volume', 'volumes', bad.length)} ${quote(bad)} ${plural('uses', 'use', bad.length)} ${plural('restricted volume type', 'restricted volume types', types.size)} ${quote(sorted(types))}`,
  };
};

const runAsNonRoot: Check = (_meta, spec) => {
  if (userNamespace(spec)) return undefined;
  const podValue = spec.securityContext?.runAsNonRoot;
  const podBad = podValue === false;
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of allContainers(spec)) {
    const v = sc(c)?.runAsNonRoot;
    if (v !== undefined && v !== null) {
      if (!v) explicit.push(c.name);
    } else if (podValue !== true) implicit.push(c.name);
  }
  const who = setters(podBad, explicit);
  if (who.length) return { reason: 'runAsNonRoot != true', detail: `${who.join(' and ')} must not set securityContext.runAsNonRoot=false` };
  if (implicit.length) return { reason: 'runAsNonRoot != true', detail: `pod or ${named(implicit)} must set securityContext.runAsNonRoot=true` };
  return undefined;
};

const runAsUser: Check = (_meta, spec) => {
  if (userNamespace(spec)) return undefined;
  const bad = allContainers(spec).filter((c) => sc(c)?.runAsUser === 0).map((c) => c.name);
  const who = setters(spec.securityContext?.runAsUser === 0, bad);
  return who.length ? { reason: 'runAsUser=0', detail: `${who.join(' and ')} must not set runAsUser=0` } : undefined;
};

const seccompRestricted: Check = (_meta, spec) => {
  if (windows(spec)) return undefined;
  const values = new Set<string>();
  const podProfile = spec.securityContext?.seccompProfile;
  const podBad = Boolean(podProfile) && !validSeccomp(podProfile.type);
  if (podBad) values.add(podProfile.type ?? '');
  const podSet = Boolean(podProfile) && !podBad;
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of allContainers(spec)) {
    const p = sc(c)?.seccompProfile;
    if (p) {
      if (!validSeccomp(p.type)) {
        explicit.push(c.name);
        values.add(p.type ?? '');
      }
    } else if (!podSet) implicit.push(c.name);
  }
  const who = setters(podBad, explicit);
  if (who.length) return { reason: 'seccompProfile', detail: `${who.join(' and ')} must not set securityContext.seccompProfile.type to ${quote(sorted(values))}` };
  if (implicit.length) {
    return { reason: 'seccompProfile', detail: `pod or ${named(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` };
  }
  return undefined;
};

/** baseline at latest, in check-ID order */
const baseline: Check[] = [
  appArmorProfile, // appArmorProfile
  capabilitiesBaseline, // capabilities_baseline
  hostNamespaces, // hostNamespaces
  hostPathVolumes, // hostPathVolumes
  hostPorts, // hostPorts
  hostProbesAndHostLifecycle, // hostProbesAndHostLifecycle
  privileged, // privileged
  procMountBaseline, // procMount
  seLinuxOptions, // seLinuxOptions
  seccompBaseline, // seccompProfile_baseline
  sysctls, // sysctls
  windowsHostProcess, // windowsHostProcess
];
const overridden = new Set<Check>([capabilitiesBaseline, hostPathVolumes, procMountBaseline, seccompBaseline]);
/** restricted at latest: the baseline checks no restricted check overrides, then the restricted ones by ID */
const restricted: Check[] = [
  ...baseline.filter((c) => !overridden.has(c)),
  allowPrivilegeEscalation, // allowPrivilegeEscalation
  capabilitiesRestricted, // capabilities_restricted
  procMountUnmasked, // procMount_restricted
  restrictedVolumes, // restrictedVolumes
  runAsNonRoot, // runAsNonRoot
  runAsUser, // runAsUser
  seccompRestricted, // seccompProfile_restricted
];

export type Level = 'privileged' | 'baseline' | 'restricted';

/** The failed checks of `level` for the pod, in the evaluator's order. */
export function evaluatePod(level: Level, meta: JsonObject, spec: JsonObject): CheckResult[] {
  if (level === 'privileged') return [];
  return (level === 'baseline' ? baseline : restricted).flatMap((check) => check(meta, spec) ?? []);
}

/** AggregateCheckResult.ForbiddenDetail: "reason (detail), reason (detail)" */
export function forbiddenDetail(results: CheckResult[]): string {
  return results.map((r) => (r.detail ? `${r.reason} (${r.detail})` : r.reason)).join(', ');
}
