// Reads a runbook file: YAML, then the JSON Schema, then the rules a schema cannot say (unique names, params that
// exist, scripts without references, durations that fit). Every problem is one line `FILE:LINE:COL: PATH: what is
// wrong`, all of them at once, in file order, before anything runs.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { KdbgError, UsageError } from '../errors.ts';
import { parseDuration } from '../duration.ts';
import { parseTarget } from '../debug/target.ts';
import { DEFAULT_MAX_PODS, type CaptureSpec, type ParamSpec, type Runbook, type Selection, type Step } from './format.ts';
import { ANY_EXPRESSION, REFERENCE, referencesIn } from './params.ts';
import { schemaIssues } from './schema.ts';

type Path = Array<string | number>;

export async function loadRunbook(file: string): Promise<Runbook> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new KdbgError(code === 'ENOENT' ? 'not-found' : 'config', `cannot read runbook ${file}: ${code ?? String(err)}`, { cause: err });
  }
  return parseRunbook(bytes.toString('utf8'), file, createHash('sha256').update(bytes).digest('hex'));
}

/** Checks a runbook's text; `file` names it in messages. */
export function parseRunbook(text: string, file: string, sha256 = createHash('sha256').update(text).digest('hex')): Runbook {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const at = lines.linePos(syntax.pos[0]);
    const message = syntax.code === 'MULTIPLE_DOCS' ? 'a runbook is a single YAML document' : syntax.message.split('\n')[0];
    throw new KdbgError('config', `${file}:${at.line}:${at.col}: invalid YAML: ${message}`);
  }
  const issues = new Issues(doc, lines, file);
  const data = doc.toJS() as unknown;
  for (const i of schemaIssues(data)) issues.add(i.path, i.message, i.atKey);
  issues.throwIfAny();
  const runbook = fromData(data as RawRunbook, file, sha256);
  checkRules(runbook, issues);
  issues.throwIfAny();
  return runbook;
}

/** What the schema admits. */
interface RawRunbook {
  name: string;
  description?: string;
  owner?: string;
  params?: Record<string, { description?: string; default?: string | number | boolean; pattern?: string }>;
  profile?: string;
  targets: { contexts?: string[]; namespaces?: string[]; container?: string; maxPods?: number; select: Array<string | Selection> };
  steps: Array<{ name: string; run?: string[] | string; capture?: CaptureSpec; cp?: string | { path: string; from?: 'target' | 'debug' }; timeout?: string; continueOnError?: boolean; save?: string }>;
}

function fromData(raw: RawRunbook, file: string, sha256: string): Runbook {
  const params: Record<string, ParamSpec> = Object.create(null);
  for (const [name, p] of Object.entries(raw.params ?? {})) {
    params[name] = { description: p.description, default: p.default === undefined ? undefined : String(p.default), pattern: p.pattern };
  }
  const steps = raw.steps.map((s): Step => {
    const base = { name: s.name, timeout: s.timeout, continueOnError: s.continueOnError === true, save: s.save ?? s.name };
    if (s.run !== undefined) return { ...base, kind: 'run', run: s.run };
    if (s.capture !== undefined) return { ...base, kind: 'capture', capture: s.capture };
    const cp = typeof s.cp === 'string' ? { path: s.cp } : s.cp!;
    return { ...base, kind: 'cp', cp: { path: cp.path, from: cp.from ?? 'target' } };
  });
  const t = raw.targets;
  return {
    file,
    sha256,
    name: raw.name,
    description: raw.description,
    owner: raw.owner,
    params,
    profile: raw.profile,
    targets: {
      contexts: t.contexts,
      namespaces: t.namespaces,
      container: t.container,
      maxPods: t.maxPods ?? DEFAULT_MAX_PODS,
      select: t.select.map((s) => (typeof s === 'string' ? { target: s } : s)),
    },
    steps,
  };
}

/** The rules beyond the schema, each reported at the value it is about. */
function checkRules(rb: Runbook, issues: Issues): void {
  for (const [name, p] of Object.entries(rb.params)) {
    if (p.pattern === undefined) continue;
    try {
      new RegExp(p.pattern);
    } catch (err) {
      issues.add(['params', name, 'pattern'], `not a regular expression: ${(err as Error).message}`);
    }
    if (p.default !== undefined && !new RegExp(`^(?:${p.pattern})$`).test(p.default)) issues.add(['params', name, 'default'], `"${p.default}" does not match the pattern`);
  }
  const references = (path: Path, text: string) => {
    for (const m of text.matchAll(ANY_EXPRESSION)) {
      if (!new RegExp(`^${REFERENCE.source}$`).test(m[0])) issues.add(path, `${m[0]} is not a param reference; write \${{ params.NAME }}`);
    }
    for (const name of referencesIn(text)) if (!(name in rb.params)) issues.add(path, `params.${name} is not a param of this runbook`);
  };
  rb.targets.select.forEach((s, i) => {
    const path: Path = typeof s.target === 'string' && Object.keys(s).length === 1 ? ['targets', 'select', i] : ['targets', 'select', i, s.target ? 'target' : 'selector'];
    const text = s.target ?? s.selector!;
    references(path, text);
    if (s.target && !s.target.includes('${{')) {
      try {
        parseTarget(s.target, undefined);
      } catch (err) {
        if (err instanceof UsageError) issues.add(path, err.message);
      }
    }
    for (const key of ['namespaces', 'contexts'] as const) s[key]?.forEach((v, j) => references(['targets', 'select', i, key, j], v));
  });
  for (const key of ['namespaces', 'contexts'] as const) rb.targets[key]?.forEach((v, j) => references(['targets', key, j], v));
  const names = new Set<string>();
  const saves = new Set<string>();
  rb.steps.forEach((step, i) => {
    if (names.has(step.name)) issues.add(['steps', i, 'name'], `another step is named ${step.name}`);
    else if (saves.has(step.save)) issues.add(['steps', i, step.save === step.name ? 'name' : 'save'], `another step saves as ${step.save}; set save: to tell them apart`);
    names.add(step.name);
    saves.add(step.save);
    const timeoutMs = step.timeout === undefined ? undefined : parseDuration('timeout', step.timeout);
    if (timeoutMs === 0) issues.add(['steps', i, 'timeout'], 'must be more than 0');
    switch (step.kind) {
      case 'run':
        if (typeof step.run === 'string') {
          if (step.run.includes('${{')) {
            issues.add(['steps', i, 'run'], 'a script gets params as environment variables ("$port"), never spliced into its text; or write run as a list');
          }
        } else {
          step.run.forEach((word, j) => references(['steps', i, 'run', j], word));
        }
        break;
      case 'cp':
        references(['steps', i, 'cp'], step.cp.path);
        break;
      case 'capture': {
        const c = step.capture;
        if (c.filter !== undefined) references(['steps', i, 'capture', 'filter'], c.filter);
        if (c.interface !== undefined) references(['steps', i, 'capture', 'interface'], c.interface);
        const durationMs = c.duration === undefined ? undefined : parseDuration('duration', c.duration);
        if (durationMs === 0) issues.add(['steps', i, 'capture', 'duration'], 'must be more than 0');
        if (durationMs !== undefined && timeoutMs !== undefined && timeoutMs <= durationMs) {
          issues.add(['steps', i, 'timeout'], `must be longer than the capture's duration (${c.duration})`);
        }
      }
    }
  });
}

/** Problems with their place in the file. */
class Issues {
  private readonly found: Array<{ offset: number; text: string }> = [];

  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly file: string,
  ) {}

  add(path: Path, message: string, atKey = false): void {
    const offset = this.offsetOf(path, atKey);
    const { line, col } = this.lines.linePos(offset);
    const where = path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${p}`)).join('');
    this.found.push({ offset, text: `${this.file}:${line}:${col}: ${where ? `${where}: ` : ''}${message}` });
  }

  throwIfAny(): void {
    if (!this.found.length) return;
    throw new KdbgError('config', this.found.sort((a, b) => a.offset - b.offset).map((i) => i.text).join('\n'));
  }

  /** Where the value (or the key) at `path` starts; the nearest enclosing node's start if it is not there. */
  private offsetOf(path: Path, atKey: boolean): number {
    if (atKey && path.length) {
      const parent = this.doc.getIn(path.slice(0, -1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(path[path.length - 1]));
        const start = (pair?.key as Node | undefined)?.range?.[0];
        if (start !== undefined) return start;
      }
    }
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(path.slice(0, n), true);
      const start = (node as Node | null | undefined)?.range?.[0];
      if (start !== undefined) return start;
    }
    return 0;
  }
}
