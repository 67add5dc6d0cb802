// cobra's completion protocol, which kubectl's `__complete` speaks and kdbg's shell scripts read: one candidate a
// line, an optional TAB and description, then `:DIRECTIVE` on the last line.

export interface Candidate {
  value: string;
  description?: string | undefined;
}

/** cobra's ShellCompDirective bits */
export const Directive = {
  /** let the shell complete file names (also: no directive at all) */
  default: 0,
  noSpace: 2,
  noFileComp: 4,
} as const;

export interface Completion {
  candidates: Candidate[];
  directive: number;
}

/** Nothing to offer, and no file names either. */
export const NOTHING: Completion = { candidates: [], directive: Directive.noFileComp };

/** The answer as cobra prints it. Tabs and newlines inside a description would break the lines: made spaces. */
export function formatCompletion({ candidates, directive }: Completion): string {
  const lines = candidates.map(({ value, description }) => {
    const text = description?.replace(/\s+/g, ' ').trim();
    return text ? `${value}\t${text}` : value;
  });
  return `${[...lines, `:${directive}`].join('\n')}\n`;
}

/** The candidates that start with what was typed. */
export function startingWith(word: string, candidates: Candidate[]): Candidate[] {
  return candidates.filter((c) => c.value.startsWith(word));
}
