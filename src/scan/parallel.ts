// Both cores (or all of them): a large scan runs in worker threads, each with
// its own event loop, sockets, deadline sweep and share of the concurrency.
// This thread hands out the target index in chunks of positions on request
// (so a worker whose share is slow, say silent hosts, simply asks less often),
// and turns the records the workers post back, in batches, into one stream:
// output, checkpoint, gate and enrichment stay here, in one place.
//
// Flow control is the chunk: a worker holds at most two (the one it is
// walking and the next), and no new chunk is granted while this side has
// more than HIGH_WATER records nobody has taken yet. So a slow reader (a
// pipe, a disk) slows the workers down instead of filling memory, and the
// checkpoint's low-water mark never trails the front by more than the
// chunks in hand.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ProbePlan } from '../probes/plan.js';
import { currentTuning, type RuntimeTuning } from '../runtime/tuning.js';
import type { OrderOptions } from '../targets/order.js';
import type { SpaceParts } from '../targets/space.js';
import type { PositionedRecord, ScanOptions } from './options.js';
import type { ScanPlan } from './plan.js';
import { BatchReader, batchSize, type RecordBatch } from './record-batch.js';

/** Positions in one chunk handed to a worker, at most. */
export const CHUNK = 4096;

/**
 * The chunk size for a scan: about 16 chunks per worker, so that small scans
 * are shared too and the last chunks finish close together; never less than
 * 64 positions (a message each way per chunk), never more than CHUNK.
 */
export function chunkSize(remaining: number, workers: number): number {
  return Math.min(CHUNK, Math.max(64, Math.ceil(remaining / (workers * 16))));
}
/** Below this many targets a scan stays on one thread: starting workers would cost more. */
export const MIN_PARALLEL_TARGETS = 8192;
/** Each worker gets at least this many of the probes in flight. */
const MIN_WORKER_CONCURRENCY = 64;
/** Below this --rate one thread keeps up on its own. */
const MIN_PARALLEL_RATE = 5000;
/**
 * Each thread is a V8 heap of its own, and V8 sizes a busy heap's young
 * generation for speed, not memory: two workers at the default grew to about
 * 60 MB of heap each, and a mixed sweep peaked at 200 MB. With a 2 MB young
 * generation and a heap trim at 8 MB per worker it peaks under 140 MB, with
 * no measurable loss of speed (npm run bench).
 */
const WORKER_YOUNG_MB = 2;
export const WORKER_TRIM_BYTES = 8 * 1024 * 1024;
/** Records waiting to be taken before chunks stop being granted. */
const HIGH_WATER = 8192;
/** After a stop, how long workers may take to report before they are ended. */
const STOP_GRACE_MS = 1000;
const STOP_DEADLINE_MS = STOP_GRACE_MS + 500;

/** What a worker is started with (structured-cloned). */
export interface WorkerSetup {
  space: SpaceParts;
  order: OrderOptions;
  /** The scan's probe plan, with this worker's share of --rate: it rebuilds the kind by name. */
  probe: ProbePlan;
  concurrency: number;
  graceMs: number;
  /** The main thread's stack-trace and heap tuning (runtime/tuning.ts). */
  runtime: RuntimeTuning;
}

/** Main thread to worker. */
export type ToWorker =
  | { type: 'chunk'; from: number; to: number }
  | { type: 'end' }
  | { type: 'stop' };

/** Worker to main thread. */
export type FromWorker =
  | { type: 'want' }
  | { type: 'records'; batch: RecordBatch; inFlight: number }
  | { type: 'done' }
  | { type: 'fail'; message: string };

/**
 * How many worker threads a scan uses: the explicit `workers` option, or
 * with 'auto' (the default) one per core when the scan is big enough to
 * need more than one thread, and 0 (this thread alone) otherwise.
 */
export function workerCount(
  options: Pick<ScanOptions, 'workers' | 'rate'>,
  remaining: number,
  concurrency: number,
  cores = availableParallelism(),
): number {
  const wanted = options.workers ?? 'auto';
  if (wanted !== 'auto') {
    // Every worker needs a probe slot, a target and (with --rate) a connection a second.
    const most = Math.min(concurrency, remaining, options.rate ?? Number.POSITIVE_INFINITY);
    return Math.max(0, Math.min(Math.floor(wanted), most));
  }
  if (cores < 2 || remaining < MIN_PARALLEL_TARGETS) return 0;
  if (options.rate !== undefined && options.rate < MIN_PARALLEL_RATE) return 0;
  const n = Math.min(cores, Math.floor(concurrency / MIN_WORKER_CONCURRENCY));
  return n >= 2 ? n : 0;
}

/**
 * dist/scan/scan-worker.js, also when this module runs from src/ under the test
 * runner (a Worker cannot load TypeScript; test/global-setup.ts rebuilds a
 * dist/ older than src/ before any test runs).
 */
function workerFile(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/scan/scan-worker.js', import.meta.url)
    : new URL('./scan-worker.js', import.meta.url);
}

/** Splits `total` into `parts` shares as even as whole numbers allow (0 for extra parts). */
export function share(total: number, parts: number, index: number): number {
  const base = Math.floor(total / parts);
  return base + (index < total % parts ? 1 : 0);
}

interface Running {
  worker: Worker;
  done: boolean;
  /** Its probes in flight, as of its last batch. */
  inFlight: number;
}

/** scanPositioned over `workers` threads; records come out in completion order. */
export async function* scanInWorkers(
  options: ScanPlan,
  workers: number,
): AsyncGenerator<PositionedRecord> {
  const { signal, enrich, order, todo } = options;
  const space = order.space.toParts();
  const reader = new BatchReader(order, options.probe);

  const chunk = chunkSize(order.size - todo.count, workers);
  /** The positions still to hand out, chunk by chunk (done ones skipped). */
  const chunks = todo.gaps(todo.mark, order.size, chunk);
  let exhausted = false;
  let stopped = false;
  let failure: Error | null = null;
  /** Records ready to be yielded: batches, and the read index into the first. */
  const ready: RecordBatch[] = [];
  let readIndex = 0;
  let readyCount = 0;
  let enriching = 0;
  /** Workers that asked for a chunk while this side was full. */
  const waiting: Running[] = [];
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };

  const post = (r: Running, message: ToWorker): void => {
    if (!r.done) r.worker.postMessage(message);
  };
  const grant = (r: Running): void => {
    if (stopped || exhausted) {
      post(r, { type: 'end' });
    } else if (readyCount + enriching >= HIGH_WATER) {
      waiting.push(r);
    } else {
      const gap = chunks.next();
      if (gap.done) {
        exhausted = true;
        post(r, { type: 'end' });
      } else post(r, { type: 'chunk', from: gap.value[0], to: gap.value[1] });
    }
  };
  const push = (batch: RecordBatch): void => {
    const n = batchSize(batch);
    if (n === 0) return;
    ready.push(batch);
    readyCount += n;
    notify();
  };
  /**
   * Exposures are enriched here, as they arrive; the records waiting on it
   * count towards HIGH_WATER, which bounds them. A failing source never
   * loses an exposure.
   */
  const received = (batch: RecordBatch): void => {
    if (enrich && batch.whole.some((item) => item.record.exposed)) {
      const rest: PositionedRecord[] = [];
      for (const item of batch.whole) {
        if (!item.record.exposed) {
          rest.push(item);
          continue;
        }
        enriching++;
        const finish = (): void => {
          enriching--;
          push(single(item));
        };
        enrich(item.record).then(finish, finish);
      }
      batch.whole = rest;
    }
    push(batch);
  };

  const running: Running[] = [];
  const setup = (index: number): WorkerSetup => ({
    space,
    order: order.options,
    probe: {
      ...options.probe,
      rate: options.probe.rate ? Math.max(1, share(options.probe.rate, workers, index)) : null,
    },
    concurrency: Math.max(1, share(options.concurrency, workers, index)),
    graceMs: STOP_GRACE_MS,
    runtime: currentTuning(),
  });
  for (let i = 0; i < workers; i++) {
    const r: Running = {
      worker: new Worker(workerFile(), {
        workerData: setup(i),
        resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
      }),
      done: false,
      inFlight: 0,
    };
    r.worker.on('message', (message: FromWorker) => {
      if (message.type === 'records') {
        received(message.batch);
        r.inFlight = message.inFlight;
        if (options.gauges) options.gauges.inFlight = inFlightOf(running);
      } else if (message.type === 'want') grant(r);
      else if (message.type === 'done') {
        r.done = true;
        if (options.gauges) options.gauges.inFlight = inFlightOf(running);
        notify();
      } else if (message.type === 'fail') {
        failure ??= new Error(`scan worker failed: ${message.message}`);
        notify();
      }
    });
    r.worker.on('error', (error) => {
      failure ??= error;
      notify();
    });
    r.worker.on('exit', (code) => {
      if (!r.done && !stopped && code !== 0) {
        failure ??= new Error(`scan worker exited with code ${code}`);
      }
      r.done = true;
      notify();
    });
    running.push(r);
  }

  let deadline: NodeJS.Timeout | null = null;
  const onSignal = (): void => {
    if (stopped) return;
    stopped = true;
    for (const r of running) post(r, { type: 'stop' });
    for (const r of waiting.splice(0)) post(r, { type: 'end' });
    // A worker that cannot report in time is ended; what it had is lost, as
    // an in-flight probe cut short by the grace period would be.
    deadline = setTimeout(() => {
      for (const r of running) {
        if (!r.done) void r.worker.terminate();
      }
    }, STOP_DEADLINE_MS);
    deadline.unref();
    notify();
  };
  if (signal?.aborted) onSignal();
  else signal?.addEventListener('abort', onSignal, { once: true });

  try {
    while (true) {
      const batch = ready[0];
      if (batch) {
        const item = reader.recordAt(batch, readIndex);
        readIndex++;
        readyCount--;
        if (readIndex === batchSize(batch)) {
          ready.shift();
          readIndex = 0;
        }
        if (waiting.length > 0 && readyCount + enriching < HIGH_WATER) {
          for (const r of waiting.splice(0)) grant(r);
        }
        yield item;
        continue;
      }
      if (failure) throw failure;
      // After a stop, exposures still being enriched are dropped: never
      // written, never counted, so a resumed run probes them again.
      if (running.every((r) => r.done) && (enriching === 0 || stopped)) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    signal?.removeEventListener('abort', onSignal);
    if (deadline) clearTimeout(deadline);
    stopped = true;
    await Promise.all(running.filter((r) => !r.done).map((r) => r.worker.terminate()));
  }
}

const inFlightOf = (running: Running[]): number =>
  running.reduce((sum, r) => sum + (r.done ? 0 : r.inFlight), 0);

function single(item: PositionedRecord): RecordBatch {
  const none = new Float64Array(0);
  return {
    count: 0,
    positions: none,
    statuses: new Uint8Array(0),
    errors: new Uint8Array(0),
    times: none,
    whole: [item],
  };
}
