// Bundles src/main.ts into dist/kdbg.js. Heavy modules stay behind dynamic import()s and land in their
// own chunks, so `kdbg --version` loads only the entry chunk.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

// chunk names carry content hashes: start without the last build's output so no stale chunk is left to ship
// (npm run dist's release folders beside it stay)
for (const old of ['chunks', 'kdbg.js', 'kdbg.js.map']) rmSync(new URL(`../dist/${old}`, import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: { kdbg: 'src/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.17',
  minify: true,
  sourcemap: 'linked',
  chunkNames: 'chunks/[name]-[hash]',
  define: { KDBG_VERSION: JSON.stringify(pkg.version) },
  banner: { js: "import { createRequire as __kdbgCreateRequire } from 'node:module'; const require = __kdbgCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
