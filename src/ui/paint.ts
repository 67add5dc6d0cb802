// Colour as color.ts decided it, one painter per stream; the only module that loads chalk.
import { Chalk } from 'chalk';

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan';

/** Paints text in a style, or leaves it as it is when this stream gets no colour. */
export interface Paint {
  (style: Style, text: string): string;
  readonly enabled: boolean;
}

export function painter(enabled: boolean): Paint {
  const chalk = new Chalk({ level: enabled ? 1 : 0 });
  return Object.assign((style: Style, text: string) => chalk[style](text), { enabled });
}
