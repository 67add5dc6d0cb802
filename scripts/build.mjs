// Bundles src/main.ts into dist/kdbg.js. Heavy modules stay behind dynamic import()s and land in their
// own chunks, so `kdbg --version` loads only the entry chunk.
// A shell runs `kdbg __complete` on every Tab, anew each time: bin/kdbg.cjs runs it from dist/complete.cjs, the same
// main() as one CommonJS file, which Node loads tens of milliseconds sooner than the ES module and its chunks. It
// holds completion with what completion loads, and the command tree as data, made here from the commands (so a Tab
// loads neither commander nor the command modules); every other import() (a command's action, the terminal UI, an
// auth provider's library) is left to Node at run time, so completing never loads them, and so is the yaml
// package, which only kdbg's own config file needs (when profile names are completed).
import { build } from 'esbuild';
import { lazyBuiltins } from './lazy-builtins.mjs';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// chunk names carry content hashes: start without the last build's output so no stale chunk is left to ship
// (npm run dist's release folders beside it stay)
for (const old of ['chunks', 'kdbg.js', 'kdbg.js.map', 'complete.cjs', 'complete.cjs.map']) {
  rmSync(new URL(`../dist/${old}`, import.meta.url), { recursive: true, force: true });
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20.17',
  minify: true,
  sourcemap: 'linked',
  define: { KDBG_VERSION: JSON.stringify(pkg.version) },
  logLevel: 'warning',
};

await build({
  ...common,
  entryPoints: { kdbg: 'src/main.ts' },
  outdir: 'dist',
  splitting: true,
  format: 'esm',
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: "import { createRequire as __kdbgCreateRequire } from 'node:module'; const require = __kdbgCreateRequire(import.meta.url);" },
  plugins: [lazyBuiltins],
});

const completion = '/src/completion/';
const actionOrIO = /\/src\/(commands\/|main\.ts$)/;
/** which import()s stay out of dist/complete.cjs; any other is bundled */
const completionOnly = {
  name: 'completion-only',
  setup(b) {
    b.onResolve({ filter: /.*/ }, ({ kind, path, importer }) => {
      if (kind !== 'dynamic-import') return undefined;
      // a package: Node resolves it from node_modules if it is ever asked for
      if (!path.startsWith('.')) return { path, external: true };
      // what a command's action or main's IO loads: completion has answered before any of it would run
      if (actionOrIO.test(importer) && !resolve(dirname(importer), path).includes(completion)) return { path, external: true };
      return undefined;
    });
  },
};

/** describeProgram(buildProgram()), bundled without the commands' actions and run here */
async function commandTree() {
  const file = 'dist/command-tree.cjs';
  await build({
    ...common,
    minify: false,
    sourcemap: false,
    stdin: {
      contents: "import { buildProgram } from './src/program.ts'; import { describeProgram } from './src/completion/tree.ts';\n" +
        'export default describeProgram(buildProgram({ remoteCommand: [], run() {} }));',
      resolveDir: process.cwd(),
      loader: 'ts',
    },
    outfile: file,
    format: 'cjs',
    plugins: [{ name: 'no-actions', setup: (b) => b.onResolve({ filter: /.*/ }, ({ kind, path }) => (kind === 'dynamic-import' ? { path, external: true } : undefined)) }],
  });
  try {
    return createRequire(import.meta.url)(`../${file}`).default;
  } finally {
    rmSync(file);
  }
}

await build({
  ...common,
  entryPoints: ['src/main.ts'],
  outfile: 'dist/complete.cjs',
  format: 'cjs',
  define: { ...common.define, KDBG_COMMAND_TREE: JSON.stringify(await commandTree()) },
  plugins: [completionOnly],
  external: ['yaml'],
});
