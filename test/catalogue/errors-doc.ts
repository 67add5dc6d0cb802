// docs/errors.md, made from the catalogue: the exit codes (the README's table and src/errors.ts's EXIT_CODES) and
// every case, with its command line, exit code and message. `npm run docs:errors` writes it; a test keeps it fresh.
import { EXIT_CODES } from '../../src/errors.ts';
import type { Case, CaseEnv, CaseGroup } from './case.ts';
import { templateText } from './template.ts';
import { REAL_NODE_CASES, runsOnRealNode } from './on-real-node.ts';

/** What a case's arguments say where they name the case's files. */
const SHOWN_ENV = { namespace: 'NAMESPACE', dir: 'DIR', kubeconfig: 'KUBECONFIG' } as CaseEnv;

export function renderErrorsDoc(groups: CaseGroup[], readme: string): string {
  const count = groups.reduce((n, g) => n + g.cases.length, 0);
  const out = [
    '# Errors and exit codes',
    '',
    `Generated from the bad-input catalogue in test/catalogue (${count} cases) by \`npm run docs:errors\`; do not edit by hand.`,
    '',
    'Each case is a command line kdbg is run with in the test suite, against a fake API server or a server that is',
    'not one. For each, kdbg exits with the code shown and says what went wrong in one `kdbg:` line on stderr',
    '(`--verbose` adds a `caused by:` line), without a stack trace and without any token, key or credential',
    "plugin output of the kubeconfig; where a check before anything is made fails, the server holds nothing new.",
    'NAMESPACE, DIR, NAME and https://SERVER stand for what differs from run to run; … for a varying detail.',
    `${REAL_NODE_CASES.length} cases that meet the cluster also run against a real kube-apiserver and kubelet (\`npm run e2e\`), marked "real node too".`,
    '',
    '## Exit codes',
    '',
    exitCodeTable(readme),
    '',
    'By kind of error (src/errors.ts):',
    '',
    '| kind | code |',
    '|---|---|',
    ...Object.entries(EXIT_CODES).map(([kind, code]) => `| ${kind} | ${code} |`),
    '',
    '## Cases',
    '',
    ...groups.map((g) => `- [${g.title}](#${anchor(g.title)}) (${g.cases.length})`),
  ];
  for (const g of groups) {
    out.push('', `### ${g.title}`);
    for (const c of g.cases) out.push('', ...renderCase(c));
  }
  return `${out.join('\n')}\n`;
}

function renderCase(c: Case): string[] {
  const args = typeof c.args === 'function' ? c.args(SHOWN_ENV) : c.args;
  const lines = [`**${c.title}** (\`${c.id}\`)`, '', '```', `$ kdbg ${args.map(quote).join(' ')}${c.stdoutFile ? ` > ${c.stdoutFile}` : ''}`];
  if (c.stdout) lines.push(...templateText(c.stdout).trimEnd().split('\n'));
  if (c.block) lines.push('…');
  if (c.stderr) lines.push(templateText(c.stderr));
  lines.push(`# exit ${c.exit}`, '```');
  const notes = [
    c.kubeconfig && c.kubeconfig !== 'debugger' ? `kubeconfig: ${c.kubeconfig}` : '',
    c.ownCluster?.serverVersion ? `API server ${c.ownCluster.serverVersion}` : '',
    c.env ? Object.entries(c.env).map(([k, v]) => `${k}=${v}`).join(' ') : '',
    c.signal ? `${c.signal.name} while ${c.signal.phase}` : '',
    c.createsNothing ? 'nothing is created' : '',
    c.leavesNothing ? 'the copy is deleted' : '',
    runsOnRealNode(c) ? 'real node too' : '',
  ].filter(Boolean);
  if (notes.length) lines.push('', notes.join('; '));
  return lines;
}

/** The README's exit-code table, as it stands. */
function exitCodeTable(readme: string): string {
  const section = /^## Exit codes\n+([\s\S]*?)\n\n/m.exec(readme)?.[1];
  if (!section) throw new Error('README.md has no "## Exit codes" table');
  return section;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function anchor(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}
