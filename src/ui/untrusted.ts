// Text that comes from a container or the cluster (logs, termination messages), made safe to print on a terminal.

/** Control characters (C0, DEL, C1) and bidirectional overrides, which could rewrite what the terminal shows. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Escapes what a terminal would act on (`\x1b`, `\t`, `\u{202e}`) and cuts the text to `max` characters with `…`. */
export function printable(text: string, max = 200): string {
  const escaped = text.replace(UNSAFE, (ch) => {
    if (ch === '\t') return '\\t';
    const code = ch.codePointAt(0)!;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
  const chars = [...escaped];
  return chars.length <= max ? escaped : `${chars.slice(0, max - 1).join('')}…`;
}
