// Params: `--set NAME=VALUE` over the runbook's defaults, and `${{ params.NAME }}` references. A reference is
// replaced inside one argument (an argv word, a filter word, a path, a target): the value never meets a shell. A
// script gets the params as environment variables instead, and may not hold references.
import { UsageError } from '../errors.ts';
import type { ParamSpec } from './format.ts';

/** `${{ params.NAME }}`, spaces allowed inside the braces */
export const REFERENCE = /\$\{\{\s*params\.([a-z][a-z0-9_]*)\s*\}\}/g;
/** any `${{ … }}`, to find those that are not a param reference */
export const ANY_EXPRESSION = /\$\{\{(.*?)\}\}/g;

/** `--set k=v` words, checked before any IO; the last of a name wins. */
export function parseSets(words: string[]): Record<string, string> {
  const sets: Record<string, string> = Object.create(null);
  for (const word of words) {
    const eq = word.indexOf('=');
    const name = eq < 0 ? word : word.slice(0, eq);
    if (eq < 0 || !/^[a-z][a-z0-9_]*$/.test(name)) throw new UsageError(`--set takes NAME=VALUE with a lower-case NAME (got "${word}")`);
    sets[name] = word.slice(eq + 1);
  }
  return sets;
}

/** The value of every param: set, else its default; each matching its pattern. */
export function resolveParams(specs: Record<string, ParamSpec>, sets: Record<string, string>): Record<string, string> {
  const unknown = Object.keys(sets).filter((k) => !(k in specs));
  if (unknown.length) {
    const known = Object.keys(specs);
    throw new UsageError(`--set ${unknown[0]}: the runbook has no such param (${known.length ? `it has ${known.join(', ')}` : 'it has none'})`);
  }
  const values: Record<string, string> = Object.create(null);
  for (const [name, spec] of Object.entries(specs)) {
    const value = sets[name] ?? spec.default;
    if (value === undefined) throw new UsageError(`param ${name} has no default: pass --set ${name}=VALUE`);
    if (spec.pattern !== undefined && !new RegExp(`^(?:${spec.pattern})$`).test(value)) {
      throw new UsageError(`param ${name}: "${value}" does not match ${spec.pattern}`);
    }
    values[name] = value;
  }
  return values;
}

/** The text with every reference replaced by its value; the result is still one argument. */
export function substitute(text: string, values: Record<string, string>): string {
  return text.replace(REFERENCE, (_, name: string) => values[name]!);
}

/** The params named in a text. */
export function referencesIn(text: string): string[] {
  return [...text.matchAll(REFERENCE)].map((m) => m[1]!);
}
