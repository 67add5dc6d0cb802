// Decodes HTTP Warning headers (RFC 7234 §5.5) the way client-go does: only code 299 with a non-empty text counts.

const WARNING = /\s*(\d{3}) (\S+) "((?:[^"\\]|\\.)*)"(?: "[^"]*")?\s*(?:,|$)/y;

/** Texts of the 299 warnings in one header value, which may hold several, comma-separated. */
export function parseWarnings(header: string): string[] {
  const texts: string[] = [];
  WARNING.lastIndex = 0;
  while (WARNING.lastIndex < header.length) {
    const m = WARNING.exec(header);
    if (!m) break; // malformed from here on: keep what was decoded
    const text = m[3]!.replace(/\\(.)/g, '$1');
    if (m[1] === '299' && text) texts.push(text);
  }
  return texts;
}
