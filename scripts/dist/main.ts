// npm run dist: the release folder. dist/bin: kdbg as a single executable per platform (no Node needed where it
// runs), SHA256SUMS, and kubectl-kdbg (the plugin name) linked to this machine's; dist/krew: the krew archives and
// manifest, whose URIs are under KDBG_RELEASE_URL (default: this folder, for `krew install --archive`).
import { readFileSync, rmSync, mkdirSync, symlinkSync } from 'node:fs';
import { statSync } from 'node:fs';
import { arch } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PLATFORMS } from './node-binaries.ts';
import { bundleForSea, buildExecutable } from './single-executable.ts';
import { writeChecksums } from './checksums.ts';
import { writeKrewRelease } from './krew.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const [sea, bin, krew] = ['dist/sea', 'dist/bin', 'dist/krew'].map((d) => join(ROOT, d)) as [string, string, string];

for (const dir of [sea, bin, krew]) rmSync(dir, { recursive: true, force: true });
mkdirSync(bin, { recursive: true });
const bundle = await bundleForSea(sea, version);

const executables = [];
for (const platform of PLATFORMS) {
  const file = join(bin, `kdbg-${platform.name}`);
  buildExecutable(platform, bundle, file, version);
  executables.push({ os: platform.os, arch: platform.arch, file });
  console.log(`${file}: ${(statSync(file).size / 2 ** 20).toFixed(1)} MiB`);
}
await writeChecksums(bin, executables.map((e) => e.file));
const here = PLATFORMS.find((p) => p.os === process.platform && p.arch === arch());
if (here) symlinkSync(`kdbg-${here.name}`, join(bin, 'kubectl-kdbg'));

const manifest = await writeKrewRelease({
  outDir: krew,
  version,
  license: join(ROOT, 'LICENSE'),
  baseUri: process.env.KDBG_RELEASE_URL ?? pathToFileURL(krew).href,
  executables,
});
console.log(`${join(bin, 'SHA256SUMS')}\n${manifest}`);
