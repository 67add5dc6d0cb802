// What to offer for the word being completed: subcommands, flags, flag values (namespaces, contexts, profiles,
// containers of the target typed), or arguments (pods, TYPE/NAME, POD: for cp, debug containers for stop).
// Cluster lookups use the --kubeconfig, --context, -n, --as and --as-group already typed on the line.
import { Writable } from 'node:stream';
import type { KubeClient } from '../kube/types.ts';
import { readLine, valueOf, type Line } from './line.ts';
import { Directive, NOTHING, startingWith, type Candidate, type Completion } from './protocol.ts';
import { containerNames, debugContainerNames, namespaceNames, podNames, workloadNames, type Lookup } from './cluster-names.ts';
import type { CommandNode } from './tree.ts';

export interface CompletionEnv {
  env: NodeJS.ProcessEnv;
  /** aborts every request when completion has taken too long */
  signal: AbortSignal;
  /** each request's own limit */
  timeoutMs: number;
}

/** the kinds a target may name, as offered: their short names */
const TARGET_TYPES: Candidate[] = [
  { value: 'deploy/', description: 'Deployment' },
  { value: 'sts/', description: 'StatefulSet' },
  { value: 'ds/', description: 'DaemonSet' },
  { value: 'rs/', description: 'ReplicaSet' },
  { value: 'job/', description: 'Job' },
  { value: 'pod/', description: 'Pod' },
];
const POD_TYPES = ['pod', 'pods', 'po'];
const SHELLS: Candidate[] = [{ value: 'bash' }, { value: 'zsh' }, { value: 'fish' }];

export async function completeWords(root: CommandNode, words: string[], env: CompletionEnv): Promise<Completion> {
  const line = readLine(root, words);
  if (line.afterDashDash) return NOTHING;
  if (line.optionValue) return optionValue(line, env);
  if (line.word.startsWith('-')) return offer(line.word, flagsOf(line.chain));
  const path = line.path.join(' ');
  const n = line.positionals.length;
  if (n === 0 && line.command.commands.length > 0 && !line.command.takesArguments) {
    return offer(line.word, line.command.commands.filter((c) => !c.hidden).map((c) => ({ value: c.name, description: c.summary })));
  }
  switch (path) {
    case 'attach':
    case 'capture':
    case 'ls':
      return n === 0 ? targets(line, env) : NOTHING;
    case 'stop':
      if (n === 0) return targets(line, env);
      return offer(line.word, await fromCluster(line, env, (l) => debugContainerNames(l, podOf(line.positionals[0]!))));
    case 'cp':
      return n < 2 ? podPaths(line, env) : NOTHING;
    case 'profiles show':
      if (n === 0) return offer(line.word, await profileNames(line, env));
      return n === 1 ? offer(line.word, await fromCluster(line, env, podNames)) : NOTHING;
    case 'completion':
      return n === 0 ? offer(line.word, SHELLS) : NOTHING;
    default:
      return NOTHING;
  }
}

async function optionValue(line: Line, env: CompletionEnv): Promise<Completion> {
  const option = line.optionValue!;
  const values = async (): Promise<Candidate[] | 'files'> => {
    if (option.choices) return option.choices.map((value) => ({ value }));
    switch (option.name) {
      case 'namespace':
        return fromCluster(line, env, namespaceNames);
      case 'context':
        return contextNames(line, env);
      case 'profile':
        return profileNames(line, env);
      case 'target': {
        const target = targetOnLine(line);
        return target ? fromCluster(line, env, (l) => containerNames(l, target)) : [];
      }
      case 'kubeconfig':
      case 'config':
      case 'record':
      case 'write':
        return 'files';
      default:
        return [];
    }
  };
  const found = await values();
  if (found === 'files') return { candidates: [], directive: Directive.default };
  return offer(line.word, found);
}

/** POD, or TYPE/NAME once a slash is typed; the kinds themselves when the word starts like one. */
async function targets(line: Line, env: CompletionEnv): Promise<Completion> {
  const word = line.word;
  const slash = word.indexOf('/');
  if (slash >= 0) {
    const type = word.slice(0, slash);
    const found = POD_TYPES.includes(type.toLowerCase())
      ? (await fromCluster(line, env, podNames)).map((c) => ({ ...c, value: `${type}/${c.value}` }))
      : await fromCluster(line, env, (l) => workloadNames(l, type));
    return offer(word, found);
  }
  const kinds = word === '' ? [] : startingWith(word, TARGET_TYPES);
  const pods = startingWith(word, await fromCluster(line, env, podNames));
  return { candidates: [...pods, ...kinds], directive: Directive.noFileComp | (pods.length === 0 && kinds.length > 0 ? Directive.noSpace : 0) };
}

/** cp's POD:PATH: pods followed by `:`; a word that looks like a local path completes as a file name. */
async function podPaths(line: Line, env: CompletionEnv): Promise<Completion> {
  const word = line.word;
  if (/^[/.~]/.test(word)) return { candidates: [], directive: Directive.default };
  if (word.includes(':')) return NOTHING;
  const pods = await fromCluster(line, env, podNames);
  return { candidates: startingWith(word, pods.map((c) => ({ ...c, value: `${c.value}:` }))), directive: Directive.noSpace | Directive.noFileComp };
}

/** The target the line names for -c: cp's POD of POD:PATH, show's POD, else the first argument. */
function targetOnLine(line: Line): string | undefined {
  const path = line.path.join(' ');
  if (path === 'cp') {
    const remote = line.positionals.find((p) => !/^[/.~]/.test(p) && p.includes(':'));
    return remote?.slice(0, remote.indexOf(':')) || undefined;
  }
  return path === 'profiles show' ? line.positionals[1] : line.positionals[0];
}

const podOf = (target: string): string => target.replace(/^(pod|pods|po)\//i, '');

/** The flags of the deepest command first, then its ancestors'. */
function flagsOf(chain: CommandNode[]): Candidate[] {
  const out: Candidate[] = [];
  for (const c of [...chain].reverse()) {
    for (const o of c.options) {
      if (o.hidden) continue;
      for (const flag of [o.long, o.short]) if (flag) out.push({ value: flag, description: o.description });
    }
  }
  return out;
}

function offer(word: string, candidates: Candidate[]): Completion {
  return { candidates: startingWith(word, candidates), directive: Directive.noFileComp };
}

async function contextNames(line: Line, env: CompletionEnv): Promise<Candidate[]> {
  const { loadMergedKubeconfig } = await import('../kube/auth/kubeconfig.ts');
  const merged = loadMergedKubeconfig({ kubeconfig: valueOf(line, 'kubeconfig'), env: env.env });
  return [...merged.contexts].map(([name, ctx]) => ({
    value: name,
    description: [name === merged.currentContext ? 'current' : '', typeof ctx.namespace === 'string' ? `namespace ${ctx.namespace}` : ''].filter(Boolean).join(', '),
  }));
}

async function profileNames(line: Line, env: CompletionEnv): Promise<Candidate[]> {
  const { loadProfiles } = await import('../profiles/catalog.ts');
  const catalog = await loadProfiles({ configPath: valueOf(line, 'config'), env: env.env });
  return catalog.profiles.map((p) => ({ value: p.name, description: p.description }));
}

/** Runs `fn` with a client for the cluster flags on the line; nothing it says reaches the terminal. */
async function fromCluster(line: Line, env: CompletionEnv, fn: (l: Lookup) => Promise<Candidate[]>): Promise<Candidate[]> {
  const { loadKubeClient } = await import('../kube/client.ts');
  const client: KubeClient = await loadKubeClient({
    kubeconfig: valueOf(line, 'kubeconfig'),
    context: valueOf(line, 'context'),
    namespace: valueOf(line, 'namespace'),
    as: valueOf(line, 'as'),
    asGroups: line.values.get('asGroup'),
    env: env.env,
    stderr: new Writable({ write: (_chunk, _encoding, done) => done() }),
    stdinIsTTY: false,
  });
  try {
    return await fn({ client, namespace: client.context.namespace, signal: env.signal, timeoutMs: env.timeoutMs });
  } finally {
    client.close();
  }
}
