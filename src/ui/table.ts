// kubectl-style plain tables: columns padded by three spaces, no trailing blanks; on a terminal the last column is
// cut to fit its width (`-o wide` or a pipe prints it whole).

export interface TableOptions {
  /** the terminal's width; undefined prints every cell whole */
  width?: number | undefined;
  /** false: rows only (--no-headers) */
  headers?: boolean;
}

/** `rows[0]` is the header row. Ends with a newline (nothing at all when there is nothing to print). */
export function formatTable(rows: string[][], opts: TableOptions = {}): string {
  const shown = opts.headers === false ? rows.slice(1) : rows;
  if (shown.length === 0) return '';
  const widths = rows[0]!.map((_, col) => Math.max(...shown.map((row) => row[col]!.length)));
  const line = (row: string[]) => {
    let text = row.map((cell, col) => (col < row.length - 1 ? cell.padEnd(widths[col]! + 3) : cell)).join('').trimEnd();
    if (opts.width !== undefined && text.length > opts.width) text = `${text.slice(0, Math.max(0, opts.width - 1))}…`;
    return text;
  };
  return `${shown.map(line).join('\n')}\n`;
}
