// Ctrl-C, SIGTERM and SIGHUP while kdbg resolves its target, waits for its debug container, and is attached.
import type { Case, CaseGroup, Phase } from '../case.ts';
import { sleeper } from '../fixtures.ts';
import { ATTACHED_COMMAND } from '../run-case.ts';

const SIGNALS = [
  { name: 'SIGINT', attached: 130 },
  { name: 'SIGTERM', attached: 143 },
  { name: 'SIGHUP', attached: 129 },
] as const;

/** Holds the phase open: the pod's read never answered, the container never started. */
const hold: Record<Phase, Case['setup']> = {
  resolving: ({ cluster, namespace }) => void (cluster.hooks.hold = (method, path) => method === 'GET' && path === `/api/v1/namespaces/${namespace}/pods/web-0`),
  waiting: ({ cluster }) => void (cluster.hooks.slowStartMs = 60_000),
  attached: undefined,
};

const expected: Record<Phase, { stderr: (signal: string) => string; exit: (attached: number) => number }> = {
  resolving: { stderr: (s) => `kdbg: interrupted (${s}) while looking up pod web-0`, exit: () => 130 },
  waiting: { stderr: (s) => `kdbg: interrupted (${s}) while {name} was starting`, exit: () => 130 },
  attached: { stderr: () => 'kdbg: fake/{ns} pod/web-0 → app, debug container {name} (new)', exit: (code) => code },
};

export const signals: CaseGroup = {
  title: 'Signals',
  cases: (['resolving', 'waiting', 'attached'] as const).flatMap((phase) =>
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
  ),
};
