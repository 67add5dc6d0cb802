// The one place that decides whether kdbg writes colour, and whether it animates: per stream, from --color, the
// environment's conventions and whether the stream is a terminal. Everything kdbg colours (tables, the spinner,
// pickers) paints through a painter (paint.ts) made from what this decides, never through a library's own guess.

export type ColorMode = 'auto' | 'always' | 'never';
export const COLOR_MODES: ColorMode[] = ['auto', 'always', 'never'];

/**
 * `--color always|never` decides; with `auto`, FORCE_COLOR (set, and neither `0` nor `false`) turns colour on and
 * `FORCE_COLOR=0` off, as Node reads it; else NO_COLOR (set and not empty) or TERM=dumb turn it off; else colour
 * only on a terminal.
 */
export function wantsColor(mode: ColorMode, env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (mode !== 'auto') return mode === 'always';
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

/** A spinner redraws its line: only on a terminal that can move the cursor. */
export function canAnimate(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  return isTTY && env.TERM !== 'dumb';
}

/** The mode typed on the command line (`--color WHEN` or `--color=WHEN`, the last one); commander checks the value. */
export function colorFlag(args: string[]): ColorMode {
  let mode: ColorMode = 'auto';
  for (let i = 0; i < args.length; i++) {
    const value = args[i] === '--color' ? args[i + 1] : args[i]!.startsWith('--color=') ? args[i]!.slice('--color='.length) : undefined;
    if (value !== undefined && (COLOR_MODES as string[]).includes(value)) mode = value as ColorMode;
  }
  return mode;
}
