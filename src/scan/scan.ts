// scan(options): targets in, one ScanRecord per (address, port) out.

import { SocketBudget } from '../net/budget.js';
import { Sweeper, tickFor } from '../net/deadlines.js';
import {
  Probe,
  type ProbeContext,
  type ProbeExtras,
  type ProbeOutcome,
  type ProbeOwner,
} from '../net/probe.js';
import { REPLY_BUDGET, ReplyMemory } from '../net/reply-memory.js';
import { TokenBucket } from '../net/token-bucket.js';
import type { AbortHolder, FollowUpEnv } from '../probes/follow-up-group.js';
import type { KindProbe, PlainVerdict, ProbeTarget } from '../probes/kind.js';
import type { ProbePlan } from '../probes/plan.js';
import { inWorkers, probeKind } from '../probes/registry.js';
import { LOCAL_ONLY, type ScanRecord } from '../record.js';
import { growYoungGeneration } from '../runtime/heap.js';
import type { Range } from '../targets/done-set.js';
import type { OrderedTarget, TargetOrder } from '../targets/order.js';
import { TargetStream } from '../targets/stream.js';
import type { PositionedRecord, ScanOptions } from './options.js';
import { scanInWorkers, workerCount } from './parallel.js';
import { planScan, type ScanPlan } from './plan.js';
import { type PoolSource, PoolTask, runPool, type StartTask, type TaskPool } from './pool.js';

export { orderFor } from './plan.js';

/** Probes every target; yields a record per (address, port) as probes finish. */
export async function* scan(options: ScanOptions): AsyncGenerator<ScanRecord> {
  for await (const { record } of scanPositioned(options)) yield record;
}

/** scan(), with each record's position in the sequence. */
export async function* scanPositioned(options: ScanOptions): AsyncGenerator<PositionedRecord> {
  yield* scanPlanned(await planScan(options));
}

/** What probes targets: the pool's start function and what it shares. */
export interface Prober {
  /** With a plain sink, a task whose record went there as numbers ends with null. */
  start: StartTask<OrderedTarget, PositionedRecord | null>;
  bucket: TokenBucket | null;
  /** The reply budget: the pool starts nothing while it is tight. */
  memory: ReplyMemory;
  /** The consumer took a record: its reply no longer counts against the budget. */
  taken(item: PositionedRecord): void;
  /** The bytes a record's reply still counts (0: none), forgotten here: the caller frees them later. */
  claim(item: PositionedRecord): number;
  stop(): void;
}

/** One thread's reply budget for a plan: REPLY_BUDGET, and always room for two whole replies. */
export function replyMemory(plan: ProbePlan): ReplyMemory {
  return new ReplyMemory(
    Math.max(REPLY_BUDGET, 2 * plan.maxReply),
    plan.maxReply,
    growYoungGeneration,
  );
}

/** What one thread's probes share: the deadline sweep, socket settings, rate and follow-up budget. */
function probeEnv(plan: ProbePlan, budget?: SocketBudget): { env: FollowUpEnv; sweeper: Sweeper } {
  const { connectTimeout, timeout } = plan;
  const sweeper = new Sweeper(tickFor(connectTimeout, timeout));
  const ctx: ProbeContext = {
    sweeper,
    connectDeadlines: sweeper.list(Math.min(connectTimeout, timeout)),
    replyDeadlines: sweeper.list(timeout, false),
    maxReply: plan.maxReply,
    portable: plan.portableSockets,
    sources: plan.sourceIps ?? undefined,
    budget,
  };
  const bucket = plan.rate !== null ? new TokenBucket(plan.rate) : null;
  return { env: { ctx, bucket, deadlines: sweeper.list(plan.followUpTimeout) }, sweeper };
}

/** An exposure's follow-ups, risks and enrichment; a failing one never loses the exposure. */
function finisher<V>(
  kind: KindProbe<V>,
  enrich: ((record: ScanRecord) => Promise<void>) | undefined,
) {
  return async (target: ProbeTarget, record: ScanRecord, verdict: V, holder: AbortHolder) => {
    if (kind.followUps) {
      const cut = await kind.followUps(target, verdict, record, holder);
      if (cut.length > 0) record.followUpsCut = cut;
    }
    kind.assess?.(record);
    if (enrich) await enrich(record);
  };
}

/**
 * Takes a plain record (KindProbe.plain) as its position, status and error,
 * without the record being made: true when taken, false when it cannot be
 * (the record is then made as usual). A scan worker's batch (record-batch.ts).
 */
export type PlainSink = (position: number, plain: PlainVerdict) => boolean;

/** What every probe task of one thread shares. */
interface TaskShared {
  kind: KindProbe;
  plain: PlainSink | null;
  ctx: ProbeContext;
  extras: ProbeExtras;
  retries: number;
  finish: ReturnType<typeof finisher<unknown>>;
  /** An exposure's reply of `weight` bytes is held until its record is taken. */
  exposure(item: PositionedRecord, weight: number): void;
}

/**
 * One target's probe, its retries and its follow-ups, as one object: it is
 * the pool's task (and its place in the pool's list), the target itself,
 * its probe's owner and the follow-ups' abort holder, so a refused or
 * silent target costs this, its Probe and its handle, and no closure.
 */
class ProbeTask
  extends PoolTask<PositionedRecord | null>
  implements OrderedTarget, ProbeOwner, AbortHolder
{
  readonly position: number;
  readonly ip: string;
  readonly port: number;
  current: { abort(): void } | null = null;
  private tries = 0;

  constructor(
    target: OrderedTarget,
    pool: TaskPool<PositionedRecord | null>,
    private readonly shared: TaskShared,
  ) {
    super(pool);
    // The target's fields, not the target: its object is garbage at once.
    this.position = target.position;
    this.ip = target.ip;
    this.port = target.port;
    this.attempt();
  }

  /** Cut short (AbortHolder): the follow-ups look here. */
  get aborted(): boolean {
    return this.cancelled;
  }

  private attempt(): void {
    const { kind, ctx, extras } = this.shared;
    this.current = new Probe(this.ip, this.port, kind.request(this), ctx, this, extras);
  }

  probeEnded(outcome: ProbeOutcome): void {
    const shared = this.shared;
    if (outcome.end === 'connect-timeout' && this.tries < shared.retries) {
      this.tries++;
      this.attempt();
      return;
    }
    const verdict = shared.kind.classify(outcome);
    // Most of a sweep: a refusal or a timeout leaves as numbers, its record never
    // made. Not a task cut short: the pool drops its result, so must this.
    const sink = this.cancelled ? null : shared.plain;
    const plain = sink && shared.kind.plain?.(verdict);
    if (plain && sink(this.position, plain)) {
      this.done(null);
      return;
    }
    const record = shared.kind.record(this, verdict);
    const item = { position: this.position, record };
    if (!record.exposed) {
      this.done(item);
      return;
    }
    // Its parsed reply lives as long as the record waits: it counts as the reply's bytes.
    const weight = outcome.bytes.length;
    if (weight > 0) shared.exposure(item, weight);
    const give = (): void => this.done(item);
    shared.finish(this, record, verdict, this).then(give, give);
  }

  protected cut(): void {
    this.current?.abort();
  }
}

/** Builds the probing machinery one thread uses: its plan's kind, deadlines, rate, follow-ups, its descriptors. */
export function prober(
  plan: ProbePlan,
  enrich?: (record: ScanRecord) => Promise<void>,
  budget?: SocketBudget,
  /** Where plain records go as numbers, never made (their tasks end with null); none: every record is made. */
  plain?: PlainSink,
): Prober {
  const { env, sweeper } = probeEnv(plan, budget);
  const kind: KindProbe = probeKind(plan.kind).probe(plan, env);
  const memory = replyMemory(plan);
  /** A kind that knows when its reply is whole stops reading there (NAMES reads to EOF). */
  const extras = kind.complete ? { until: kind.complete, memory } : { memory };
  const finish = finisher(kind, enrich);
  /** Exposures' replies, counted until the consumer takes their records. */
  const weights = new WeakMap<PositionedRecord, number>();
  const shared: TaskShared = {
    kind,
    plain: plain ?? null,
    ctx: env.ctx,
    extras,
    retries: plan.retries,
    finish,
    exposure: (item, weight) => {
      memory.hold(weight);
      weights.set(item, weight);
    },
  };
  const start: StartTask<OrderedTarget, PositionedRecord | null> = (target, pool) =>
    new ProbeTask(target, pool, shared);
  const claim = (item: PositionedRecord): number => {
    const weight = weights.get(item) ?? 0;
    if (weight > 0) weights.delete(item);
    return weight;
  };
  const taken = (item: PositionedRecord): void => memory.free(claim(item));
  return { start, bucket: env.bucket, memory, taken, claim, stop: () => sweeper.stop() };
}

/** Probes a resolved plan; yields each record with its position, as probes finish. */
export function scanPlanned(plan: ScanPlan): AsyncGenerator<PositionedRecord> {
  // The generator that makes the records, returned as it is: a record
  // passes through no generator of ours that only hands it on.
  const { targets, gauges } = plan;
  if (targets instanceof TargetStream) {
    // Targets as they arrive, on this thread: there is no index to hand out.
    if (gauges) Object.assign(gauges, { workers: 0, ceiling: plan.inFlight.ceiling });
    return probeHere(targets.targets(), plan);
  }
  const local = targets.space.localOnly;
  if (local.size === 0) return probeAll(targets, plan);
  return localOnly(probeAll(targets, plan), local);
}

/** An exposure on a loopback address of @local answers this machine only. */
async function* localOnly(
  records: AsyncGenerator<PositionedRecord>,
  local: ReadonlySet<string>,
): AsyncGenerator<PositionedRecord> {
  for await (const item of records) {
    const r = item.record;
    if (r.exposed && local.has(r.ip)) {
      r.exposed = false;
      r.status = LOCAL_ONLY;
    }
    yield item;
  }
}

function probeAll(order: TargetOrder, plan: ScanPlan): AsyncGenerator<PositionedRecord> {
  const { todo, inFlight } = plan;
  // A kind only this thread knows (registered with no module) cannot run in workers.
  const workers = inWorkers(plan.probe.kind)
    ? workerCount(
        { workers: plan.workers, rate: inFlight.rate },
        order.size - todo.count,
        inFlight.ceiling,
      )
    : 0;
  if (plan.gauges) Object.assign(plan.gauges, { workers, ceiling: inFlight.ceiling });
  if (workers > 0) return scanInWorkers(order, plan, workers);
  return probeHere(items(order, todo.gaps(todo.mark, order.size)), plan);
}

/** Probes on this thread, within its descriptor budget. */
async function* probeHere(
  source: PoolSource<OrderedTarget>,
  plan: ScanPlan,
): AsyncGenerator<PositionedRecord> {
  const budget = new SocketBudget(plan.inFlight.sockets);
  const { tally } = plan;
  const plain: PlainSink | undefined = tally
    ? (position, verdict) => {
        tally(position, verdict.status);
        return true;
      }
    : undefined;
  const probing = prober(plan.probe, plan.enrich, budget, plain);
  try {
    yield* runPool(source, probing.start, {
      concurrency: plan.inFlight.ceiling,
      ramp: plan.inFlight.ramp,
      bucket: probing.bucket,
      budget,
      memory: probing.memory,
      taken: probing.taken,
      signal: plan.signal,
      gauge: plan.gauges,
    });
  } finally {
    probing.stop();
  }
}

/** The targets of the positions still to do. */
function* items(order: TargetOrder, gaps: Iterable<Range>): Generator<OrderedTarget> {
  for (const [from, to] of gaps) yield* order.items(from, to);
}
