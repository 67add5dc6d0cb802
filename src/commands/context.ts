import type { IO } from '../io.ts';

/** What main() hands every command: the words after `--`, and how to run with the process's IO. */
export interface CommandContext {
  remoteCommand: string[];
  /** runs the command's body; its number is kdbg's exit code */
  run(body: (io: IO) => Promise<number>, options?: { takesCommand?: boolean }): void;
}
