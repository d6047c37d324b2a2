/** Small statistics for benchmarks. */

/**
 * The median of a sample (NaN when empty).
 *
 * @example
 * median([3, 1, 2]); // 2
 */
export function median(xs: number[]): number {
  return percentile(xs, 50);
}

/**
 * The p-th percentile (nearest rank, p in 0..100; NaN when empty).
 *
 * @example
 * percentile([1, 2, 3, 4], 99); // 4
 */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank];
}

/**
 * Samples peak RSS while `fn` runs (every 20 ms); returns fn's result and the peak in MB.
 *
 * @example
 * const { result, peakMB } = await withPeakRss(() => decodeAll(file));
 */
export async function withPeakRss<T>(fn: () => Promise<T> | T): Promise<{ result: T; peakMB: number }> {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  try {
    const result = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakMB: peak / 1e6 };
  } finally {
    clearInterval(t);
  }
}
