// One platform's kdbg as a single executable application: Node's SEA blob (the one-file bundle, with V8's code
// cache) injected into that platform's node with postject. The blob is made by the target's own node, under
// qemu-user for another architecture, since a code cache is specific to the CPU it was made on.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { NODE_VERSION, nodeBinary, type Platform } from './node-binaries.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
/** Debian's names for an architecture: qemu-user's emulator, and the cross libraries' and binutils' triple */
const FOREIGN = {
  x64: { qemu: 'qemu-x86_64', triple: 'x86_64-linux-gnu' },
  arm64: { qemu: 'qemu-aarch64', triple: 'aarch64-linux-gnu' },
};

/**
 * Bundles src/sea.ts into one CommonJS file: no chunks, dynamic import()s inlined (a single executable's script
 * can require only Node's built-in modules). tr46 (under @kubernetes/client-node, for a legacy auth-provider) asks
 * for Node's deprecated punycode module, which warns on stderr from code outside node_modules, as all of this is:
 * it gets the userland package of the same API instead.
 */
export async function bundleForSea(outfile: string, version: string): Promise<void> {
  await build({
    entryPoints: [join(ROOT, 'src/sea.ts')],
    outfile,
    bundle: true,
    splitting: false,
    format: 'cjs',
    platform: 'node',
    target: `node${NODE_VERSION.split('.')[0]}`,
    minify: true,
    define: { KDBG_VERSION: JSON.stringify(version) },
    alias: { punycode: 'punycode/' },
    logLevel: 'warning',
  });
}

/** Writes `out`, kdbg for `platform` from the bundle, and checks that it answers --version. */
export function buildExecutable(platform: Platform, bundle: string, out: string, version: string): void {
  const node = nodeBinary(platform);
  const work = join(dirname(bundle), platform.name);
  mkdirSync(work, { recursive: true });
  const blob = join(work, 'kdbg.blob');
  const config = join(work, 'sea-config.json');
  writeFileSync(config, JSON.stringify({
    main: bundle,
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
    // a startup snapshot measured no faster here (same CPU for --version, 8 MiB more memory)
    useSnapshot: false,
    // the user's NODE_OPTIONS is not for kdbg's Node: ignored, as are --node-options
    execArgv: [],
    execArgvExtension: 'none',
  }));
  const foreign = platform.arch === arch() ? undefined : FOREIGN[platform.arch];
  const onTarget = (file: string, args: string[]) =>
    foreign ? execFileSync(foreign.qemu, ['-L', `/usr/${foreign.triple}`, file, ...args], { encoding: 'utf8' }) : execFileSync(file, args, { encoding: 'utf8' });
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
