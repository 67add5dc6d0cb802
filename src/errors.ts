// Every failure kdbg itself reports is a KdbgError of one kind. EXIT_CODES maps kinds to exit codes; main()
// is the only place that turns errors into text on stderr; `-o json` outputs name the same kind.

export type ErrorKind =
  /** wrong flags or arguments, found before any IO */
  | 'usage'
  /** kubeconfig, kdbg's config file, credentials that cannot be read */
  | 'config'
  /** the API server did not accept who we are */
  | 'auth'
  /** RBAC, PodSecurity or an admission webhook said no */
  | 'forbidden'
  /** the pod, workload, container or context does not exist */
  | 'not-found'
  /** the target cannot take a debug container now: not running, being deleted, a static pod */
  | 'not-debuggable'
  /** the API server or the connection failed */
  | 'api'
  /** a local file kdbg writes cannot be written: a missing directory, no permission, a full disk */
  | 'local'
  /** a debug container did not start in time */
  | 'timeout'
  /** the debug container cannot be used: image not pullable, no shell, exited at start */
  | 'unusable'
  /** Ctrl-C at a prompt, before any session ran */
  | 'interrupted'
  /** the session ended without an exit status */
  | 'lost';

export class KdbgError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KdbgError';
  }
}

/** `cannot write FILE: no such file or directory (ENOENT)`, then `then`: a local file or stream kdbg could not write. */
export function cannotWrite(where: string, err: NodeJS.ErrnoException, then = ''): KdbgError {
  // Node's message is `CODE: text, syscall 'path'`: keep the text
  const text = /^[A-Z]+: ([^,]+)/.exec(err.message)?.[1] ?? err.message;
  return new KdbgError('local', `cannot write ${where}: ${text}${err.code ? ` (${err.code})` : ''}${then}`, { cause: err });
}

/** Shorthand for the most common kind: flags or arguments that cannot work. */
export class UsageError extends KdbgError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}

/** Exit codes that are not an error's: how a session ended. */
export const ExitCode = {
  ok: 0,
  sigint: 130,
  sigterm: 143,
  sighup: 129,
  /** stdout's reader went away (128 + SIGPIPE) */
  stdoutClosed: 141,
} as const;

/** Every error kind's exit code. The README's table says the same. */
export const EXIT_CODES: Record<ErrorKind, number> = {
  usage: 125,
  config: 125,
  auth: 125,
  forbidden: 125,
  'not-found': 125,
  'not-debuggable': 125,
  api: 125,
  local: 125,
  timeout: 124,
  unusable: 126,
  interrupted: ExitCode.sigint,
  lost: 255,
};
