// `npm run docs:errors`: writes docs/errors.md from the bad-input catalogue (test/catalogue).
import { readFileSync, writeFileSync } from 'node:fs';
import { GROUPS } from '../test/catalogue/cases.ts';
import { renderErrorsDoc } from '../test/catalogue/errors-doc.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc(GROUPS, readme));
