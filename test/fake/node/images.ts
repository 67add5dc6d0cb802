// Image references as containerd normalizes them, and the fake "registry": what each image runs by default, as
// which user, and whether it can be pulled or has a shell.
import { createHash } from 'node:crypto';

export interface ImageRef {
  /** as written in the spec */
  raw: string;
  /** docker.io/library/busybox */
  repository: string;
  tag?: string;
  digest?: string;
  /** docker.io/library/busybox:1.36 (what containerd pulls and the kubelet reports as status.image) */
  normalized: string;
}

export function parseImage(raw: string): ImageRef {
  let rest = raw;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const repository = normalizeRepository(rest);
  const ref = tag ?? (digest ? undefined : 'latest');
  const normalized = `${repository}${ref ? `:${ref}` : ''}${digest ? `@${digest}` : ''}`;
  return { raw, repository, tag, digest, normalized };
}

/** busybox → docker.io/library/busybox, example/x → docker.io/example/x, gcr.io/x → gcr.io/x */
function normalizeRepository(repo: string): string {
  const first = repo.split('/')[0]!;
  const hasRegistry = repo.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return repo;
  return repo.includes('/') ? `docker.io/${repo}` : `docker.io/library/${repo}`;
}

// docker reference grammar, roughly: lowercase path components, optional :tag and @digest
const validReference = /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)*(:[\w][\w.-]{0,127})?(@[a-z0-9]+:[a-f0-9]{32,})?$/;

/** SetDefaults_Container: Always for `latest` or no tag, else IfNotPresent (also when the image does not parse). */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (!validReference.test(image)) return 'IfNotPresent';
  const ref = parseImage(image);
  return ref.tag === 'latest' || (!ref.tag && !ref.digest) ? 'Always' : 'IfNotPresent';
}

export interface ImageConfig {
  entrypoint: string[];
  cmd: string[];
  uid: number;
  gid: number;
}

const configs: Record<string, Partial<ImageConfig>> = {
  'docker.io/library/busybox': { cmd: ['sh'] },
  'docker.io/library/alpine': { cmd: ['/bin/sh'] },
  'docker.io/library/ubuntu': { cmd: ['/bin/bash'] },
  'docker.io/library/debian': { cmd: ['bash'] },
  'docker.io/nicolaka/netshoot': { cmd: ['bash'] },
};

export function imageConfig(ref: ImageRef, nonRoot: boolean): ImageConfig {
  const c = configs[ref.repository] ?? {};
  const user = nonRoot ? 1000 : 0;
  return { entrypoint: c.entrypoint ?? [], cmd: c.cmd ?? ['sh'], uid: user, gid: user };
}

export function imageId(ref: ImageRef): string {
  const digest = ref.digest ?? `sha256:${createHash('sha256').update(ref.normalized).digest('hex')}`;
  return `${ref.repository}@${digest}`;
}

/** Whether `ref` is one of `repositories` (given in any spelling, tag ignored). */
export function imageIn(ref: ImageRef, repositories: Iterable<string>): boolean {
  for (const r of repositories) if (parseImage(r).repository === ref.repository) return true;
  return false;
}
