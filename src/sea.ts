// The single executable's entry (npm run dist): kdbg with the Node it carries. `--version` answers before the
// rest is evaluated and names that Node; anything else runs main, as the npm entry does.
declare const KDBG_VERSION: string;

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) process.stdout.write(`kdbg ${KDBG_VERSION} (Node ${process.version})\n`);
else void import('./main.ts');
