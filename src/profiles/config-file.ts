// kdbg's config file: custom profiles, a registry mirror and the default profile. Every problem is reported as one
// line `FILE:LINE:COL: PATH: what is wrong`, all of them at once, in file order.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { V1SecurityContext } from '@kubernetes/client-node';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node, Scalar, YAMLMap } from 'yaml';
import { KdbgError } from '../errors.ts';
import { BUILTIN_NAMES } from './builtin.ts';
import { parseImageReference } from '../debug/image-ref.ts';

export interface CustomProfileSpec {
  name: string;
  description?: string;
  /** a built-in or a custom profile defined above this one */
  extends?: string;
  /** always set when extends is not */
  image?: string;
  shell?: string[];
  env?: Record<string, string>;
  securityContext?: V1SecurityContext;
}

export interface ConfigFile {
  path: string;
  registry?: string;
  /** every image kdbg runs must be pinned by digest (name@sha256:…) */
  requireDigest?: boolean;
  /** a built-in or custom profile name */
  defaultProfile?: string;
  profiles: CustomProfileSpec[];
}

/** $XDG_CONFIG_HOME/kdbg/config.yaml (when set and absolute), else ~/.config/kdbg/config.yaml. */
export function defaultConfigPath(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(env.HOME || homedir(), '.config');
  return path.join(base, 'kdbg', 'config.yaml');
}

/** Reads `--config PATH` (which must exist) or the default path (which may be absent: then undefined). */
export async function readConfigFile(configPath: string | undefined, env: NodeJS.ProcessEnv): Promise<ConfigFile | undefined> {
  const file = configPath ?? defaultConfigPath(env);
  let text: string;
  try {
    // read as the kubeconfig is: a small file, at start, where an async read waits for the thread pool to start
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const absent = code === 'ENOENT' || code === 'ENOTDIR';
    if (absent && configPath === undefined) return undefined;
    if (absent) throw new KdbgError('config', `config file ${file} does not exist`);
    throw new KdbgError('config', `cannot read config file ${file}: ${code ?? String(err)}`, { cause: err });
  }
  return parseConfig(text, file);
}

type Issue = [key: string, message: string];
type Spec = Omit<CustomProfileSpec, 'name'>;
type Schema =
  | { type: 'string'; check?: (value: string) => string | undefined }
  | { type: 'boolean' }
  | { type: 'id' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'list'; of: Schema; nonEmpty?: boolean }
  | { type: 'map'; key: (key: string) => string | undefined; of: Schema }
  | { type: 'object'; fields: Record<string, Schema>; required?: string; refine?: (value: Record<string, unknown>) => Issue[] };

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const MAX_NAME = 20;
const HOST_PART = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `${HOST_PART}(?:\\.${HOST_PART})*(?::[0-9]+)?`;
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const REGISTRY = new RegExp(`^${DOMAIN}(?:/${COMPONENT})*$`);

function imageProblem(image: string): string | undefined {
  const ref = parseImageReference(image);
  if (!ref) return `"${image}" is not a valid image reference`;
  if (ref.digest) return undefined;
  if (!ref.tag) return `"${image}" has no tag; pin a version tag or a digest (@sha256:...)`;
  if (ref.tag === 'latest') return `"${image}" is not pinned; use a version tag or a digest (@sha256:...) instead of :latest`;
  return undefined;
}

function envNameProblem(name: string): string | undefined {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return 'not a valid variable name (letters, digits and _, not starting with a digit)';
  return name.startsWith('KDBG_') ? 'names starting with KDBG_ are reserved for kdbg' : undefined;
}

const capability: Schema = {
  type: 'string',
  check: (c) =>
    /^CAP_[A-Z]/.test(c)
      ? `write ${c.slice(4)}, without CAP_`
      : /^[A-Z][A-Z0-9_]*$/.test(c)
        ? undefined
        : `"${c}" is not a capability name (upper case, like NET_ADMIN)`,
};

function localhostProfile(value: Record<string, unknown>): Issue[] {
  if (value.type === 'Localhost') return value.localhostProfile === undefined ? [['type', 'Localhost needs localhostProfile']] : [];
  return value.localhostProfile === undefined ? [] : [['localhostProfile', 'is only allowed with type Localhost']];
}

/** seccompProfile and appArmorProfile */
const confinement: Schema = {
  type: 'object',
  fields: { type: { type: 'enum', values: ['RuntimeDefault', 'Unconfined', 'Localhost'] }, localhostProfile: { type: 'string' } },
  required: 'type',
  refine: localhostProfile,
};

const securityContext: Schema = {
  type: 'object',
  fields: {
    capabilities: { type: 'object', fields: { add: { type: 'list', of: capability }, drop: { type: 'list', of: capability } } },
    runAsUser: { type: 'id' },
    runAsGroup: { type: 'id' },
    runAsNonRoot: { type: 'boolean' },
    allowPrivilegeEscalation: { type: 'boolean' },
    privileged: { type: 'boolean' },
    readOnlyRootFilesystem: { type: 'boolean' },
    seccompProfile: confinement,
    appArmorProfile: confinement,
    seLinuxOptions: {
      type: 'object',
      fields: { user: { type: 'string' }, role: { type: 'string' }, type: { type: 'string' }, level: { type: 'string' } },
    },
    procMount: { type: 'enum', values: ['Default', 'Unmasked'] },
  },
  refine: (sc) => [
    ...(sc.privileged === true && sc.allowPrivilegeEscalation === false
      ? [['privileged', 'cannot be true when allowPrivilegeEscalation is false'] as Issue]
      : []),
    ...(sc.runAsNonRoot === true && sc.runAsUser === 0 ? [['runAsUser', '0 (root) contradicts runAsNonRoot: true'] as Issue] : []),
    // the idle program keeps its state in /tmp: such a container could never be used, nor removed
    ...(sc.readOnlyRootFilesystem === true
      ? [['readOnlyRootFilesystem', "cannot be true: kdbg's debug container writes its state to /tmp"] as Issue]
      : []),
  ],
};

const profileSchema: Schema = {
  type: 'object',
  fields: {
    description: { type: 'string', check: (d) => (d.includes('\n') ? 'must be a single line' : undefined) },
    extends: { type: 'string' },
    image: { type: 'string', check: imageProblem },
    shell: { type: 'list', nonEmpty: true, of: { type: 'string', check: (s) => (s ? undefined : 'must not be empty') } },
    env: { type: 'map', key: envNameProblem, of: { type: 'string' } },
    securityContext,
  },
};

const topSchema: Schema = {
  type: 'object',
  fields: {
    registry: {
      type: 'string',
      check: (r) =>
        REGISTRY.test(r) ? undefined : 'must be a registry host with an optional path, like mirror.example.com/hub (no scheme, no trailing /)',
    },
    defaultProfile: { type: 'string' },
    requireDigest: { type: 'boolean' },
    profiles: { type: 'map', key: profileNameProblem, of: profileSchema },
  },
};

/** Validates the text of a config file; `file` is only used in messages and as the profiles' source. */
export function parseConfig(text: string, file: string): ConfigFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const at = lines.linePos(syntax.pos[0]);
    const message = syntax.code === 'MULTIPLE_DOCS' ? 'a config file holds a single document' : syntax.message.split('\n')[0];
    throw new KdbgError('config', `${file}:${at.line}:${at.col}: invalid YAML: ${message}`);
  }
  const reader = new Reader(doc, text, lines, file);
  const config = reader.config();
  if (reader.issues.length) {
    throw new KdbgError(
      'config',
      reader.issues
        .sort((a, b) => a.offset - b.offset)
        .map((i) => i.text)
        .join('\n'),
    );
  }
  return config;
}

class Reader {
  readonly issues: Array<{ offset: number; text: string }> = [];

  constructor(
    private readonly doc: Document,
    private readonly text: string,
    private readonly lines: LineCounter,
    private readonly file: string,
  ) {}

  /** The schema first; names (extends, defaultProfile) only once it holds. */
  config(): ConfigFile {
    const root = this.resolve(this.doc.contents);
    if (root === undefined) return { path: this.file, profiles: [] };
    const top = this.read(root, topSchema, '') as Omit<ConfigFile, 'path' | 'profiles'> & { profiles?: Record<string, Spec> };
    if (this.issues.length) return { path: this.file, profiles: [] };
    const profilesNode = isMap(root) ? this.resolve(root.get('profiles', true)) : undefined;
    const profiles = isMap(profilesNode) ? this.profiles(profilesNode, top.profiles ?? {}) : [];
    if (top.requireDigest && isMap(profilesNode)) this.digestsRequired(profilesNode, profiles);
    const known = [...BUILTIN_NAMES, ...profiles.map((p) => p.name)];
    if (top.defaultProfile !== undefined && !known.includes(top.defaultProfile)) {
      this.fail((root as YAMLMap).get('defaultProfile', true) as Node, 'defaultProfile', unknownProfile(top.defaultProfile, known));
    }
    return { path: this.file, ...top, profiles };
  }

  /** In file order; `extends` may name only a built-in or a profile above. */
  private profiles(map: YAMLMap, specs: Record<string, Spec>): CustomProfileSpec[] {
    const names = map.items.map((pair) => String((pair.key as Scalar).value));
    return names.map((name, i) => {
      const spec = specs[name] ?? {};
      const at = `profiles.${name}`;
      const base = spec.extends;
      if (base === undefined && spec.image === undefined) {
        this.fail(map.items[i]!.key as Node, at, 'image is required unless the profile extends another');
      } else if (base !== undefined && !BUILTIN_NAMES.includes(base) && !names.slice(0, i).includes(base)) {
        const why =
          base === name
            ? 'a profile cannot extend itself'
            : names.includes(base)
              ? `"${base}" is defined further down; move it above "${name}"`
              : unknownProfile(base, [...BUILTIN_NAMES, ...names]);
        this.fail((this.resolve(map.items[i]!.value) as YAMLMap).get('extends', true) as Node, `${at}.extends`, why);
      }
      return { name, ...spec };
    });
  }

  /** With requireDigest: true, a profile's own image must name a digest (an inherited one is checked when used). */
  private digestsRequired(map: YAMLMap, profiles: CustomProfileSpec[]): void {
    for (const [i, p] of profiles.entries()) {
      if (p.image === undefined || parseImageReference(p.image)?.digest) continue;
      const node = (this.resolve(map.items[i]!.value) as YAMLMap).get('image', true) as Node;
      this.fail(node, `profiles.${p.name}.image`, `"${p.image}" is not pinned by digest, which requireDigest: true demands (name@sha256:…)`);
    }
  }

  /** The value at `node` if it matches `schema`, else undefined (with the problems recorded). */
  private read(node: Node, schema: Schema, at: string): unknown {
    const before = this.issues.length;
    const value = this.decode(node, schema, at);
    return this.issues.length === before ? value : undefined;
  }

  private decode(node: Node, schema: Schema, at: string): unknown {
    const value = isScalar(node) ? node.value : undefined;
    switch (schema.type) {
      case 'string': {
        if (typeof value !== 'string') {
          const hint = isScalar(node) ? `; quote it: "${this.source(node)}"` : '';
          return this.fail(node, at, `must be a string (got ${this.describe(node)}${hint})`);
        }
        const problem = schema.check?.(value);
        return problem ? this.fail(node, at, problem) : value;
      }
      case 'boolean':
        return typeof value === 'boolean' ? value : this.fail(node, at, `must be true or false (got ${this.describe(node)})`);
      case 'id':
        return Number.isInteger(value) && (value as number) >= 0 && (value as number) <= 2147483647
          ? value
          : this.fail(node, at, `must be an integer from 0 to 2147483647 (got ${this.describe(node)})`);
      case 'enum':
        return typeof value === 'string' && schema.values.includes(value)
          ? value
          : this.fail(node, at, `must be one of ${schema.values.join(', ')} (got ${this.describe(node)})`);
      case 'list': {
        if (!isSeq(node)) return this.fail(node, at, `must be a list (got ${this.describe(node)})`);
        if (schema.nonEmpty && node.items.length === 0) return this.fail(node, at, 'must not be empty');
        return node.items.map((item, i) => {
          const resolved = this.resolve(item);
          return resolved ? this.decode(resolved, schema.of, `${at}[${i}]`) : this.fail(item as Node, `${at}[${i}]`, 'must not be empty');
        });
      }
      case 'map':
      case 'object':
        return this.mapping(node, schema, at);
    }
  }

  private mapping(node: Node, schema: Extract<Schema, { type: 'map' | 'object' }>, at: string): unknown {
    if (!isMap(node)) return this.fail(node, at, `must be a mapping (got ${this.describe(node)})`);
    const result: Record<string, unknown> = Object.create(null); // an env var may be called __proto__
    const before = this.issues.length;
    for (const pair of node.items) {
      const keyNode = pair.key as Node;
      if (!isScalar(keyNode)) {
        this.fail(keyNode, at, 'keys must be plain names');
        continue;
      }
      const key = String(keyNode.value);
      const path = at ? `${at}.${key}` : key;
      let valueSchema: Schema | undefined;
      if (schema.type === 'map') {
        const problem = schema.key(key);
        if (problem) this.fail(keyNode, path, problem);
        else valueSchema = schema.of;
      } else {
        valueSchema = schema.fields[key];
        if (!valueSchema) this.fail(keyNode, path, `unknown key (expected one of ${Object.keys(schema.fields).join(', ')})`);
      }
      const value = valueSchema && this.child(pair.value as Node, valueSchema, path);
      if (value !== undefined) result[key] = value;
    }
    if (schema.type === 'object' && this.issues.length === before) {
      if (schema.required && result[schema.required] === undefined) return this.fail(node, at, `${schema.required} is required`);
      for (const [key, message] of schema.refine?.(result) ?? []) this.fail(node.get(key, true), `${at}.${key}`, message);
    }
    return result;
  }

  /** A value inside a mapping; an empty (null) value counts as absent. */
  private child(node: Node, schema: Schema, at: string): unknown {
    const resolved = this.resolve(node);
    return resolved === undefined ? undefined : this.decode(resolved, schema, at);
  }

  private resolve(node: unknown): Node | undefined {
    const target = isAlias(node) ? node.resolve(this.doc) : (node as Node | null | undefined);
    return target == null || (isScalar(target) && target.value === null) ? undefined : target;
  }

  private describe(node: Node): string {
    if (isMap(node)) return 'a mapping';
    if (isSeq(node)) return 'a list';
    return this.source(node);
  }

  private source(node: Node): string {
    return this.text.slice(node.range![0], node.range![1]).trim();
  }

  private fail(node: Node | null | undefined, at: string, message: string): undefined {
    const offset = node?.range?.[0] ?? 0;
    const { line, col } = this.lines.linePos(offset);
    this.issues.push({ offset, text: `${this.file}:${line}:${col}: ${at ? `${at}: ` : ''}${message}` });
    return undefined;
  }
}

function profileNameProblem(name: string): string | undefined {
  if (BUILTIN_NAMES.includes(name)) {
    return `"${name}" is a built-in profile and cannot be redefined; choose another name and use "extends: ${name}"`;
  }
  if (!LABEL.test(name)) {
    return 'a profile name must be lower-case letters, digits and -, starting and ending with a letter or digit';
  }
  if (name.length > MAX_NAME) return `a profile name must be at most ${MAX_NAME} characters (this one has ${name.length})`;
  return undefined;
}

function unknownProfile(name: string, known: string[]): string {
  return `unknown profile "${name}" (known: ${known.join(', ')})`;
}
