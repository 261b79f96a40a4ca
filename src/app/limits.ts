// The process's open-file limit: every probe holds a socket, so concurrency
// above the limit would fail with EMFILE instead of scanning.

import { readFileSync } from 'node:fs';

/** The soft RLIMIT_NOFILE from /proc (Linux); null where it cannot be read. */
export function openFileLimit(): number | null {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    if (!m || m[1] === 'unlimited') return null;
    return Number(m[1]);
  } catch {
    return null;
  }
}

/** Descriptors kept free for stdio, output files, DNS and node's own use. */
export const RESERVED_FDS = 64;

/** The concurrency that fits under the limit, and whether it had to be lowered. */
export function clampConcurrency(
  wanted: number,
  limit: number | null,
): { concurrency: number; clamped: boolean } {
  if (limit === null) return { concurrency: wanted, clamped: false };
  const most = Math.max(1, limit - RESERVED_FDS);
  return wanted > most
    ? { concurrency: most, clamped: true }
    : { concurrency: wanted, clamped: false };
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
