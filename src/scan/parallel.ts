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
import { currentTuning, type RuntimeTuning, whileWorkersStart } from '../runtime/tuning.js';
import type { OrderOptions, TargetOrder } from '../targets/order.js';
import type { SpaceParts } from '../targets/space.js';
import type { PositionedRecord, ScanOptions } from './options.js';
import type { PlainTally, ScanPlan } from './plan.js';
import { Wakeup } from './pool.js';
import { BatchReader, batchSize, type RecordBatch, weightAt } from './record-batch.js';

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
/**
 * Below this --rate one thread keeps up on its own, and a worker thread (a
 * heap and an event loop, about 12 MB) would cost memory for nothing: one
 * thread held 20,000 new connections a second on a dropping /18 with 1.5 s of
 * CPU, where two workers took the same time and 25 MB more (npm run bench).
 */
export const MIN_PARALLEL_RATE = 25_000;
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
  /** Start below `concurrency` and grow as the worker can use more (scan/ramp.ts). */
  ramp: boolean;
  /** Its share of the descriptor budget. */
  sockets: number;
  graceMs: number;
  /** The main thread's stack-trace and heap tuning (runtime/tuning.ts). */
  runtime: RuntimeTuning;
}

/** Main thread to worker. */
export type ToWorker =
  | { type: 'chunk'; from: number; to: number }
  /** Records taken whose replies the worker's reply budget counted: it may read more. */
  | { type: 'taken'; bytes: number }
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
    const most = Math.min(concurrency, remaining, options.rate || Number.POSITIVE_INFINITY);
    return Math.max(0, Math.min(Math.floor(wanted), most));
  }
  if (cores < 2 || remaining < MIN_PARALLEL_TARGETS) return 0;
  if (options.rate !== undefined && options.rate > 0 && options.rate < MIN_PARALLEL_RATE) return 0;
  const n = Math.min(cores, Math.floor(concurrency / MIN_WORKER_CONCURRENCY));
  return n >= 2 ? n : 0;
}

/**
 * Set by the build in the command's bundle (scripts/bundle.js): the scan
 * worker's own bundle, beside this file's. Undefined everywhere else.
 */
declare const EPMD_SCAN_WORKER_BUNDLE: string | undefined;

/**
 * The worker's module: in the command's bundle, the worker's bundle (one
 * file to load, not 60); otherwise dist/scan/scan-worker.js, also when this
 * module runs from src/ under the test runner (a Worker cannot load
 * TypeScript; test/global-setup.ts rebuilds a dist/ older than src/ before
 * any test runs). A kind registered from a module of its own always gets
 * the module worker: the bundle has a registry of its own, which that
 * module's registration would not reach.
 */
function workerFile(probe: ProbePlan): URL {
  if (typeof EPMD_SCAN_WORKER_BUNDLE === 'string' && probe.module === null) {
    return new URL(EPMD_SCAN_WORKER_BUNDLE, import.meta.url);
  }
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/scan/scan-worker.js', import.meta.url)
    : new URL('../scan/scan-worker.js', import.meta.url);
}

/** Splits `total` into `parts` shares as even as whole numbers allow (0 for extra parts). */
export function share(total: number, parts: number, index: number): number {
  const base = Math.floor(total / parts);
  return base + (index < total % parts ? 1 : 0);
}

/** Records ready to be taken: batches from the workers, exposures once enriched. */
class ReadyRecords {
  private readonly batches: RecordBatch[] = [];
  /** The worker each batch came from. */
  private readonly sources: Running[] = [];
  private readIndex = 0;
  private count = 0;
  /** Exposures being enriched: they count towards HIGH_WATER too. */
  enriching = 0;

  constructor(
    private readonly reader: BatchReader,
    private readonly enrich: ScanOptions['enrich'],
    private readonly arrived: () => void,
    /** A record whose reply its worker's budget counted was taken. */
    private readonly taken: (from: Running, bytes: number) => void,
  ) {}

  /** More records wait than the reader should let pile up. */
  get full(): boolean {
    return this.count + this.enriching >= HIGH_WATER;
  }

  get empty(): boolean {
    return this.count === 0;
  }

  /**
   * A batch from a worker. Exposures are enriched here, as they arrive; a
   * failing source never loses an exposure.
   */
  received(batch: RecordBatch, from: Running): void {
    const enrich = this.enrich;
    if (enrich && batch.whole.some((item) => item.record.exposed)) {
      const rest: PositionedRecord[] = [];
      const restWeights: number[] = [];
      batch.whole.forEach((item, i) => {
        const weight = weightAt(batch, batch.count + i);
        if (!item.record.exposed) {
          rest.push(item);
          restWeights.push(weight);
          return;
        }
        this.enriching++;
        const finish = (): void => {
          this.enriching--;
          this.push(single(item, weight), from);
        };
        enrich(item.record).then(finish, finish);
      });
      batch.whole = rest;
      batch.weights = restWeights;
    }
    this.push(batch, from);
  }

  /**
   * Counts the compact records at the head with `tally` instead of making
   * them (they are plain: record-batch.ts); false when the head is a whole one.
   */
  tallyHead(tally: PlainTally): boolean {
    const batch = this.batches[0] as RecordBatch;
    const from = this.readIndex;
    if (from >= batch.count) return false;
    const to = this.reader.tallyFrom(batch, from, tally);
    this.count -= to - from;
    this.readIndex = to;
    if (to === batchSize(batch)) {
      this.batches.shift();
      this.sources.shift();
      this.readIndex = 0;
    }
    return true;
  }

  /** The next record (the caller checked `empty`); its reply's bytes go back to its worker. */
  take(): PositionedRecord {
    const batch = this.batches[0] as RecordBatch;
    const i = this.readIndex;
    const item = this.reader.recordAt(batch, i);
    const weight = weightAt(batch, i);
    if (weight > 0) this.taken(this.sources[0] as Running, weight);
    this.readIndex++;
    this.count--;
    if (this.readIndex === batchSize(batch)) {
      this.batches.shift();
      this.sources.shift();
      this.readIndex = 0;
    }
    return item;
  }

  private push(batch: RecordBatch, from: Running): void {
    const n = batchSize(batch);
    if (n === 0) return;
    this.batches.push(batch);
    this.sources.push(from);
    this.count += n;
    this.arrived();
  }
}

/**
 * Hands out the positions still to probe, a chunk per request. No chunk is
 * granted while the reader is behind (`held()`): the worker waits instead.
 */
class ChunkDealer {
  private readonly waiting: Running[] = [];
  private exhausted = false;
  stopped = false;

  constructor(
    private readonly chunks: Iterator<readonly [number, number]>,
    private readonly held: () => boolean,
  ) {}

  grant(r: Running): void {
    if (this.stopped || this.exhausted) {
      post(r, { type: 'end' });
    } else if (this.held()) {
      this.waiting.push(r);
    } else {
      const gap = this.chunks.next();
      if (gap.done) {
        this.exhausted = true;
        post(r, { type: 'end' });
      } else post(r, { type: 'chunk', from: gap.value[0], to: gap.value[1] });
    }
  }

  /** The reader caught up: the workers that waited get their chunks. */
  resume(): void {
    if (this.waiting.length > 0 && !this.held()) {
      for (const r of this.waiting.splice(0)) this.grant(r);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const r of this.waiting.splice(0)) post(r, { type: 'end' });
  }
}

interface Running {
  worker: Worker;
  /** It has sent its first message (or ended): it has started. */
  started: boolean;
  done: boolean;
  /** Its probes in flight, as of its last batch. */
  inFlight: number;
}

const post = (r: Running, message: ToWorker): void => {
  if (!r.done) r.worker.postMessage(message);
};

/** What the fleet tells the scan. */
interface FleetEvents {
  records(batch: RecordBatch, from: Running): void;
  want(r: Running): void;
  /** A worker ended or failed, or the in-flight count moved. */
  changed(): void;
  failed(error: Error): void;
}

/** The worker threads of one scan, started together and ended together. */
class WorkerFleet {
  readonly running: Running[] = [];
  private deadline: NodeJS.Timeout | null = null;
  stopping = false;
  /** V8's flags back as tuned, once every worker has started (runtime/tuning.ts). */
  private readonly started: () => void = whileWorkersStart();

  constructor(setups: WorkerSetup[], events: FleetEvents) {
    for (const setup of setups) {
      const r: Running = {
        worker: new Worker(workerFile(setup.probe), {
          workerData: setup,
          resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB },
        }),
        started: false,
        done: false,
        inFlight: 0,
      };
      this.listen(r, events);
      this.running.push(r);
    }
  }

  get inFlight(): number {
    return this.running.reduce((sum, r) => sum + (r.done ? 0 : r.inFlight), 0);
  }

  get allDone(): boolean {
    return this.running.every((r) => r.done);
  }

  /**
   * Asks every worker to stop. A worker that cannot report in time is ended;
   * what it had is lost, as an in-flight probe cut short by the grace period
   * would be.
   */
  stop(): void {
    this.stopping = true;
    for (const r of this.running) post(r, { type: 'stop' });
    this.deadline = setTimeout(() => {
      for (const r of this.running) if (!r.done) void r.worker.terminate();
    }, STOP_DEADLINE_MS);
    this.deadline.unref();
  }

  async end(): Promise<void> {
    this.started();
    this.stopping = true;
    if (this.deadline) clearTimeout(this.deadline);
    await Promise.all(this.running.filter((r) => !r.done).map((r) => r.worker.terminate()));
  }

  /** A worker has started (its first message) or ended: when all have, V8's flags go back. */
  private up(r: Running): void {
    if (r.started) return;
    r.started = true;
    if (this.running.every((w) => w.started)) this.started();
  }

  private listen(r: Running, events: FleetEvents): void {
    r.worker.on('message', (message: FromWorker) => {
      this.up(r);
      if (message.type === 'records') {
        events.records(message.batch, r);
        r.inFlight = message.inFlight;
        events.changed();
      } else if (message.type === 'want') events.want(r);
      else if (message.type === 'done') {
        r.done = true;
        events.changed();
      } else if (message.type === 'fail') {
        events.failed(new Error(`scan worker failed: ${message.message}`));
      }
    });
    r.worker.on('error', (error) => events.failed(error));
    r.worker.on('exit', (code) => {
      this.up(r);
      if (!r.done && !this.stopping && code !== 0) {
        events.failed(new Error(`scan worker exited with code ${code}`));
      }
      r.done = true;
      events.changed();
    });
  }
}

/** Each worker's setup: its share of the in-flight ceiling, the rate and the descriptor budget. */
function setups(order: TargetOrder, plan: ScanPlan, workers: number): WorkerSetup[] {
  const { probe, inFlight } = plan;
  const space = order.space.toParts();
  return Array.from({ length: workers }, (_, index) => ({
    space,
    order: order.options,
    probe: {
      ...probe,
      rate: probe.rate ? Math.max(1, share(probe.rate, workers, index)) : null,
    },
    concurrency: Math.max(1, share(inFlight.ceiling, workers, index)),
    ramp: inFlight.ramp,
    sockets: Math.max(1, share(inFlight.sockets, workers, index)),
    graceMs: STOP_GRACE_MS,
    runtime: currentTuning(),
  }));
}

/** scanPositioned over `workers` threads; records come out in completion order. */
export async function* scanInWorkers(
  order: TargetOrder,
  plan: ScanPlan,
  workers: number,
): AsyncGenerator<PositionedRecord> {
  const { signal, gauges, todo, tally } = plan;
  let failure: Error | null = null;
  const wakeup = new Wakeup();
  const notify = wakeup.notify;
  const ready = new ReadyRecords(
    new BatchReader(order, plan.probe),
    plan.enrich,
    notify,
    (from, bytes) => post(from, { type: 'taken', bytes }),
  );
  const chunk = chunkSize(order.size - todo.count, workers);
  const dealer = new ChunkDealer(todo.gaps(todo.mark, order.size, chunk), () => ready.full);
  const fleet: WorkerFleet = new WorkerFleet(setups(order, plan, workers), {
    records: (batch, from) => ready.received(batch, from),
    want: (r) => dealer.grant(r),
    changed: () => {
      if (gauges) gauges.inFlight = fleet.inFlight;
      notify();
    },
    failed: (error) => {
      failure ??= error;
      notify();
    },
  });
  const onSignal = (): void => {
    if (dealer.stopped) return;
    dealer.stop();
    fleet.stop();
    notify();
  };
  if (signal?.aborted) onSignal();
  else signal?.addEventListener('abort', onSignal, { once: true });
  try {
    while (true) {
      if (!ready.empty) {
        if (tally && ready.tallyHead(tally)) {
          dealer.resume();
          continue;
        }
        const item = ready.take();
        dealer.resume();
        yield item;
        continue;
      }
      if (failure) throw failure;
      // After a stop, exposures still being enriched are dropped: never
      // written, never counted, so a resumed run probes them again.
      if (fleet.allDone && (ready.enriching === 0 || dealer.stopped)) return;
      await wakeup.wait();
    }
  } finally {
    signal?.removeEventListener('abort', onSignal);
    dealer.stopped = true;
    await fleet.end();
  }
}

function single(item: PositionedRecord, weight: number): RecordBatch {
  const none = new Float64Array(0);
  return {
    count: 0,
    positions: none,
    statuses: new Uint8Array(0),
    errors: new Uint8Array(0),
    times: none,
    whole: [item],
    weights: [weight],
  };
}
