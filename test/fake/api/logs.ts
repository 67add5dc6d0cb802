// GET pods/NAME/log with the apiserver's and the kubelet's checks, served from the log the node keeps
// (node/container-log.ts).
import type { ServerResponse } from 'node:http';
import type { Kubelet } from '../node/kubelet.ts';
import { badRequest, notFound, type JsonObject } from './status.ts';
import type { Store } from './store.ts';

/** apiserver LogLocation's container choice and check, then the kubelet's validateContainerLogStatus. */
export function serveLog(res: ServerResponse, store: Store, kubelet: Kubelet, ns: string, name: string, query: URLSearchParams): void {
  const pod: JsonObject | undefined = store.get('Pod', ns, name);
  if (!pod) throw notFound('pods', name);
  let container = query.get('container') ?? '';
  const spec = pod.spec;
  if (!container) {
    const names = (spec.containers ?? []).map((c: JsonObject) => c.name);
    if (names.length !== 1) {
      const init = (spec.initContainers ?? []).map((c: JsonObject) => c.name);
      let msg = `a container name must be specified for pod ${name}, choose one of: [${names.join(' ')}]`;
      if (init.length) msg += ` or one of the init containers: [${init.join(' ')}]`;
      throw badRequest(msg);
    }
    container = names[0];
  }
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])];
  if (!all.some((c: JsonObject) => c.name === container)) throw badRequest(`container ${container} is not valid for pod ${name}`);

  const previous = boolParam(query.get('previous'));
  const log = kubelet.containerLog(ns, name, container, previous);
  const tail = query.get('tailLines');
  const sinceSeconds = query.get('sinceSeconds');
  const sinceTime = query.get('sinceTime');
  const since = sinceSeconds ? new Date(Date.now() - Number(sinceSeconds) * 1000) : sinceTime ? new Date(sinceTime) : undefined;
  let body = log.read({ tailLines: tail === null ? undefined : Number(tail), timestamps: boolParam(query.get('timestamps')), since });
  const limit = query.get('limitBytes');
  if (limit !== null) body = body.subarray(0, Number(limit));

  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' });
  if (!boolParam(query.get('follow')) || limit !== null) {
    res.end(body);
    return;
  }
  res.write(body);
  const stop = log.follow(
    (chunk) => res.write(chunk),
    () => res.end(),
  );
  res.on('close', stop);
}

/** metav1's query conversion of a bool: absent → false, "0"/"false" → false, anything else → true. */
export function boolParam(v: string | null): boolean {
  return v !== null && v !== '0' && v.toLowerCase() !== 'false';
}
