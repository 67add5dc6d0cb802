// The published JSON Schema (docs/runbook.schema.json) applied with ajv, its errors said in kdbg's words: one per
// problem, each at the path of the value it is about (an unknown key: at that key).
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../docs/runbook.schema.json' with { type: 'json' };

/** A problem at a path of the document: keys and list indexes from the top. */
export interface SchemaIssue {
  path: Array<string | number>;
  /** the path names a key itself, not its value */
  atKey: boolean;
  message: string;
}

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, allowUnionTypes: true });
    // the schema's own message for a rule whose generic wording would not help
    ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' });
    compiled = ajv.compile(schema);
  }
  return compiled;
}

export function schemaIssues(data: unknown): SchemaIssue[] {
  const validate = validator();
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  // a oneOf or anyOf with a message of its own stands for its branches' errors
  const summarized = errors.filter((e) => (e.keyword === 'oneOf' || e.keyword === 'anyOf') && ownMessage(e));
  const kept = errors.filter(
    (e) =>
      // a bad param name is said once, by propertyNames itself
      !e.schemaPath.includes('/propertyNames/') &&
      !summarized.some((s) => s !== e && e.schemaPath.startsWith(`${s.schemaPath}/`) && e.instancePath.startsWith(s.instancePath)),
  );
  const seen = new Set<string>();
  const issues: SchemaIssue[] = [];
  for (const e of kept) {
    const issue = describe(e);
    const key = `${issue.path.join('/')}\n${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    issues.push(issue);
  }
  return issues;
}

function ownMessage(e: ErrorObject): string | undefined {
  return (e.parentSchema as { 'x-message'?: string } | undefined)?.['x-message'];
}

function describe(e: ErrorObject): SchemaIssue {
  const path = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const known = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
      const expected = known.length ? ` (expected one of ${known.join(', ')})` : '';
      return { path: [...path, String(params.additionalProperty)], atKey: true, message: `unknown key${expected}` };
    }
    case 'propertyNames':
      return { path: [...path, String(params.propertyName)], atKey: true, message: 'a param name is lower-case letters, digits and _, starting with a letter' };
    case 'required':
      return { path, atKey: false, message: `${String(params.missingProperty)} is required` };
    case 'type':
      return { path, atKey: false, message: `must be ${article(String(params.type))} (got ${kindOf(e.data)})` };
    case 'pattern':
      return { path, atKey: false, message: ownMessage(e) ?? `must match ${String(params.pattern)}` };
    default:
      return { path, atKey: false, message: ownMessage(e) ?? e.message ?? e.keyword };
  }
}

function article(types: string): string {
  const names: Record<string, string> = { string: 'a string', array: 'a list', object: 'a mapping', integer: 'a whole number', number: 'a number', boolean: 'true or false' };
  return types
    .split(',')
    .map((t) => names[t] ?? t)
    .join(' or ');
}

function kindOf(value: unknown): string {
  if (value === null) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}
