// What a run is made of, as the command line resolves it (src/cli/run-options.ts
// reads the flags into this, once): what to scan, how each target is probed
// (the scan's ProbePlan, every default applied), how many at once, and what
// is reported. Everything after parsing reads these, never the raw flags.

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Format } from '../output/formatter.js';
import type { ProbePlan } from '../probes/plan.js';
import type { FailOn } from '../report/fail-on.js';
import type { TargetOptions } from './targets.js';

/** Where to listen: an address and a port (0 = any free one). */
export interface HostPort {
  host: string;
  port: number;
}

/** What is reported, where, and what trips the gate. */
export interface ReportOptions {
  /** Every report: a format and a path (undefined: stdout). */
  outputs: OutputSpec[];
  /** -oA's prefix, when given (a folder is made for it). */
  outputAll?: string;
  all: boolean;
  nodeSeparator: string;
  /** The checkpoint file (--resume). */
  resume?: string;
  /** What trips the gate; undefined: it never trips (it may still compare). */
  failOn?: readonly FailOn[];
  baseline?: string;
  allow?: string;
  enrich: { cityDb?: string; asnDb?: string; assetMap?: string; resolve: boolean };
  quiet: boolean;
  progress: boolean;
  /** --stats-every in ms (0: none); undefined: the default (app/live.ts). */
  statsEvery?: number;
  /** -v: a line on stderr for each exposure and each error. */
  verbose: boolean;
  metrics?: HostPort;
  /** The tool's version, for the reports that say it (SARIF). */
  version?: string;
  /** The file SARIF findings point at (the first -iL file, relative); undefined: none. */
  sarifLocation?: string;
  /** The targets as given, in words, for a report's scope. */
  scope?: string;
}

/** The command line as a run reads it. */
export interface RunOptions {
  targets: TargetOptions & { listTargets: boolean };
  /**
   * How each target is probed, resolved (what a worker thread is given); -S
   * is checked against this machine's addresses, and the cookies of
   * `cookieFile` are read, before the first packet.
   */
  probe: ProbePlan;
  /** --check-cookies <file>: the candidate cookies, still to be read. */
  cookieFile?: string;
  /** -c (when given) and threads; --rate is a probe setting (each worker gets its share). */
  pool: { concurrency?: number; workers: number | 'auto' };
  report: ReportOptions;
}

/** A report asked for: its format, and its path (undefined: stdout). */
export interface OutputSpec {
  format: Format;
  path: string | undefined;
  /** The option that asked for it (`-o`, `--csv`, `-oA`...), for messages. */
  flag?: string;
}

/** The date and label -oA gives a folder's reports: IntelMQ's Shadowserver parser reads the feed from the name. */
export function intelmqName(date: Date, label = 'epmd-scan'): string {
  return `${date.toISOString().slice(0, 10)}-scan_epmd-${label}`;
}

/** -oA's four reports: `<prefix>.csv` and so on, or IntelMQ names in a folder. */
export function outputAllPaths(
  prefix: string,
  now = new Date(),
): Record<'csv' | 'ndjson' | 'html' | 'sarif', string> {
  const folder = prefix.endsWith('/') || (existsSync(prefix) && statSync(prefix).isDirectory());
  const base = folder ? join(prefix, intelmqName(now)) : prefix;
  return {
    csv: `${base}.csv`,
    ndjson: `${base}.ndjson`,
    html: `${base}.html`,
    sarif: `${base}.sarif`,
  };
}
