// The process's edges, passed in so commands stay testable: streams, environment, clock, randomness, signals.
import { randomBytes } from 'node:crypto';

export interface Runtime {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  now(): Date;
  random(bytes: number): Buffer;
  /** subscribes to SIGINT/SIGTERM/SIGHUP; returns the unsubscribe */
  onSignal(handler: (signal: NodeJS.Signals) => void): () => void;
  verbose: boolean;
}

export function processRuntime(verbose: boolean): Runtime {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    now: () => new Date(),
    random: (n) => randomBytes(n),
    onSignal(handler) {
      const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
      for (const s of signals) process.on(s, handler);
      return () => {
        for (const s of signals) process.off(s, handler);
      };
    },
    verbose,
  };
}
