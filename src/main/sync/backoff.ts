/**
 * How long to wait before the next attempt after `failures` failures in a row: doubling from
 * `baseMs` up to `maxMs`, with "equal jitter" (half fixed, half random) so that consoles that
 * went offline together do not all come back in the same instant.
 */
export function backoffDelay(failures: number, options: { baseMs: number; maxMs: number }, random: () => number): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
