#!/usr/bin/env node
// kdbg's entry, CommonJS so that Node does not set up its ES module loader before it must: `kdbg --version`
// answers from package.json at about the cost of Node's own start; a shell's Tab (`kdbg __complete …`) runs
// main() from one CommonJS file and never sets it up; everything else loads the bundle.
'use strict';
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  require('node:module').enableCompileCache?.();
  if (args[0] === '__complete') require('../dist/complete.cjs');
  else import('../dist/kdbg.js');
}
