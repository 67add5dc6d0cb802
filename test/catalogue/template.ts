// A case's expected line is a template: literal text with placeholders for what differs from run to run. It is a
// regular expression for the test and readable text for docs/errors.md.
import type { CaseEnv } from './case.ts';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const PLACEHOLDER = /\{(ns|server|dir|name|…)\}/g;

/** The whole line, placeholders filled in for this run. */
export function templateRegex(template: string, env: Pick<CaseEnv, 'namespace' | 'dir'>): RegExp {
  let out = '';
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    out += escape(template.slice(last, m.index));
    out += { ns: escape(env.namespace), server: 'https://127\\.0\\.0\\.1:\\d+', dir: escape(env.dir), name: '[a-z0-9-]+', '…': '.+?' }[m[1] as 'ns'];
    last = m.index + m[0].length;
  }
  return new RegExp(`^${out}${escape(template.slice(last))}$`);
}

/** The line as docs/errors.md shows it. */
export function templateText(template: string): string {
  return template.replace(PLACEHOLDER, (_, p: string) => ({ ns: 'NAMESPACE', server: 'https://SERVER', dir: 'DIR', name: 'NAME', '…': '…' })[p as 'ns']!);
}
