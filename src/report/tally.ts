// The counts of a run, kept one way for everyone: records per status,
// exposures, and the nodes they show. The summary, the HTML report and the
// metrics count records as they are written (Stats); the checkpoint counts
// them as they are committed (the ledger), with this same code.

import { allStatuses, isExposedStatus, kindOf } from '../probes/registry.js';
import type { ScanRecord } from '../record.js';

/** The counts as a checkpoint saves them (seconds aside). */
export interface Counts {
  done: number;
  nodes: number;
  byStatus: Record<string, number>;
}

/** Counts per status, exposures and nodes. */
export class Tally implements Counts {
  done = 0;
  nodes = 0;
  /** Every registered status, zero or more. */
  readonly byStatus: Record<string, number> = Object.fromEntries(allStatuses().map((s) => [s, 0]));

  /** The nodes a record adds to the count: those an exposure shows. */
  static nodesOf(r: ScanRecord): number {
    return r.exposed ? kindOf(r).nodes(r).length : 0;
  }

  /** Starts from saved counts (a checkpoint's). */
  restore(saved: Counts): void {
    this.done = saved.done;
    this.nodes = saved.nodes;
    Object.assign(this.byStatus, saved.byStatus);
  }

  /** Counts one record. */
  add(r: ScanRecord): void {
    this.count(r.status, Tally.nodesOf(r));
  }

  /** Counts one record by its status and Tally.nodesOf(). */
  count(status: string, nodes: number): void {
    this.done++;
    this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    this.nodes += nodes;
  }

  /** Records that were exposures (every status of any kind that is one). */
  get exposures(): number {
    let n = 0;
    for (const [status, count] of Object.entries(this.byStatus)) {
      if (isExposedStatus(status)) n += count;
    }
    return n;
  }

  /** The counts as plain data. */
  counts(): Counts {
    return { done: this.done, nodes: this.nodes, byStatus: { ...this.byStatus } };
  }
}
