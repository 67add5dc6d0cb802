// Subsequence matching for the pickers: every character of the query appears in order. Earlier and
// contiguous matches rank higher. Small enough that a dependency would cost more than it saves.

export function fuzzyScore(query: string, text: string): number | undefined {
  const q = query.toLowerCase();
  const t = text.toLowerCase();
  let score = 0;
  let from = 0;
  let previous = -2;
  for (const ch of q) {
    if (ch === ' ') continue;
    const at = t.indexOf(ch, from);
    if (at < 0) return undefined;
    score += at === previous + 1 ? 3 : 1;
    score -= at * 0.01;
    previous = at;
    from = at + 1;
  }
  return score;
}

export function fuzzyFilter<T>(query: string | undefined, items: T[], text: (item: T) => string): T[] {
  if (!query) return items;
  return items
    .map((item) => ({ item, score: fuzzyScore(query, text(item)) }))
    .filter((x): x is { item: T; score: number } => x.score !== undefined)
    .sort((a, b) => b.score - a.score)
    .map((x) => x.item);
}
