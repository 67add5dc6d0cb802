// One platform's kdbg as a single executable application: Node's SEA blob injected into that platform's node with
// postject. The blob's script is src/sea.ts, which answers --version itself; its assets are the one-file bundles of
// src/main.ts and of @kubernetes/client-node, each with V8's code cache for it (code-cache.cjs). Blob and caches are
// made by the target's own node, under qemu-user for another architecture, since a code cache is specific to the V8
// and the CPU it was made on (one V8 does not take is only slower: the bundle is compiled as it runs).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { dirname, join } from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { lazyBuiltins } from '../lazy-builtins.mjs';
import { NODE_VERSION, nodeBinary, type Platform } from './node-binaries.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
/** Debian's names for an architecture: qemu-user's emulator, and the cross libraries' and binutils' triple */
const FOREIGN = {
  x64: { qemu: 'qemu-x86_64', triple: 'x86_64-linux-gnu' },
  arm64: { qemu: 'qemu-aarch64', triple: 'aarch64-linux-gnu' },
};

/** What bundleForSea writes: the executable's script; the main bundle and @kubernetes/client-node's, assets */
export interface SeaBundle {
  entry: string;
  main: string;
  clientNode: string;
}

/**
 * Bundles src/sea.ts, src/main.ts and @kubernetes/client-node each into one CommonJS file: no chunks, dynamic
 * import()s inlined (a single executable's script can require only Node's built-in modules). The main bundle
 * leaves out @kubernetes/client-node (four fifths of its size, for legacy auth-providers only), which src/sea.ts
 * loads from its own bundle when it is first required. Both are one function expression of what a CommonJS module
 * gets (exports, require, module, __filename, __dirname), which src/sea.ts calls. tr46 (under
 * @kubernetes/client-node) asks for Node's deprecated punycode module, which warns on stderr from code outside
 * node_modules, as all of this is: it gets the userland package of the same API instead.
 */
export async function bundleForSea(dir: string, version: string): Promise<SeaBundle> {
  const bundle = { entry: join(dir, 'kdbg-sea.cjs'), main: join(dir, 'kdbg.js'), clientNode: join(dir, 'client-node.js') };
  const common: BuildOptions = {
    bundle: true,
    splitting: false,
    format: 'cjs',
    platform: 'node',
    target: `node${NODE_VERSION.split('.')[0]}`,
    minify: true,
    define: { KDBG_VERSION: JSON.stringify(version) },
    alias: { punycode: 'punycode/' },
    logLevel: 'warning',
    plugins: [lazyBuiltins],
  };
  await build({ ...common, entryPoints: [join(ROOT, 'src/sea.ts')], outfile: bundle.entry });
  const moduleFunction = { banner: { js: '(function (exports, require, module, __filename, __dirname) {' }, footer: { js: '})' } };
  // its import() of @kubernetes/client-node becomes a require(), which src/sea.ts answers (a vm.Script has no import())
  await build({
    ...common,
    ...moduleFunction,
    entryPoints: [join(ROOT, 'src/main.ts')],
    outfile: bundle.main,
    external: ['@kubernetes/client-node'],
    supported: { 'dynamic-import': false },
  });
  await build({
    ...common,
    ...moduleFunction,
    stdin: { contents: "export * from '@kubernetes/client-node';", resolveDir: ROOT, loader: 'js' },
    outfile: bundle.clientNode,
  });
  return bundle;
}

/**
 * The commands whose functions the code cache holds besides the top level (code-cache.cjs), with how each ends
 * against the training server, which drops every connection: a one-shot and a listing fail at their first request;
 * a completion lists nothing.
 */
const TRAINING: { args: string[]; status: number; stderr?: string }[] = [
  { args: ['attach', 'web-0', '-c', 'app', '--', 'true'], status: 125, stderr: 'cannot talk to' },
  { args: ['ls', '-A'], status: 125, stderr: 'cannot talk to' },
  { args: ['__complete', 'attach', ''], status: 0 },
];

/** Writes `out`, kdbg for `platform` from the bundle, and checks that it answers --version. */
export function buildExecutable(platform: Platform, bundle: SeaBundle, out: string, version: string): void {
  const node = nodeBinary(platform);
  const work = join(dirname(bundle.main), platform.name);
  mkdirSync(work, { recursive: true });
  const blob = join(work, 'kdbg.blob');
  const cache = join(work, 'kdbg.cache');
  const clientNodeCache = join(work, 'client-node.cache');
  const config = join(work, 'sea-config.json');
  const foreign = platform.arch === arch() ? undefined : FOREIGN[platform.arch];
  const command = (file: string, args: string[]): [string, string[]] => (foreign ? [foreign.qemu, ['-L', `/usr/${foreign.triple}`, file, ...args]] : [file, args]);
  const onTarget = (file: string, args: string[], env = process.env) => execFileSync(...command(file, args), { encoding: 'utf8', env });

  // the main bundle's code cache, trained by the commands in turn; @kubernetes/client-node's, by loading it; V8 must
  // take both in a fresh process
  rmSync(cache, { force: true });
  rmSync(clientNodeCache, { force: true });
  const trainer = join(ROOT, 'scripts/dist/code-cache.cjs');
  // nothing of the build's environment but PATH: no NODE_OPTIONS (a V8 flag would make a cache the executable rejects)
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (const t of TRAINING) {
    const run = spawnSync(...command(node, [trainer, 'train', bundle.main, cache, ...t.args]), { env, encoding: 'utf8' });
    if (run.status !== t.status || !run.stderr.includes(t.stderr ?? '')) {
      throw new Error(`training the code cache with kdbg ${t.args.join(' ')}: exit ${run.status}, expected ${t.status}${t.stderr ? ` and "${t.stderr}"` : ''}: ${run.stderr}`);
    }
  }
  const load = spawnSync(...command(node, [trainer, 'load', bundle.clientNode, clientNodeCache]), { env, encoding: 'utf8' });
  if (load.status !== 0) throw new Error(`the code cache of ${bundle.clientNode}: exit ${load.status}: ${load.stderr}`);
  for (const [file, its] of [[bundle.main, cache], [bundle.clientNode, clientNodeCache]] as const) onTarget(node, [trainer, 'check', file, its], env);

  writeFileSync(config, JSON.stringify({
    main: bundle.entry,
    output: blob,
    disableExperimentalSEAWarning: true,
    // the script is a few lines; the main bundle has its own cache
    useCodeCache: false,
    // a startup snapshot replaces Node's own: even one with nothing of kdbg's in it made --version 1.2× node -e 0
    useSnapshot: false,
    assets: { 'kdbg.js': bundle.main, 'kdbg.cache': cache, 'client-node.js': bundle.clientNode, 'client-node.cache': clientNodeCache },
    // the user's NODE_OPTIONS is not for kdbg's Node: ignored, as are --node-options. Semi-spaces of 1 MiB: a copy or
    // transfer churns through chunks that die young, and with V8's default (up to 16 MiB each) the executable's
    // `kdbg cp` of 1 GiB on the real node peaked at 174-178 MiB against 127-130 MiB (7.3 against 7.8-8.2 s)
    execArgv: ['--max-semi-space-size=1'],
    execArgvExtension: 'none',
  }));
  onTarget(node, ['--experimental-sea-config', config]);
  copyFileSync(node, out);
  chmodSync(out, 0o755);
  // the official binaries keep their symbol table (18 MiB); Node's own exports (.dynsym) stay
  execFileSync(foreign ? `${foreign.triple}-strip` : 'strip', [out], { stdio: ['ignore', 'ignore', 'pipe'] });
  execFileSync(join(ROOT, 'node_modules/.bin/postject'), [out, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE], { stdio: ['ignore', 'ignore', 'pipe'] });
  const answer = onTarget(out, ['--version']).trim();
  const expected = `kdbg ${version} (Node v${NODE_VERSION})`;
  if (answer !== expected) throw new Error(`${out} --version printed ${JSON.stringify(answer)}, expected ${JSON.stringify(expected)}`);
}
