// ValidatePodCreate (k8s.io/kubernetes/pkg/apis/core/validation/validation.go) for what the fake serves, in its
// order: the object meta (object-meta.ts), then ValidatePodSpec (volumes, containers, initContainers, restartPolicy,
// dnsPolicy, nodeName), then "spec.ephemeralContainers: Forbidden: cannot be set on create". The container
// checks are validation.ts's validateContainerCommon; names are unique across containers and initContainers.
import { validateObjectName } from './object-meta.ts';
import { supportedValues, type FieldError, type JsonObject } from './status.ts';
import { dns1123LabelErrors, oneOf, validateContainerCommon } from './validation.ts';

// the volume sources of core/v1 Volume
const volumeTypes = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile',
  'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume',
  'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];
const hostPathTypes = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

export function validatePodCreate(pod: JsonObject): FieldError[] {
  const spec: JsonObject = pod.spec ?? {};
  const errs = validateObjectName(pod.metadata ?? {});
  const { errs: volumeErrs, names: volumes } = validateVolumes(spec.volumes ?? []);
  errs.push(...volumeErrs);

  const containers: JsonObject[] = spec.containers ?? [];
  if (containers.length === 0) errs.push({ type: 'Required value', field: 'spec.containers' });
  const names = new Set<string>();
  const checkContainers = (list: JsonObject[], key: string): void =>
    list.forEach((c, i) => {
      const path = `spec.${key}[${i}]`;
      errs.push(...validateContainerCommon(c, path, volumes));
      if (c.name && names.has(c.name)) errs.push({ type: 'Duplicate value', field: `${path}.name`, value: c.name });
      names.add(c.name);
      (c.ports ?? []).forEach((p: JsonObject, j: number) => {
        const port = p.containerPort;
        const field = `${path}.ports[${j}].containerPort`;
        if (!port) errs.push({ type: 'Required value', field });
        else if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) {
          errs.push({ type: 'Invalid value', field, value: port, detail: 'must be between 1 and 65535, inclusive' });
        }
      });
    });
  checkContainers(containers, 'containers');
  checkContainers(spec.initContainers ?? [], 'initContainers');

  errs.push(...oneOf(spec.restartPolicy, 'spec.restartPolicy', ['Always', 'OnFailure', 'Never']));
  errs.push(...oneOf(spec.dnsPolicy, 'spec.dnsPolicy', ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None']));
  if (spec.nodeName) {
    for (const detail of validateObjectName({ name: spec.nodeName }).map((e) => e.detail!)) {
      errs.push({ type: 'Invalid value', field: 'spec.nodeName', value: spec.nodeName, detail });
    }
  }
  if (spec.ephemeralContainers?.length) errs.push({ type: 'Forbidden', field: 'spec.ephemeralContainers', detail: 'cannot be set on create' });
  return errs;
}

/** ValidateVolumes: DNS-label names, unique, one source; a hostPath needs a path and a known type. */
function validateVolumes(volumes: JsonObject[]): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const path = `spec.volumes[${i}]`;
    // no source at all was defaulted to an emptyDir
    const sources = volumeTypes.filter((t) => v[t] !== undefined && v[t] !== null);
    if (sources.length > 1) errs.push({ type: 'Forbidden', field: `${path}.${sources[1]}`, detail: 'may not specify more than 1 volume type' });
    if (v.hostPath) {
      if (!v.hostPath.path) errs.push({ type: 'Required value', field: `${path}.hostPath.path` });
      const type = v.hostPath.type ?? '';
      if (!hostPathTypes.includes(type)) errs.push({ type: 'Unsupported value', field: `${path}.hostPath.type`, value: type, detail: supportedValues(hostPathTypes) });
    }
    if (!v.name) errs.push({ type: 'Required value', field: `${path}.name` });
    else {
      for (const detail of dns1123LabelErrors(v.name)) errs.push({ type: 'Invalid value', field: `${path}.name`, value: v.name, detail });
      if (names.has(v.name)) errs.push({ type: 'Duplicate value', field: `${path}.name`, value: v.name });
    }
    names.add(v.name);
  });
  return { errs, names };
}
