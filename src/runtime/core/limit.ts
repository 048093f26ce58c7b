/**
 * Bounded concurrency for a reconcile's writes: many independent requests (e.g. one ManifestWork
 * per cluster) go out `limit` at a time instead of one by one, without flooding the API server.
 */

/** Runs `fn` over `items`, at most `limit` at once; resolves when all have settled (fn handles its own errors). */
export async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
