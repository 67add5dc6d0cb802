import { describe, expect, it } from 'vitest';
import { EscapeFilter, parseEscapeChar } from '../../src/session/escape.ts';

function run(chunks: string[]): { out: string; escaped: boolean } {
  let escaped = false;
  const f = new EscapeFilter(0x7e, () => (escaped = true));
  let out = '';
  f.on('data', (d: Buffer) => (out += d.toString()));
  for (const c of chunks) f.write(Buffer.from(c));
  return { out, escaped };
}

describe('~. escape', () => {
  it('ends the session at the start of the input or after a newline, even split across reads', () => {
    expect(run(['~.'])).toEqual({ out: '', escaped: true });
    expect(run(['ls\r', '~', '.'])).toEqual({ out: 'ls\r', escaped: true });
    expect(run(['echo\n~.rest'])).toEqual({ out: 'echo\n', escaped: true });
  });

  it('passes ~ through in the middle of a line, and ~~ as one ~', () => {
    expect(run(['a~.b'])).toEqual({ out: 'a~.b', escaped: false });
    expect(run(['~~.'])).toEqual({ out: '~.', escaped: false });
    expect(run(['~x'])).toEqual({ out: '~x', escaped: false });
  });

  it('takes one character or none', () => {
    expect(parseEscapeChar('none')).toBeUndefined();
    expect(parseEscapeChar('^')).toBe(0x5e);
    expect(() => parseEscapeChar('ab')).toThrow('--escape-char takes one character or "none"');
  });
});
