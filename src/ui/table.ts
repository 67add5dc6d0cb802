// kubectl-style plain tables: columns padded by three spaces, no trailing blanks; on a terminal the last column is
// cut to fit its width (`-o wide` or a pipe prints it whole). Colour, where the stream gets it, is laid over cells
// already padded and cut, so it never shifts a column.

export interface TableOptions {
  /** the terminal's width; undefined prints every cell whole */
  width?: number | undefined;
  /** false: rows only (--no-headers) */
  headers?: boolean;
  /** colours a cell's text (padding included); `row` 0 is the header row */
  style?: (text: string, row: number, col: number) => string;
}

/** `rows[0]` is the header row. Ends with a newline (nothing at all when there is nothing to print). */
export function formatTable(rows: string[][], opts: TableOptions = {}): string {
  const shown = opts.headers === false ? rows.slice(1) : rows;
  if (shown.length === 0) return '';
  const widths = rows[0]!.map((_, col) => Math.max(...shown.map((row) => row[col]!.length)));
  const first = opts.headers === false ? 1 : 0;
  const line = (row: string[], index: number) => {
    const cells = row.map((cell, col) => (col < row.length - 1 ? cell.padEnd(widths[col]! + 3) : cell));
    const plain = cells.join('').trimEnd();
    const cut = opts.width !== undefined && plain.length > opts.width ? Math.max(0, opts.width - 1) : plain.length;
    let text = '';
    let at = 0;
    for (const [col, cell] of cells.entries()) {
      const part = cell.slice(0, Math.max(0, cut - at));
      at += cell.length;
      if (part) text += opts.style ? opts.style(part, index + first, col) : part;
    }
    return cut < plain.length ? `${text}…` : text;
  };
  return `${shown.map(line).join('\n')}\n`;
}
