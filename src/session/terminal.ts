// The local terminal during a TTY session: raw mode that is always undone, and size changes.
import type { ReadStream, WriteStream } from 'node:tty';
import type { TerminalSize } from './remote-exec.ts';

export interface LocalTerminal {
  size(): TerminalSize;
  onResize(listener: (size: TerminalSize) => void): () => void;
  /** idempotent (and Node itself resets the terminal's mode when the process exits) */
  restore(): void;
}

export function enterRawMode(stdin: ReadStream, stdout: WriteStream): LocalTerminal {
  const wasRaw = stdin.isRaw;
  stdin.setRawMode(true);
  // libuv's raw mode keeps output post-processing (ONLCR), so the remote pty's \r\n would arrive as \r\r\n and
  // a full-screen program's bare \n would move the cursor to column 0. Turn it off as cfmakeraw (kubectl, ssh)
  // does; setRawMode(false) restores the terminal's saved settings, this included.
  // (child_process is loaded here, not with this module: a piped session never needs it)
  process.getBuiltinModule('node:child_process').spawnSync('stty', ['-opost'], { stdio: [stdin, 'ignore', 'ignore'] });
  let restored = false;
  const restore = () => {
    if (restored) return;
    restored = true;
    stdin.setRawMode(wasRaw);
    stdin.pause();
  };
  const size = () => ({ columns: stdout.columns || 80, rows: stdout.rows || 24 });
  return {
    size,
    onResize(listener) {
      const handler = () => listener(size());
      stdout.on('resize', handler);
      return () => stdout.off('resize', handler);
    },
    restore,
  };
}
