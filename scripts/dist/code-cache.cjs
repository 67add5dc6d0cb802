// The V8 code caches of the single executable's bundles (single-executable.ts), made by the very Node the executable
// carries (under qemu-user for another architecture), since V8 takes a cache only from its own version with the
// same flags. Plain CommonJS: that Node runs it as it is. A bundle gets what src/sea.ts gives it: a require of
// Node's built-in modules only.
//
//   node code-cache.cjs train BUNDLE CACHE ARGS...   compiles BUNDLE as src/sea.ts does (with CACHE, if there is one
//                                                    yet) and runs kdbg ARGS; at its exit, CACHE holds what V8 then
//                                                    had compiled, so runs one after the other add up
//   node code-cache.cjs load BUNDLE CACHE            compiles BUNDLE and runs it as a module (its top level only)
//   node code-cache.cjs check BUNDLE CACHE           exits 0 if V8 takes CACHE for BUNDLE
//
// A cache made right after compiling holds the top level alone, and a command then compiles each function it runs
// as it first calls it; a cache made after running a command holds those functions too. The training commands run
// against an API server that takes each connection and drops it, so they go through start-up, the command line,
// the kubeconfig, the client and its requests, and the error report (single-executable.ts checks they got there).
'use strict';
const { existsSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { isBuiltin } = require('node:module');
const { basename } = require('node:path');
const { Script } = require('node:vm');

const [mode, bundle, cache, ...args] = process.argv.slice(2);
const source = readFileSync(bundle, 'utf8');
const cachedData = existsSync(cache) ? readFileSync(cache) : undefined;
const script = new Script(source, { filename: basename(bundle), cachedData });
const builtinRequire = (id) => {
  if (!isBuiltin(id)) throw Object.assign(new Error(`No such built-in module: ${id}`), { code: 'ERR_UNKNOWN_BUILTIN_MODULE' });
  return require(id);
};

if (mode === 'check') {
  if (!cachedData || script.cachedDataRejected) {
    process.stderr.write(`${cache}: V8 ${cachedData ? 'rejects it' : 'has no cache'} for ${bundle}\n`);
    process.exit(1);
  }
} else if (mode === 'load') {
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, builtinRequire, mod, basename(bundle), '.');
  writeFileSync(cache, script.createCachedData());
} else if (mode === 'train') {
  if (cachedData && script.cachedDataRejected) throw new Error(`${cache}: rejected by this Node`);
  const { mkdtempSync } = require('node:fs');
  const { createServer } = require('node:net');
  const { tmpdir } = require('node:os');
  const { join } = require('node:path');
  // the API server of the training kubeconfig: every connection is taken, then dropped
  const server = createServer((socket) => socket.destroy());
  server.listen(0, '127.0.0.1', () => {
    server.unref();
    // this folder is also the config home: no kdbg config file
    const dir = mkdtempSync(join(tmpdir(), 'kdbg-code-cache-'));
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: training, cluster: {server: "https://127.0.0.1:' + server.address().port + '"}}]',
      'users: [{name: training, user: {token: training}}]',
      'contexts: [{name: training, context: {cluster: training, user: training, namespace: training}}]',
      'current-context: training',
      '',
    ].join('\n'));
    process.env.KUBECONFIG = kubeconfig;
    process.env.XDG_CONFIG_HOME = dir;
    process.argv = [process.argv[0], 'kdbg', ...args];
    process.once('exit', () => {
      writeFileSync(cache, script.createCachedData());
      rmSync(dir, { recursive: true, force: true });
    });
    script.runInThisContext()(exports, builtinRequire, module, __filename, __dirname);
  });
} else {
  throw new Error(`usage: code-cache.cjs train|load|check BUNDLE CACHE [ARGS...]`);
}
