// Exactly-once reports: the design.
//
// A resumable run keeps three things on disk, and one rule ties them:
//
//   reports   `<file>.partial` for each report, append-only; renamed onto
//             `<file>` when the run is complete
//   found-log `<checkpoint>.found`, append-only: the exposures (and gone
//             baseline entries) the gate and summary need again on resume
//   checkpoint `<checkpoint>`, a JSON snapshot replaced atomically: the done
//             positions (a low-water mark plus the ranges done above it),
//             each report's byte offset and the found-log's length that hold
//             exactly those positions' records, and the run's counts
//
// The rule: the checkpoint counts a position only after its record's bytes
// have reached every report (write completed; fdatasync before the
// snapshot) and its found-log line too. Records are written in completion
// order, so "reached" is a prefix of what was written, cut at the flushed
// offsets.
//
// Resuming truncates the reports and the found-log to the counted lengths
// (bytes past them belong to records the checkpoint never counted), skips
// the done positions, and replays the found-log into the gate and summary.
// So whatever stops a run (Ctrl-C, SIGTERM, kill -9, a full disk, a crash
// between any two writes), the next run neither repeats a counted record
// nor loses an uncounted one. A reader of a pipe may go away without having
// read the pipe's buffer, so for pipes and sockets the last buffer's worth
// is counted only once the run ends normally (see report-output.ts).

import type { ReportOutput } from '../output/report-output.js';
import { STATUSES, type Status } from '../probes/registry.js';
import type { ScanRecord } from '../record.js';
import { Tally } from '../report/tally.js';
import type { DoneSet } from '../targets/done-set.js';
import {
  CHECKPOINT_VERSION,
  type Checkpoint,
  type RunIdentity,
  type SavedStats,
  writeCheckpoint,
} from './checkpoint.js';
import { type FoundLog, foundLine } from './found-log.js';

export const emptyStats = (): SavedStats => ({
  done: 0,
  nodes: 0,
  seconds: 0,
  byStatus: Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<Status, number>,
});

export interface LedgerSetup {
  /** The checkpoint file. */
  path: string;
  identity: RunIdentity;
  outputs: ReportOutput[];
  found: FoundLog;
  /** Positions done before this run (changed as commits are made). */
  done: DoneSet;
  /** The report offsets and counts the checkpoint held when this run started. */
  offsets: number[];
  stats: SavedStats;
  /** Records to keep in the found-log. */
  notable: (record: ScanRecord) => boolean;
}

/** Tracks written records and commits them to the checkpoint once they are in the report. */
export class Ledger {
  private positions: number[] = [];
  /** For each output, where each pending record's bytes end. */
  private readonly ends: number[][];
  /** What each pending record adds to the counts: its status and nodes (Tally.nodesOf). */
  private statuses: string[] = [];
  private nodeCounts: number[] = [];
  /** Found-log lines of pending records, by index into the arrays above. */
  private kept: { index: number; line: string }[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private readonly started = performance.now();
  /** The first failure to write the found-log or the checkpoint. */
  error: Error | null = null;
  readonly offsets: number[];
  /** What the checkpoint counts. */
  private readonly tally = new Tally();

  constructor(private readonly setup: LedgerSetup) {
    this.offsets = [...setup.offsets];
    this.ends = setup.outputs.map(() => []);
    this.tally.restore(setup.stats);
  }

  /** Records that the record of `position` was written to every output; each one's `written` is its end. */
  add(position: number, record: ScanRecord): void {
    const index = this.pending(position, record.status, Tally.nodesOf(record));
    if (this.setup.notable(record)) this.kept.push({ index, line: foundLine(position, record) });
  }

  /**
   * A plain record (a refusal, a timeout: run-scan.ts counts them without
   * making them) at `position`: no nodes, and never notable, as a record
   * that is no exposure is not when there is no baseline.
   */
  addPlain(position: number, status: string): void {
    this.pending(position, status, 0);
  }

  /** A record waiting to be committed; its index in the pending arrays. */
  private pending(position: number, status: string, nodes: number): number {
    const index = this.positions.length;
    this.positions.push(position);
    const { outputs } = this.setup;
    for (let i = 0; i < outputs.length; i++)
      this.ends[i]?.push((outputs[i] as ReportOutput).written);
    this.statuses.push(status);
    this.nodeCounts.push(nodes);
    return index;
  }

  /** Commits about once a second while the scan runs. */
  start(intervalMs = 1000): void {
    this.timer = setInterval(() => void this.commit(false, false, true), intervalMs);
    this.timer.unref();
  }

  /**
   * Counts what has reached the report and writes the checkpoint. `final`:
   * the run ended normally (a pipe's last buffer counts too); `finished`:
   * every position is done and the report is whole.
   */
  commit(final = false, finished = false, periodic = false): Promise<void> {
    this.chain = this.chain.then(() =>
      this.error ? undefined : this.commitNow(final, finished, periodic),
    );
    return this.chain;
  }

  private async commitNow(final: boolean, finished: boolean, periodic: boolean): Promise<void> {
    const { outputs, found, done } = this.setup;
    const flushed = await Promise.all(outputs.map((o) => o.flush(final)));
    // What has reached every output: the shortest prefix of the pending records.
    let k = this.positions.length;
    this.ends.forEach((ends, i) => {
      let j = 0;
      while (j < k && (ends[j] as number) <= (flushed[i] as number)) j++;
      k = j;
    });
    // A periodic commit with nothing new to count writes (and syncs) nothing.
    if (k === 0 && periodic) return;
    await Promise.all(outputs.map((o) => o.sync()));
    const positions = this.positions.splice(0, k);
    const lastEnds = this.ends.map((ends) => ends.splice(0, k).at(-1));
    const statuses = this.statuses.splice(0, k);
    const nodes = this.nodeCounts.splice(0, k);
    let cut = 0;
    while (cut < this.kept.length && (this.kept[cut] as { index: number }).index < k) cut++;
    const lines = this.kept.splice(0, cut).map((e) => e.line);
    for (const e of this.kept) e.index -= k;
    try {
      const foundLength = await found.append(lines);
      done.add(positions);
      lastEnds.forEach((end, i) => {
        if (end !== undefined) this.offsets[i] = end;
        if (finished) this.offsets[i] = flushed[i] as number;
      });
      for (let i = 0; i < k; i++) this.tally.count(statuses[i] as string, nodes[i] as number);
      const checkpoint: Checkpoint = {
        version: CHECKPOINT_VERSION,
        ...this.setup.identity,
        completed: done.mark,
        done: [...done.above],
        offsets: [...this.offsets],
        found: foundLength,
        finished,
        stats: {
          ...(this.tally.counts() as Omit<SavedStats, 'seconds'>),
          seconds: this.setup.stats.seconds + (performance.now() - this.started) / 1000,
        },
        updated: new Date().toISOString(),
      };
      await writeCheckpoint(this.setup.path, checkpoint);
    } catch (error) {
      this.error ??= error as Error;
    }
  }

  /** The found-log this ledger appends to. */
  found(): FoundLog {
    return this.setup.found;
  }

  /** Stops the timer and waits for a commit in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.chain;
  }
}
