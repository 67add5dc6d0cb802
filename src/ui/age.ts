/** kubectl's short ages: 45s, 12m, 5h, 3d. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h}h` : `${Math.floor(h / 24)}d`;
}

export function ageOf(timestamp: Date | string | undefined, now: Date): string {
  return timestamp ? formatAge(now.getTime() - new Date(timestamp).getTime()) : '?';
}
