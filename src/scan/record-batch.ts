// Records crossing from a scan worker to the main thread. Nearly every record
// of a sweep says only "refused" or "timeout": those travel as a few numbers
// in typed arrays (position, status, error, time), and the main thread makes
// the record again, from the position, only when it is taken. Anything else
// (an exposure, a reply, an unusual error) travels whole. This keeps both
// sides' heaps small: a queued refusal costs 18 bytes instead of an object
// graph, and nothing is serialised field by field.

import type { ProbePlan } from '../probes/plan.js';
import { probeKind, statusesOf } from '../probes/registry.js';
import {
  ERROR_CODES,
  type ErrorCode,
  isUnenriched,
  newRecord,
  type ScanRecord,
} from '../record.js';
import type { TargetOrder } from '../targets/order.js';
import type { PositionedRecord } from './options.js';
import type { PlainTally } from './plan.js';

/** Error codes a compact record can carry (record.ts's list); index 0 is "no error". */
const ERRORS = [null, ...ERROR_CODES] as const;
const ERROR_INDEX = new Map<string | null, number>(ERRORS.map((e, i) => [e, i]));

/** The statuses a compact record of the plan's kind can carry, by index (the same on both sides). */
function statusTable(plan: ProbePlan): { list: string[]; index: Map<string, number> } {
  const list = statusesOf(probeKind(plan.kind));
  return { list, index: new Map(list.map((s, i) => [s, i])) };
}

/** One message's worth of records. */
export interface RecordBatch {
  /** How many compact records (the typed arrays may be longer). */
  count: number;
  positions: Float64Array;
  statuses: Uint8Array;
  errors: Uint8Array;
  /** Epoch milliseconds. */
  times: Float64Array;
  /** Records that do not fit the compact form. */
  whole: PositionedRecord[];
  /**
   * Bytes of reply behind each whole record that the worker's reply budget
   * still counts (0: none): the main thread gives them back as it takes
   * the records (parallel.ts), so the budget covers records in transit too.
   */
  weights?: number[];
}

/** True when the record is exactly what recordAt() would make again from its numbers and its status. */
function compactable(r: ScanRecord, plan: ProbePlan): boolean {
  return (
    !r.exposed &&
    r.detail === null &&
    r.risks === undefined &&
    r.followUpsCut === undefined &&
    r.probe === plan.kind &&
    r.severity === plan.severity &&
    r.protocol === 'tcp' &&
    ERROR_INDEX.has(r.error) &&
    isUnenriched(r)
  );
}

/** Collects records on the worker side; take() hands over a batch and starts the next. */
export class BatchWriter {
  private positions = new Float64Array(256);
  private statuses = new Uint8Array(256);
  private errors = new Uint8Array(256);
  private times = new Float64Array(256);
  private count = 0;
  private whole: PositionedRecord[] = [];
  private weights: number[] = [];
  private weighed = false;
  private readonly statusIndex: Map<string, number>;

  constructor(private readonly plan: ProbePlan) {
    this.statusIndex = statusTable(plan).index;
  }

  get size(): number {
    return this.count + this.whole.length;
  }

  /** A record; `weight`: its reply's bytes, still counted by the worker's reply budget. */
  push(item: PositionedRecord, weight = 0): void {
    const r = item.record;
    const status = this.statusIndex.get(r.status);
    if (weight > 0 || status === undefined || !compactable(r, this.plan)) {
      this.whole.push(item);
      this.weights.push(weight);
      if (weight > 0) this.weighed = true;
      return;
    }
    this.add(item.position, status, ERROR_INDEX.get(r.error) as number, r.timestamp.getTime());
  }

  /**
   * A plain record (KindProbe.plain: nothing but its status and error) as
   * its numbers, the record never made; false when they cannot say it (a
   * status or error outside the tables), and the caller makes the record.
   */
  pushPlain(position: number, status: string, error: ErrorCode | null, time: number): boolean {
    const s = this.statusIndex.get(status);
    const e = ERROR_INDEX.get(error);
    if (s === undefined || e === undefined) return false;
    this.add(position, s, e, time);
    return true;
  }

  private add(position: number, status: number, error: number, time: number): void {
    if (this.count === this.positions.length) this.grow();
    const i = this.count++;
    this.positions[i] = position;
    this.statuses[i] = status;
    this.errors[i] = error;
    this.times[i] = time;
  }

  /** The batch so far (its arrays can be transferred), or null when empty. */
  take(): RecordBatch | null {
    if (this.size === 0) return null;
    const n = this.count;
    const batch: RecordBatch = {
      count: n,
      positions: this.positions.slice(0, n),
      statuses: this.statuses.slice(0, n),
      errors: this.errors.slice(0, n),
      times: this.times.slice(0, n),
      whole: this.whole,
      ...(this.weighed ? { weights: this.weights } : {}),
    };
    this.count = 0;
    this.whole = [];
    this.weights = [];
    this.weighed = false;
    return batch;
  }

  private grow(): void {
    const n = this.positions.length * 2;
    const positions = new Float64Array(n);
    const statuses = new Uint8Array(n);
    const errors = new Uint8Array(n);
    const times = new Float64Array(n);
    positions.set(this.positions);
    statuses.set(this.statuses);
    errors.set(this.errors);
    times.set(this.times);
    this.positions = positions;
    this.statuses = statuses;
    this.errors = errors;
    this.times = times;
  }
}

/** The buffers of a batch, for postMessage's transfer list. */
export function transferList(b: RecordBatch): ArrayBuffer[] {
  return [b.positions.buffer, b.statuses.buffer, b.errors.buffer, b.times.buffer] as ArrayBuffer[];
}

/** The reply bytes behind the i-th record of a batch that its worker still counts (0: none). */
export function weightAt(b: RecordBatch, i: number): number {
  return i < b.count ? 0 : (b.weights?.[i - b.count] ?? 0);
}

/** How many records a batch holds. */
export function batchSize(b: RecordBatch): number {
  return b.count + b.whole.length;
}

/** Makes compact records again on the main thread, for one plan's kind. */
export class BatchReader {
  private readonly statuses: string[];

  constructor(
    private readonly order: TargetOrder,
    private readonly plan: ProbePlan,
  ) {
    this.statuses = statusTable(plan).list;
  }

  /**
   * The compact records of a batch from `from` on, counted by `tally`
   * instead of being made again (each is a plain record); where they end.
   */
  tallyFrom(b: RecordBatch, from: number, tally: PlainTally): number {
    for (let i = from; i < b.count; i++) {
      tally(b.positions[i] as number, this.statuses[b.statuses[i] as number] as string);
    }
    return Math.max(from, b.count);
  }

  /** The i-th record of a batch (compact ones first, then the whole ones), made again. */
  recordAt(b: RecordBatch, i: number): PositionedRecord {
    if (i >= b.count) return b.whole[i - b.count] as PositionedRecord;
    const position = b.positions[i] as number;
    const target = this.order.at(position);
    return {
      position,
      record: newRecord({
        timestamp: new Date(b.times[i] as number),
        ip: target.ip,
        port: target.port,
        probe: this.plan.kind,
        status: this.statuses[b.statuses[i] as number] as string,
        error: ERRORS[b.errors[i] as number] ?? null,
        severity: this.plan.severity,
      }),
    };
  }
}
