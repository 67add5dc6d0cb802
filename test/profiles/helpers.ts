// Temp config files for the profile tests, and a way to get what a load rejects with.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { KdbgError } from '../../src/errors.ts';
import { loadProfiles } from '../../src/profiles/catalog.ts';

const dirs: string[] = [];

export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'kdbg-profiles-'));
  dirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes `text` to DIR/REL (creating folders) and returns the path. */
export function writeConfig(text: string, dir = tempDir(), rel = 'config.yaml'): string {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** The KdbgError that loading `text` as --config fails with; its message with the file path replaced by `F`. */
export async function loadError(text: string): Promise<string> {
  const file = writeConfig(text);
  try {
    await loadProfiles({ configPath: file, env: {} });
  } catch (err) {
    if (!(err instanceof KdbgError)) throw err;
    if (err.kind !== 'config') throw new Error(`error kind ${err.kind}`);
    return err.message.replaceAll(file, 'F');
  }
  throw new Error('expected the config to be refused');
}
