// An esbuild plugin: the Node built-in modules that a dependency requires at its top but uses only in functions
// kdbg's usual commands never call are loaded when first used, not at start-up. Each costs milliseconds to load:
// commander requires child_process for stand-alone executable subcommands (kdbg has none), ws requires zlib for
// permessage-deflate (kdbg turns it off). The module such an importer gets is a stand-in whose every property
// is read from the real module (process.getBuiltinModule: Node 20.16 and later).
const LAZY = {
  'child_process': ['commander'],
  'zlib': ['ws'],
};

const NAMESPACE = 'kdbg-lazy-builtin';

/** @type {import('esbuild').Plugin} */
export const lazyBuiltins = {
  name: 'lazy-builtins',
  setup(build) {
    build.onResolve({ filter: /^(node:)?(child_process|zlib)$/ }, (args) => {
      const name = args.path.replace(/^node:/, '');
      const packages = LAZY[name] ?? [];
      const from = args.importer.replaceAll('\\', '/');
      if (!packages.some((p) => from.includes(`/node_modules/${p}/`))) return undefined;
      return { path: name, namespace: NAMESPACE };
    });
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, (args) => ({
      contents: `module.exports = new Proxy({}, { get: (_, key) => process.getBuiltinModule('node:${args.path}')[key] });`,
      loader: 'js',
    }));
  },
};
