// The single executable's entry (npm run dist): kdbg with the Node it carries. This script stays tiny, so that
// `--version` (answered here, naming that Node) costs no more than Node's own start. Anything else runs main: the
// bundle of src/main.ts is an asset of the executable, compiled with the V8 code cache made for it at build time
// (scripts/dist/code-cache.cjs), so the functions a command runs are not compiled again on every start.
declare const KDBG_VERSION: string;

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) printVersion(`kdbg ${KDBG_VERSION} (Node ${process.version})\n`);
else runMain();

/**
 * Straight to file descriptor 1: setting up process.stdout would cost a tenth of the start. What does not go
 * through whole that way (a full non-blocking pipe, a reader gone) goes to process.stdout, as it always did.
 */
function printVersion(text: string): void {
  let written = 0;
  try {
    written = (require('node:fs') as typeof import('node:fs')).writeSync(1, text);
  } catch {
    // process.stdout says what went wrong
  }
  if (written < text.length) process.stdout.write(text.slice(written));
}

function runMain(): void {
  // a single executable's require loads Node's built-in modules only
  const { getAsset, getRawAsset } = require('node:sea') as typeof import('node:sea');
  const { Script } = require('node:vm') as typeof import('node:vm');
  // the bundle is one function expression taking what a CommonJS module gets
  const script = new Script(getAsset('kdbg.js', 'utf8'), { filename: 'kdbg.js', cachedData: new Uint8Array(getRawAsset('kdbg.cache') as ArrayBuffer) });
  const main = script.runInThisContext() as (exports: unknown, req: NodeJS.Require, mod: NodeJS.Module, filename: string, dirname: string) => void;
  main(exports, require, module, __filename, __dirname);
}
