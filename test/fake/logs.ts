// Container logs as the kubelet keeps them (one log per container run, line by line with the time each line
// started) and GET pods/NAME/log with the apiserver's and the kubelet's checks.
import type { ServerResponse } from 'node:http';
import type { Kubelet } from './kubelet.ts';
import { badRequest, notFound, type JsonObject } from './status.ts';
import type { Store } from './store.ts';

interface Line {
  time: Date;
  data: Buffer;
}

export class ContainerLog {
  private readonly lines: Line[] = [];
  private partial?: Line;
  private readonly followers = new Set<(chunk: Buffer) => void>();
  private readonly enders = new Set<() => void>();
  ended = false;

  append(data: Buffer): void {
    const now = new Date();
    let rest = data;
    while (rest.length) {
      const nl = rest.indexOf(10);
      const piece = nl < 0 ? rest : rest.subarray(0, nl + 1);
      rest = nl < 0 ? Buffer.alloc(0) : rest.subarray(nl + 1);
      const line = this.partial ?? { time: now, data: Buffer.alloc(0) };
      line.data = Buffer.concat([line.data, piece]);
      if (nl < 0) this.partial = line;
      else {
        this.partial = undefined;
        this.lines.push(line);
      }
    }
    for (const f of [...this.followers]) f(data);
  }

  end(): void {
    this.ended = true;
    for (const e of [...this.enders]) e();
  }

  read(opts: { tailLines?: number; timestamps: boolean; since?: Date }): Buffer {
    let lines = this.partial ? [...this.lines, this.partial] : [...this.lines];
    if (opts.since) lines = lines.filter((l) => l.time >= opts.since!);
    if (opts.tailLines !== undefined) lines = opts.tailLines === 0 ? [] : lines.slice(-opts.tailLines);
    return Buffer.concat(lines.map((l) => (opts.timestamps ? Buffer.concat([Buffer.from(`${rfc3339Nano(l.time)} `), l.data]) : l.data)));
  }

  /** Streams what is appended from now on until the run ends; returns the unsubscribe function. */
  follow(onData: (chunk: Buffer) => void, onEnd: () => void): () => void {
    if (this.ended) {
      onEnd();
      return () => {};
    }
    this.followers.add(onData);
    this.enders.add(onEnd);
    return () => {
      this.followers.delete(onData);
      this.enders.delete(onEnd);
    };
  }
}

function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.(\d+)Z$/, (_, ms: string) => (/^0+$/.test(ms) ? 'Z' : `.${ms.replace(/0+$/, '')}Z`));
}

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
