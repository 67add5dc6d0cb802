// The container image reference grammar (github.com/distribution/reference, as the kubelet and containerd parse
// it), so an image that can never be pulled is refused before a PATCH adds a container that cannot be removed.
// A regular expression of a dozen lines: no library for it is smaller or better kept.
import { UsageError } from '../errors.ts';

const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const host = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[[a-fA-F0-9:]+\\])`;
const domain = `${host}(?::[0-9]+)?`;
const alnum = '[a-z0-9]+';
const pathComponent = `${alnum}(?:(?:[._]|__|[-]+)${alnum})*`;
const name = `(?:${domain}/)?${pathComponent}(?:/${pathComponent})*`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${name})(?::(${tag}))?(?:@(${digest}))?$`);
const NAME_MAX = 255;

export interface ImageReference {
  name: string;
  tag?: string | undefined;
  /** `algorithm:hex`, when pinned by digest */
  digest?: string | undefined;
}

/** The parts of a reference; undefined when it is not one. */
export function parseImageReference(image: string): ImageReference | undefined {
  const m = REFERENCE.exec(image);
  return m ? { name: m[1]!, tag: m[2], digest: m[3] } : undefined;
}

/** Throws a usage error naming the flag when `image` is not a valid reference. */
export function checkImageReference(flag: string, image: string): void {
  const ref = parseImageReference(image);
  if (!ref) throw new UsageError(`${flag} "${image}" is not an image reference (such as busybox:1.36.1 or registry.example.com/team/tools@sha256:…)`);
  if (ref.name.length > NAME_MAX) throw new UsageError(`${flag}: the repository name of "${image.slice(0, 40)}…" is longer than ${NAME_MAX} characters`);
}

/**
 * An image as a table shows it: a digest shortened to its first 12 hex digits and `…`, so a pinned image keeps a
 * column narrow (`busybox:1.36.1@sha256:73aaf090f3d8…`). The full reference is in `-o wide` and `-o json`.
 */
export function shortImage(image: string): string {
  const at = image.indexOf('@');
  if (at < 0) return image;
  const digest = image.slice(at + 1);
  const colon = digest.indexOf(':');
  return digest.length - colon - 1 > 12 ? `${image.slice(0, at)}@${digest.slice(0, colon + 13)}…` : image;
}
