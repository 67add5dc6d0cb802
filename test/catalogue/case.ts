// One entry of the bad-input catalogue: a kdbg command line, the world it meets, and what kdbg must answer.
import type { V1Pod } from '@kubernetes/client-node';
import type { FakeCluster, FakeClusterOptions } from '../fake/cluster.ts';
import type { KubeconfigVariant } from './kubeconfigs.ts';
import type { TestServers } from './servers.ts';

/** What a case's setup, arguments and signal see. */
export interface CaseEnv {
  cluster: FakeCluster;
  /** the case's own namespace, the kubeconfig's */
  namespace: string;
  kubeconfig: string;
  servers: TestServers;
  /** a temporary folder of the case's own, for config files and output */
  dir: string;
}

export type Phase = 'resolving' | 'preflight' | 'waiting' | 'attached';

export interface Case {
  /** stable, kebab-case; the namespace's name derives from it */
  id: string;
  /** what goes wrong, as docs/errors.md titles it */
  title: string;
  /** kdbg's arguments (after `kdbg`); a function where they name the case's files */
  args: string[] | ((env: CaseEnv) => string[]);
  /** the kubeconfig the case runs with (default: `debugger`) */
  kubeconfig?: KubeconfigVariant;
  env?: Record<string, string>;
  /** a file kdbg's stdout is opened on, as `> FILE` would (/dev/full: every write fails) */
  stdoutFile?: string;
  /** labels of the case's namespace (PodSecurity's) */
  namespaceLabels?: Record<string, string>;
  /** pods created before kdbg runs, in the case's namespace */
  pods?: V1Pod[];
  /** the case gets a fake API server of its own (hooks, an older release) rather than the shared one */
  ownCluster?: FakeClusterOptions;
  /** fault hooks and files, before kdbg runs */
  setup?: (env: CaseEnv) => Promise<void> | void;
  /** a signal sent to kdbg once it is in that phase */
  signal?: { name: 'SIGINT' | 'SIGTERM' | 'SIGHUP'; phase: Phase };
  exit: number;
  /**
   * kdbg's line on stderr, `{ns}` standing for the namespace, `{server}` for the kubeconfig's server, `{dir}` for
   * the case's folder, `{name}` for a generated name, `{…}` for a varying part (a port, a duration).
   */
  stderr: string;
  /** the line comes after a block of explanation (other lines, another kdbg: line) */
  block?: true;
  /** what stdout holds, where it matters (same placeholders) */
  stdout?: string;
  /** a preflight fails: the server must hold no new pod and no debug container afterwards */
  createsNothing?: true;
  /** kdbg made a pod of its own (a copy): it is deleted when kdbg exits, and then gone */
  leavesNothing?: true;
  /** also run with --verbose, whose details must hold no secret either */
  verbose?: true;
}

/** A group of cases, a section of docs/errors.md. */
export interface CaseGroup {
  title: string;
  cases: Case[];
}
