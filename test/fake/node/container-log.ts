// Container logs as the kubelet keeps them: one log per container run, line by line with the time each line
// started, read with tailLines/sinceTime/timestamps or followed until the run ends.

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
