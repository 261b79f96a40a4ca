// The descriptor budget of a run: the open-file limit, less what everything
// but the probe sockets needs (stdio and Node's own, each report and its
// lock, the checkpoint and its side files, the resolver, --metrics and its
// connections, the worker threads' event loops). Every probe and follow-up
// socket comes out of what is left (net/budget.ts).

import { availableParallelism } from 'node:os';
import { openFileLimit } from '../runtime/limits.js';
import { METRICS_MAX_CONNECTIONS } from './metrics-limits.js';

export { openFileLimit };

/** Descriptors kept for each part of a run (measured with ls /proc/<pid>/fd, then doubled). */
export const RESERVE = {
  /** stdio, libuv's epoll, eventfd and signal pipe, the thread pool, /proc reads. */
  base: 24,
  /** A report: its .partial, its lock, the rename's directory handle. */
  report: 4,
  /** The checkpoint, its temporary copy, its lock and the found-log. */
  checkpoint: 8,
  /** getnameinfo and the enrichment databases. */
  resolver: 8,
  /** A worker thread's event loop. */
  worker: 4,
} as const;

/** What a run holds open besides its probe sockets. */
export interface DescriptorNeeds {
  reports: number;
  checkpoint: boolean;
  metrics: boolean;
  /** Worker threads that may start (the cores, at most). */
  workers?: number;
}

/** Descriptors kept for everything but probe sockets. */
export function reserved(needs: DescriptorNeeds): number {
  return (
    RESERVE.base +
    RESERVE.report * needs.reports +
    (needs.checkpoint ? RESERVE.checkpoint : 0) +
    RESERVE.resolver +
    (needs.metrics ? METRICS_MAX_CONNECTIONS + 4 : 0) +
    RESERVE.worker * (needs.workers ?? availableParallelism())
  );
}

/** The descriptor budget for probe sockets under `limit` (null: unknown, so not limited by it). */
export function socketBudget(limit: number | null, needs: DescriptorNeeds): number | undefined {
  if (limit === null) return undefined;
  return Math.max(1, limit - reserved(needs));
}

/**
 * False when Node's permission model is on without --allow-worker: starting a
 * worker thread would then fail, so the scan stays on the main thread.
 */
export function workersAllowed(): boolean {
  const permission = (process as unknown as { permission?: { has(scope: string): boolean } })
    .permission;
  return permission === undefined || permission.has('worker');
}
