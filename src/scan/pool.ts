// Bounded concurrency over a lazy source: an item is pulled only when a slot
// is free, the descriptor budget has room, the rate allows it and the
// consumer is keeping up, so a /8 never becomes 16.7 million pending
// promises. Results come out in completion order.
//
// Made of small parts: a cursor over the source (items now, later, or in
// batches), the tasks in flight, the gate a start must pass (slots, budget,
// rate), and a queue of results for the consumer. runPool wires them.

import type { SocketBudget } from '../net/budget.js';
import type { ReplyMemory } from '../net/reply-memory.js';
import { TokenBucket } from '../net/token-bucket.js';
import { RAMP_EVERY_MS, Ramp } from './ramp.js';

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

/** How a task reports its result: `slot.done(result)`, once. */
export interface TaskSlot<R> {
  done(result: R): void;
}

/** The pool's side of its tasks: told when one ends. */
export interface TaskPool<R> {
  ended(task: PoolTask<R>, result: R): void;
}

/**
 * A task in flight and its place in the pool's list, as one object: the
 * pool keeps its tasks in a doubly linked list through them, with no
 * wrapper and no Set entry per task (a sweep's probe task extends it; 16,384
 * silent targets in flight held 1.3 MB less heap than with a wrapper and a
 * target object each). It calls done() once with its result, maybe never
 * after abort(); abort() marks it cancelled and cut() stops its work.
 */
export abstract class PoolTask<R> implements Task, TaskSlot<R> {
  ended = false;
  cancelled = false;
  listed = false;
  prev: PoolTask<R> | null = null;
  next: PoolTask<R> | null = null;

  constructor(private readonly pool: TaskPool<R>) {}

  done(result: R): void {
    if (this.ended) return;
    this.ended = true;
    this.pool.ended(this, result);
  }

  abort(): void {
    this.cancelled = true;
    this.cut();
  }

  /** Stops the task's work (abort()). */
  protected abstract cut(): void;
}

/** Starts work on one item as a task of `pool`. */
export type StartTask<T, R> = (item: T, pool: TaskPool<R>) => PoolTask<R>;

/** A task that is a function of its slot, wrapped (small pools, tests). */
class SlotTask<R> extends PoolTask<R> {
  inner: Task | null = null;

  protected cut(): void {
    this.inner?.abort();
  }
}

/** Starts tasks written as `(item, slot) => Task`: each is wrapped in a PoolTask. */
export function slotted<T, R>(start: (item: T, slot: TaskSlot<R>) => Task): StartTask<T, R> {
  return (item, pool) => {
    const task = new SlotTask<R>(pool);
    task.inner = start(item, task);
    return task;
  };
}

export interface PoolOptions<R = unknown> {
  /** Tasks in flight at once. */
  concurrency: number;
  /** New tasks per second at most (token bucket); unlimited when absent or 0. */
  rate?: number;
  /** A bucket shared with other connection makers; takes precedence over `rate`. */
  bucket?: TokenBucket | null;
  /** The thread's descriptor budget: no task starts while it has no room. */
  budget?: SocketBudget | null;
  /** The thread's reply budget: no task starts while it is tight (or full). */
  memory?: Pick<ReplyMemory, 'hasRoom' | 'whenRoom'> | null;
  /** Called with each result as the consumer takes it (what it held can go back). */
  taken?: (result: R) => void;
  /** Stops pulling; in-flight tasks get `graceMs` to finish, then are aborted. */
  signal?: AbortSignal;
  /** How long in-flight tasks may run on after the signal (default 1000 ms). */
  graceMs?: number;
  /** Kept equal to the tasks in flight, for monitoring (--metrics). */
  gauge?: { inFlight: number };
  /**
   * Start below `concurrency` and grow towards it while this thread can use
   * more in flight (ramp.ts): for a ceiling that --rate set, not one that
   * -c asked for. A Ramp to watch or drive (tests); true: this thread's own.
   */
  ramp?: Ramp | boolean;
}

/** Where the pump puts results; `length` is how many the consumer has not taken yet. */
interface ResultSink<R> {
  readonly length: number;
  push(result: R): void;
}

/** Results waiting for the consumer, oldest first; compacts itself as it is read. */
export class ResultQueue<R> implements ResultSink<R> {
  private items: (R | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: R): void {
    this.items.push(item);
  }

  /** The oldest result (the caller checked length). */
  shift(): R {
    const item = this.items[this.head] as R;
    this.items[this.head] = undefined;
    this.head++;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    return item;
  }
}

/** The next item of a source, whatever its form; async arrivals call `arrived`. */
export class SourceCursor<T> {
  exhausted = false;
  /** An async pull is under way. */
  pulling = false;
  private readonly batchIt: AsyncIterator<Iterable<T>> | null;
  private readonly asyncIt: AsyncIterator<T> | null;
  /** The sync iterator being drained: the whole source, or the current batch. */
  private syncIt: Iterator<T> | null;
  /** An item that came from an async source, not yet taken. */
  private held: { item: T } | null = null;

  constructor(
    source: PoolSource<T>,
    private readonly arrived: () => void,
    private readonly failed: (error: unknown) => void,
  ) {
    this.batchIt = source instanceof Batches ? source.batches[Symbol.asyncIterator]() : null;
    this.syncIt =
      !this.batchIt && Symbol.iterator in source
        ? (source as Iterable<T>)[Symbol.iterator]()
        : null;
    this.asyncIt =
      this.batchIt || this.syncIt ? null : (source as AsyncIterable<T>)[Symbol.asyncIterator]();
  }

  /** The next item now, or null: none yet (a pull is started) or none left. */
  next(): { item: T } | null {
    if (this.held) {
      const held = this.held;
      this.held = null;
      return held;
    }
    while (!this.exhausted && !this.pulling) {
      if (this.syncIt) {
        const next = this.syncIt.next();
        if (!next.done) return { item: next.value };
        if (this.batchIt) this.syncIt = null;
        else this.exhausted = true;
      } else if (this.batchIt) {
        this.pull(this.batchIt, (batch) => {
          this.syncIt = batch[Symbol.iterator]();
        });
      } else if (this.asyncIt) {
        this.pull(this.asyncIt, (item) => {
          this.held = { item };
        });
      }
    }
    return null;
  }

  /** Gives back an item taken too early (the rate said wait): next() returns it first. */
  putBack(item: T): void {
    this.held = { item };
  }

  /** True when nothing more will come. */
  get done(): boolean {
    return this.exhausted && !this.held && !this.pulling;
  }

  /**
   * Lets the source go (its finally blocks run) when it was not read to the
   * end. A pull still under way (a stream waiting for its next line) is not
   * waited for: the source ends when that pull comes back.
   */
  async close(): Promise<void> {
    if (this.exhausted) return;
    this.syncIt?.return?.();
    const it = this.batchIt ?? this.asyncIt;
    if (!it?.return) return;
    if (this.pulling) void it.return().catch(() => undefined);
    else await it.return();
  }

  private pull<V>(it: AsyncIterator<V>, take: (value: V) => void): void {
    this.pulling = true;
    it.next().then(
      (next) => {
        this.pulling = false;
        if (next.done) this.exhausted = true;
        else take(next.value);
        this.arrived();
      },
      (error: unknown) => {
        this.pulling = false;
        this.exhausted = true;
        this.failed(error);
      },
    );
  }
}

/** The tasks in flight: started, counted (for the gauge), aborted together. */
export class InFlight<T, R> implements TaskPool<R> {
  /** A doubly linked list of the tasks in flight, newest first. */
  private head: PoolTask<R> | null = null;
  private count = 0;

  constructor(
    private readonly start: StartTask<T, R>,
    /** A result of a task that ended on its own; never called for an aborted one. */
    private readonly finished: (result: R) => void,
    private readonly gauge?: { inFlight: number },
  ) {}

  get size(): number {
    return this.count;
  }

  launch(item: T): void {
    const task = this.start(item, this);
    if (!task.ended) this.link(task);
    this.counted();
  }

  /** A task ended. One that ends on its own is kept, even after the signal (the grace period); one cut short by abort() has no result to report. */
  ended(task: PoolTask<R>, result: R): void {
    this.unlink(task);
    this.counted();
    if (!task.cancelled) this.finished(result);
  }

  abortAll(): void {
    const tasks: PoolTask<R>[] = [];
    for (let t = this.head; t !== null; t = t.next) tasks.push(t);
    for (const task of tasks) {
      this.unlink(task);
      task.abort();
    }
    this.counted();
  }

  private link(task: PoolTask<R>): void {
    task.listed = true;
    task.next = this.head;
    if (this.head) this.head.prev = task;
    this.head = task;
    this.count++;
  }

  private unlink(task: PoolTask<R>): void {
    if (!task.listed) return;
    task.listed = false;
    if (task.prev) task.prev.next = task.next;
    else this.head = task.next;
    if (task.next) task.next.prev = task.prev;
    task.prev = null;
    task.next = null;
    this.count--;
  }

  private counted(): void {
    if (this.gauge) this.gauge.inFlight = this.count;
  }
}

/** Whether the next task may start: a free slot and room in the budget, then a token of the rate. */
export class StartGate {
  constructor(
    private readonly concurrency: number,
    private readonly bucket: TokenBucket | null,
    private readonly budget: SocketBudget | null,
    private readonly memory: PoolOptions['memory'] = null,
    /** Slots below `concurrency` that grow as the thread can use them (ramp.ts); none: all of them. */
    private readonly ramp: Ramp | null = null,
  ) {}

  /** A free slot, room in the descriptor budget and room in the reply budget. */
  open(inFlight: number): boolean {
    if (inFlight >= this.concurrency) return false;
    const ramp = this.ramp;
    if (ramp !== null && inFlight >= ramp.limit) {
      // The slots, not the rate, hold this start back: the ramp may grow.
      // Once per interval is enough: the bucket's clock is not read for every start held back.
      if (!ramp.starving && (!this.bucket || this.bucket.ready())) ramp.starve();
      return false;
    }
    if (this.budget && !this.budget.hasRoom()) return false;
    return !this.memory || this.memory.hasRoom();
  }

  /** 0: a token is taken, start now; otherwise ms until one is due. */
  token(): number {
    return this.bucket ? this.bucket.take() : 0;
  }
}

/**
 * One waiter woken by whoever has news: `wait()` resolves at the next
 * `notify()`; a notify with nobody waiting is dropped (the waiter looks at
 * the state again before it waits).
 */
export class Wakeup {
  private waiter: (() => void) | null = null;

  readonly notify = (): void => {
    const w = this.waiter;
    this.waiter = null;
    w?.();
  };

  wait(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiter = resolve;
    });
  }
}

/**
 * Runs `start` over `source` with at most `concurrency` tasks in flight. A
 * task that ends with null had nothing to hand on (it went elsewhere): it
 * frees its slot and yields nothing.
 */
export async function* runPool<T, R>(
  source: PoolSource<T>,
  start: StartTask<T, R | null>,
  options: PoolOptions<R>,
): AsyncGenerator<R> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const highWater = Math.max(64, concurrency);
  const results = new ResultQueue<R>();
  const wakeup = new Wakeup();
  const waker = wakeOn<T, R>(wakeup, (p) => results.length > 0 || p.stopsHere);
  const pump = waker.watch(
    new Pump<T, R>(source, start, options, results, waker.notify, concurrency, highWater),
  );
  try {
    pump.run();
    while (true) {
      if (results.length > 0) {
        const result = results.shift();
        options.taken?.(result);
        yield result;
        pump.run();
        continue;
      }
      if (pump.failure) throw pump.failure.error;
      if (pump.finished) return;
      await wakeup.wait();
    }
  } finally {
    await pump.close();
  }
}

/**
 * runPool for a consumer that takes each result at once (a scan worker
 * batching records): `take` is called as each task ends, with no queue, no
 * promise and no generator step per result. Resolves when every task has
 * ended and nothing more will start; rejects as runPool throws.
 */
export async function drainPool<T, R>(
  source: PoolSource<T>,
  start: StartTask<T, R | null>,
  options: PoolOptions<R>,
  take: (result: R) => void,
): Promise<void> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const wakeup = new Wakeup();
  const sink: ResultSink<R> = { length: 0, push: take };
  const waker = wakeOn<T, R>(wakeup, (p) => p.stopsHere);
  const pump = waker.watch(
    new Pump<T, R>(source, start, options, sink, waker.notify, concurrency, 1),
  );
  try {
    pump.run();
    while (!pump.stopsHere) await wakeup.wait();
    if (pump.failure) throw pump.failure.error;
  } finally {
    await pump.close();
  }
}

/**
 * A pool's consumer woken only when the pump has news for it (`news`):
 * told of every task's end, its loop resolved a promise and ran once per
 * probe. Before the pump exists (a signal that fired already), always.
 */
function wakeOn<T, R>(wakeup: Wakeup, news: (pump: Pump<T, R>) => boolean) {
  let pump: Pump<T, R> | null = null;
  return {
    notify: (): void => {
      if (pump === null || news(pump)) wakeup.notify();
    },
    watch: (p: Pump<T, R>): Pump<T, R> => {
      pump = p;
      return p;
    },
  };
}

/** The pool's ramp: the one given, a new one for `true`, none otherwise. */
function rampFor(ramp: PoolOptions['ramp'], concurrency: number): Ramp | null {
  if (ramp instanceof Ramp) return ramp;
  return ramp ? new Ramp(concurrency) : null;
}

/** Starts tasks while the gate, the source and the consumer allow; stops on the signal. */
class Pump<T, R> {
  failure: { error: unknown } | null = null;
  private stopped = false;
  private pumping = false;
  private again = false;
  private rateTimer: NodeJS.Timeout | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  private rampTimer: NodeJS.Timeout | null = null;
  private readonly cursor: SourceCursor<T>;
  private readonly tasks: InFlight<T, R | null>;
  private readonly gate: StartGate;
  private readonly onSignal = (): void => this.interrupt();

  constructor(
    source: PoolSource<T>,
    start: StartTask<T, R | null>,
    private readonly options: PoolOptions<R>,
    private readonly results: ResultSink<R>,
    private readonly notify: () => void,
    concurrency: number,
    private readonly highWater: number,
  ) {
    const wakeUp = (): void => {
      this.notify();
      this.run();
    };
    this.cursor = new SourceCursor(source, wakeUp, (error) => this.fail(error));
    this.tasks = new InFlight(
      start,
      (result) => {
        if (result !== null) results.push(result);
        wakeUp();
      },
      options.gauge,
    );
    const bucket =
      options.bucket ?? (options.rate && options.rate > 0 ? new TokenBucket(options.rate) : null);
    const ramp = rampFor(options.ramp, concurrency);
    this.gate = new StartGate(concurrency, bucket, options.budget ?? null, options.memory, ramp);
    if (ramp && !ramp.full) {
      this.rampTimer = setInterval(() => {
        // Looks at the slots now: with every probe waiting out its timeout
        // nothing else would, and a thread busy at the last look would stay
        // at its start until they ended.
        this.run();
        if (ramp.tick()) this.run();
        if (ramp.full) this.stopRamp();
      }, RAMP_EVERY_MS);
      // The probes in flight keep the process alive; the ramp must not.
      this.rampTimer.unref();
    }
    options.budget?.whenRoom(() => this.run());
    options.memory?.whenRoom(() => this.run());
    if (options.signal?.aborted) this.interrupt();
    else options.signal?.addEventListener('abort', this.onSignal, { once: true });
  }

  /** A failure, or the end: what ends a consumer's wait however many results are due. */
  get stopsHere(): boolean {
    return this.failure !== null || this.finished;
  }

  /** Nothing in flight and nothing more to start (after a stop, a pull under way is let go). */
  get finished(): boolean {
    if (this.tasks.size > 0) return false;
    return this.stopped || (this.cursor.done && !this.cursor.pulling);
  }

  /** Starts what may start now; re-entrant calls (a task ending at once) loop here instead. */
  run(): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        this.startSome();
      } while (this.again);
    } catch (error) {
      this.fail(error);
    } finally {
      this.pumping = false;
    }
    this.notify();
  }

  private startSome(): void {
    while (!this.stopped && this.results.length < this.highWater) {
      if (!this.gate.open(this.tasks.size)) return;
      const next = this.cursor.next();
      if (!next) return;
      const wait = this.gate.token();
      if (wait > 0) {
        this.cursor.putBack(next.item);
        this.rateTimer ??= setTimeout(() => {
          this.rateTimer = null;
          this.run();
        }, wait);
        return;
      }
      this.tasks.launch(next.item);
    }
  }

  private fail(error: unknown): void {
    this.failure ??= { error };
    this.stop();
    this.notify();
  }

  private stop(): void {
    this.stopped = true;
    if (this.rateTimer) clearTimeout(this.rateTimer);
    this.rateTimer = null;
    this.stopRamp();
  }

  private stopRamp(): void {
    if (this.rampTimer) clearInterval(this.rampTimer);
    this.rampTimer = null;
  }

  private interrupt(): void {
    this.stop();
    if (this.tasks.size > 0) {
      this.graceTimer = setTimeout(() => {
        this.tasks.abortAll();
        this.notify();
      }, this.options.graceMs ?? 1000);
    }
    this.notify();
  }

  async close(): Promise<void> {
    this.stop();
    this.options.signal?.removeEventListener('abort', this.onSignal);
    this.options.budget?.whenRoom(null);
    this.options.memory?.whenRoom(null);
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.tasks.abortAll();
    await this.cursor.close();
  }
}
