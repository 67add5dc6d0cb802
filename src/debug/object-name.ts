// Names of pods, workloads and nodes: DNS subdomains, checked before any IO, so a mistyped name is said as such
// rather than sent to the API server.
import { UsageError } from '../errors.ts';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MAX_LENGTH = 253;
/** how much of a bad name the message quotes */
const SHOWN = 63;

export function checkObjectName(what: string, name: string): void {
  if (name.length <= MAX_LENGTH && DNS_SUBDOMAIN.test(name)) return;
  const shown = name.length > SHOWN ? `"${name.slice(0, SHOWN)}…" (${name.length} characters)` : `"${name}"`;
  throw new UsageError(`${shown} is not a ${what} name (lowercase letters, digits, - and ., at most ${MAX_LENGTH})`);
}
