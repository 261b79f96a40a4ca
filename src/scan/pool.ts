// Bounded concurrency over a lazy source: an item is pulled only when a slot
// is free and the consumer is keeping up, so a /8 never becomes 16.7 million
// pending promises. Results come out in completion order.

import { TokenBucket } from '../net/token-bucket.js';

/** A started unit of work that can be cut short. */
export interface Task {
  abort(): void;
}

/**
 * A source that arrives in batches, e.g. ranges of positions handed out by
 * another thread: one promise per batch, none per item.
 */
export class Batches<T> {
  constructor(readonly batches: AsyncIterable<Iterable<T>>) {}
}

/** What runPool pulls from: items now, items later, or batches of items later. */
export type PoolSource<T> = Iterable<T> | AsyncIterable<T> | Batches<T>;

/** Starts work on one item; calls `done` exactly once, maybe never after `abort()`. */
export type StartTask<T, R> = (item: T, done: (result: R) => void) => Task;

export interface PoolOptions {
  /** Tasks in flight at once. */
  concurrency: number;
  /** New tasks per second at most (token bucket); unlimited when absent or 0. */
  rate?: number;
  /** A bucket shared with other connection makers; takes precedence over `rate`. */
  bucket?: TokenBucket | null;
  /** Stops pulling; in-flight tasks get `graceMs` to finish, then are aborted. */
  signal?: AbortSignal;
  /** How long in-flight tasks may run on after the signal (default 1000 ms). */
  graceMs?: number;
  /** Kept equal to the tasks in flight, for monitoring (--metrics). */
  gauge?: { inFlight: number };
}

/** Runs `start` over `source` with at most `concurrency` tasks in flight. */
export async function* runPool<T, R>(
  source: PoolSource<T>,
  start: StartTask<T, R>,
  options: PoolOptions,
): AsyncGenerator<R> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const highWater = Math.max(64, concurrency);
  const batchIt = source instanceof Batches ? source.batches[Symbol.asyncIterator]() : null;
  /** The sync iterator being drained: the whole source, or the current batch. */
  let syncIt =
    !batchIt && Symbol.iterator in source ? (source as Iterable<T>)[Symbol.iterator]() : null;
  const asyncIt = batchIt || syncIt ? null : (source as AsyncIterable<T>)[Symbol.asyncIterator]();
  const bucket =
    options.bucket ?? (options.rate && options.rate > 0 ? new TokenBucket(options.rate) : null);

  const inFlight = new Set<Task>();
  const gauge = options.gauge;
  const results: R[] = [];
  let head = 0;
  let exhausted = false;
  let stopped = false;
  let pulling = false;
  let failure: { error: unknown } | null = null;
  let wake: (() => void) | null = null;
  let rateTimer: NodeJS.Timeout | null = null;
  let graceTimer: NodeJS.Timeout | null = null;
  let pumping = false;
  let again = false;

  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };

  const launch = (item: T): void => {
    let finished = false;
    let cancelled = false;
    const inner = start(item, (result) => {
      if (finished) return;
      finished = true;
      inFlight.delete(handle);
      if (gauge) gauge.inFlight = inFlight.size;
      // A task that ends on its own is kept, even after the signal (the grace
      // period); one cut short by abort() has no result to report.
      if (!cancelled) results.push(result);
      notify();
      pump();
    });
    const handle: Task = {
      abort: () => {
        cancelled = true;
        inner.abort();
      },
    };
    if (!finished) inFlight.add(handle);
    if (gauge) gauge.inFlight = inFlight.size;
  };

  const fail = (error: unknown): void => {
    failure = { error };
    stop();
  };

  /** Asks an async source for its next value; the pool waits (pulling) until it comes. */
  const pullAsync = <V>(it: AsyncIterator<V>, take: (value: V) => void): void => {
    pulling = true;
    it.next().then(
      (next) => {
        pulling = false;
        if (next.done) exhausted = true;
        else take(next.value);
        notify();
        pump();
      },
      (error: unknown) => {
        pulling = false;
        fail(error);
        notify();
      },
    );
  };

  const pump = (): void => {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      do {
        again = false;
        while (
          !stopped &&
          !exhausted &&
          !pulling &&
          inFlight.size < concurrency &&
          results.length - head < highWater
        ) {
          if (bucket) {
            const wait = bucket.take();
            if (wait > 0) {
              rateTimer ??= setTimeout(() => {
                rateTimer = null;
                pump();
              }, wait);
              break;
            }
          }
          if (syncIt) {
            const next = syncIt.next();
            if (!next.done) launch(next.value);
            else if (batchIt) syncIt = null;
            else exhausted = true;
          } else if (batchIt) {
            pullAsync(batchIt, (batch) => {
              syncIt = batch[Symbol.iterator]();
            });
          } else if (asyncIt) {
            pullAsync(asyncIt, (item) => {
              if (!stopped) launch(item);
            });
          }
        }
      } while (again);
    } catch (error) {
      fail(error);
    } finally {
      pumping = false;
    }
    notify();
  };

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    if (rateTimer) clearTimeout(rateTimer);
    rateTimer = null;
  };

  const abortAll = (): void => {
    for (const task of [...inFlight]) task.abort();
    inFlight.clear();
    if (gauge) gauge.inFlight = 0;
    notify();
  };

  const onSignal = (): void => {
    stop();
    if (inFlight.size > 0) graceTimer = setTimeout(abortAll, options.graceMs ?? 1000);
    notify();
  };
  if (options.signal?.aborted) onSignal();
  else options.signal?.addEventListener('abort', onSignal, { once: true });

  try {
    pump();
    while (true) {
      if (head < results.length) {
        const result = results[head] as R;
        results[head] = undefined as R;
        head++;
        if (head >= 1024 && head * 2 >= results.length) {
          results.splice(0, head);
          head = 0;
        }
        yield result;
        pump();
        continue;
      }
      if (failure) throw (failure as { error: unknown }).error;
      if ((exhausted || stopped) && inFlight.size === 0 && !pulling) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    stop();
    options.signal?.removeEventListener('abort', onSignal);
    if (graceTimer) clearTimeout(graceTimer);
    abortAll();
    if (!exhausted) {
      if (syncIt?.return) syncIt.return();
      if (batchIt?.return) await batchIt.return();
      else if (asyncIt?.return) await asyncIt.return();
    }
  }
}
