// The single executable's entry (npm run dist): kdbg with the Node it carries. This script stays tiny, so that
// `--version` (answered here, naming that Node) costs no more than Node's own start. Anything else runs main: the
// bundle of src/main.ts is an asset of the executable, compiled with the V8 code cache made for it at build time
// (scripts/dist/code-cache.cjs), so the functions a command runs are not compiled again on every start. Each asset
// NAME.js comes with its NAME.cache.
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

/** An asset bundle: one function expression taking what a CommonJS module gets. */
type ModuleFunction = (exports: unknown, require: (id: string) => unknown, module: { exports: unknown }, filename: string, dirname: string) => void;

function runMain(): void {
  // a single executable's own require loads Node's built-in modules only
  const { getAsset, getRawAsset } = require('node:sea') as typeof import('node:sea');
  const { Script } = require('node:vm') as typeof import('node:vm');
  const compile = (name: string) =>
    new Script(getAsset(`${name}.js`, 'utf8'), { filename: `${name}.js`, cachedData: new Uint8Array(getRawAsset(`${name}.cache`) as ArrayBuffer) }).runInThisContext() as ModuleFunction;
  // @kubernetes/client-node, which only legacy auth-providers use, is an asset of its own (most of the main bundle's
  // size otherwise): compiled when first required
  let clientNode: { exports: unknown } | undefined;
  const requireInBundle = (id: string): unknown => {
    if (id !== '@kubernetes/client-node') return require(id);
    if (clientNode) return clientNode.exports;
    // as Node's own require: in the cache before it runs, out of it if it throws
    const mod = (clientNode = { exports: {} });
    try {
      compile('client-node')(mod.exports, requireInBundle, mod, 'client-node.js', '.');
    } catch (err) {
      clientNode = undefined;
      throw err;
    }
    return mod.exports;
  };
  compile('kdbg')(exports, requireInBundle, module, __filename, __dirname);
}
