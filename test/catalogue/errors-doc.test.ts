// docs/errors.md is what the catalogue says, and the README links to it.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { GROUPS } from './cases.ts';
import { renderErrorsDoc } from './errors-doc.ts';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

it('docs/errors.md is up to date (else: npm run docs:errors)', () => {
  expect(read('docs/errors.md') === renderErrorsDoc(GROUPS, read('README.md')), 'docs/errors.md is stale: run npm run docs:errors').toBe(true);
});

it("the README's exit codes link to docs/errors.md", () => {
  expect(read('README.md')).toMatch(/## Exit codes\n[\s\S]*\(docs\/errors\.md\)[\s\S]*## Profiles/);
});
