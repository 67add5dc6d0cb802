// Ctrl-C, SIGTERM and SIGHUP while kdbg resolves its target, waits for its debug container, and is attached; Ctrl-C
// and SIGTERM while attach --copy asks the API server about its copy, while the copy starts, and in it.
import type { Case, CaseGroup, Phase } from '../case.ts';
import { sleeper } from '../fixtures.ts';
import { ATTACHED_COMMAND } from '../run-case.ts';

const SIGNALS = [
  { name: 'SIGINT', attached: 130 },
  { name: 'SIGTERM', attached: 143 },
  { name: 'SIGHUP', attached: 129 },
] as const;

type AttachPhase = Exclude<Phase, 'preflight'>;

/** Holds the phase open: the pod's read never answered, the container never started. */
const hold: Record<AttachPhase, Case['setup']> = {
  resolving: ({ cluster, namespace }) => void (cluster.hooks.hold = (method, path) => method === 'GET' && path === `/api/v1/namespaces/${namespace}/pods/web-0`),
  waiting: ({ cluster }) => void (cluster.hooks.slowStartMs = 60_000),
  attached: undefined,
};

const expected: Record<AttachPhase, { stderr: (signal: string) => string; exit: (attached: number) => number }> = {
  resolving: { stderr: (s) => `kdbg: interrupted (${s}) while looking up pod web-0`, exit: () => 130 },
  waiting: { stderr: (s) => `kdbg: interrupted (${s}) while {name} was starting`, exit: () => 130 },
  attached: { stderr: () => 'kdbg: fake/{ns} pod/web-0 → app, debug container {name} (new)', exit: (code) => code },
};

type CopyPhase = Exclude<Phase, 'resolving'>;

/** attach --copy: its server dry run never answered, the copy never started, or the copy in use. */
const copyHold: Record<CopyPhase, Case['setup']> = {
  preflight: ({ cluster, namespace }) => void (cluster.hooks.hold = (method, path) => method === 'POST' && path === `/api/v1/namespaces/${namespace}/pods`),
  waiting: hold.waiting,
  attached: undefined,
};

const copyExpected: Record<CopyPhase, { stderr: (signal: string) => string; exit: (attached: number) => number }> = {
  preflight: { stderr: (s) => `kdbg: interrupted (${s}) while asking the API server about the copy of pod web-0 (nothing was created)`, exit: () => 130 },
  waiting: { stderr: (s) => `kdbg: interrupted (${s}) while {name} was starting`, exit: () => 130 },
  attached: { stderr: () => 'kdbg: fake/{ns} pod/{name}, a copy of web-0 with its container app held', exit: (code) => code },
};

const copyCases = (['preflight', 'waiting', 'attached'] as const).flatMap((phase) =>
  SIGNALS.filter((s) => s.name !== 'SIGHUP').map(
    (s): Case => ({
      id: `${s.name.toLowerCase()}-copy-while-${phase}`,
      title: `${s.name} while ${phase} (attach --copy)`,
      ownCluster: {},
      kubeconfig: 'admin',
      pods: [sleeper()],
      setup: copyHold[phase],
      args: ['attach', 'web-0', '--copy', '--', ...(phase === 'attached' ? ATTACHED_COMMAND : ['true'])],
      signal: { name: s.name, phase },
      exit: copyExpected[phase].exit(s.attached),
      stderr: copyExpected[phase].stderr(s.name),
      block: phase === 'waiting' ? true : undefined,
      createsNothing: phase === 'preflight' ? true : undefined,
      leavesNothing: phase === 'preflight' ? undefined : true,
    }),
  ),
);

export const signals: CaseGroup = {
  title: 'Signals',
  cases: [...(['resolving', 'waiting', 'attached'] as const).flatMap((phase) =>
    SIGNALS.map(
      (s): Case => ({
        id: `${s.name.toLowerCase()}-while-${phase}`,
        title: `${s.name} while ${phase}`,
        ownCluster: {},
        pods: [sleeper()],
        setup: hold[phase],
        args: ['attach', 'web-0', '--', ...(phase === 'attached' ? ATTACHED_COMMAND : ['true'])],
        signal: { name: s.name, phase },
        exit: expected[phase].exit(s.attached),
        stderr: expected[phase].stderr(s.name),
        block: phase === 'waiting' ? true : undefined,
        createsNothing: phase === 'resolving' ? true : undefined,
      }),
    ),
  ), ...copyCases],
};
