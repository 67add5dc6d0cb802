// A runbook as kdbg reads it: what to collect (steps) from which pods (targets), with params. The file's format is
// docs/runbook.schema.json; load.ts checks a file against it and turns it into these types.

export interface Runbook {
  /** the file it was read from, as named */
  file: string;
  /** sha256 of the file's bytes, for the report */
  sha256: string;
  name: string;
  description?: string | undefined;
  owner?: string | undefined;
  params: Record<string, ParamSpec>;
  /** absent: netshoot when a step captures, else busybox */
  profile?: string | undefined;
  targets: Targets;
  steps: Step[];
}

export interface ParamSpec {
  description?: string | undefined;
  /** as a string; absent: the param must be set with --set */
  default?: string | undefined;
  /** a regular expression every value must match whole */
  pattern?: string | undefined;
}

export interface Targets {
  contexts?: string[] | undefined;
  namespaces?: string[] | undefined;
  container?: string | undefined;
  maxPods: number;
  select: Selection[];
}

/** One entry of targets.select: a target (POD, pod/NAME, deploy/NAME…) or a label selector, where to look. */
export interface Selection {
  target?: string | undefined;
  selector?: string | undefined;
  container?: string | undefined;
  namespaces?: string[] | undefined;
  contexts?: string[] | undefined;
}

export interface CaptureSpec {
  filter?: string | undefined;
  interface?: string | undefined;
  duration?: string | undefined;
  count?: number | undefined;
  snaplen?: number | undefined;
}

interface StepBase {
  name: string;
  timeout?: string | undefined;
  continueOnError: boolean;
  /** the artifact's name: the step's name unless `save` says otherwise */
  save: string;
}

export type Step =
  | (StepBase & { kind: 'run'; run: string[] | string })
  | (StepBase & { kind: 'capture'; capture: CaptureSpec })
  | (StepBase & { kind: 'cp'; cp: CopySpec });

export interface CopySpec {
  path: string;
  /** target: the target container's filesystem (default); debug: the debug container's own */
  from: 'target' | 'debug';
}

/** The default of targets.maxPods: a selector that matches far more than meant stops before anything runs. */
export const DEFAULT_MAX_PODS = 100;
