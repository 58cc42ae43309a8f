import { isDatabaseUnavailable } from "./errors.js";

interface Pending<T, R> {
  item: T;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Group commit: items that arrive while a commit is being prepared or is in flight are
 * coalesced into the next single write transaction, so many concurrent requests cost one
 * commit (one fsync locally, one round trip to Turso) instead of one each. Each caller still
 * learns only after its own item is committed. `commit` writes a batch in one transaction and
 * answers one result per item; a batch weighs at most `maxWeight` (at least one item).
 */
export function createGroupCommit<T, R>(options: {
  commit: (items: T[]) => Promise<R[]>;
  weight?: (item: T) => number;
  maxWeight: number;
}): (item: T) => Promise<R> {
  const weight = options.weight ?? (() => 1);
  let queue: Pending<T, R>[] = [];
  let running = false;

  const takeBatch = (): Pending<T, R>[] => {
    let size = 0;
    let n = 0;
    while (n < queue.length && (n === 0 || size + weight(queue[n]!.item) <= options.maxWeight)) size += weight(queue[n++]!.item);
    const batch = queue.slice(0, n);
    queue = queue.slice(n);
    return batch;
  };

  const commit = async (batch: Pending<T, R>[]) => {
    try {
      const results = await options.commit(batch.map((p) => p.item));
      for (const [i, p] of batch.entries()) p.resolve(results[i]!);
    } catch (error) {
      if (batch.length === 1 || isDatabaseUnavailable(error)) {
        for (const p of batch) p.reject(error);
        return;
      }
      // One bad item must not fail its neighbours: commit each on its own.
      for (const p of batch) await commit([p]);
    }
  };

  const drain = async () => {
    running = true;
    try {
      // Let the requests that arrived in the same turn of the event loop join this batch.
      await new Promise((resolve) => setImmediate(resolve));
      while (queue.length > 0) await commit(takeBatch());
    } finally {
      running = false;
    }
  };

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!running) void drain();
    });
}
