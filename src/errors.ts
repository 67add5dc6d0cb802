// Every failure kdbg itself reports is a KdbgError with the exit code it maps to. main() is the only place that
// turns errors into exit codes and text; nothing else calls process.exit.

export const ExitCode = {
  ok: 0,
  waitTimeout: 124,
  kdbg: 125,
  unusable: 126,
  sigint: 130,
  sigterm: 143,
  sighup: 129,
  /** stdout's reader went away (128 + SIGPIPE) */
  stdoutClosed: 141,
  sessionLost: 255,
} as const;

export class KdbgError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.kdbg,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KdbgError';
  }
}

/** Wrong flags or arguments, or a target that is not named well enough to act on. */
export class UsageError extends KdbgError {
  constructor(message: string) {
    super(message, ExitCode.kdbg);
    this.name = 'UsageError';
  }
}
