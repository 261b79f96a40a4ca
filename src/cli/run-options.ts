// The command line, read once into the four parts a run is made of: what to
// scan, how each target is probed, how many at once, and what is reported.
// Everything after parsing reads these, never the raw flags.

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SourceAddresses } from '../net/source.js';
import type { Severity } from '../record.js';
import { DEFAULT_FAIL_ON, type FailOn } from '../report/gate.js';
import { type ProbeSettings, probeSettings } from '../scan-options.js';
import type { HostPort } from './options.js';
import type { CliOptions, Format } from './program.js';
import type { TargetOptions } from './targets.js';

/** What is reported, where, and what trips the gate. */
export interface ReportOptions {
  /** Every report: a format and a path (undefined: stdout). */
  outputs: OutputSpec[];
  /** -oA's prefix, when given (a folder is made for it). */
  outputAll?: string;
  all: boolean;
  nodeSeparator: string;
  severity: Severity;
  /** The checkpoint file (--resume). */
  resume?: string;
  /** What trips the gate; undefined: it never trips (it may still compare). */
  failOn?: readonly FailOn[];
  baseline?: string;
  allow?: string;
  enrich: { cityDb?: string; asnDb?: string; assetMap?: string; resolve: boolean };
  quiet: boolean;
  progress: boolean;
  metrics?: HostPort;
}

/** The command line as a run reads it. */
export interface RunOptions {
  targets: TargetOptions & { listTargets: boolean };
  /** The per-probe settings (what a worker thread is given), before the sockets' path is known. */
  probe: ProbeSettings;
  /** -S, checked against this machine's addresses before the first packet. */
  sourceIp?: SourceAddresses;
  /** --check-cookies and --cookie-attempts, the file still to be read. */
  cookies: { checkCookies?: boolean | string; cookieAttempts: number };
  /** Probes in flight and threads; --rate is a probe setting (each worker gets its share). */
  pool: { concurrency: number; workers: number | 'auto' };
  report: ReportOptions;
}

/** Reads parsed flags once; `formatGiven`: -f was on the command line, not the default. */
export function runOptions(
  o: CliOptions,
  formatGiven: boolean,
  env: NodeJS.ProcessEnv,
): RunOptions {
  return {
    targets: {
      inputFile: o.inputFile,
      exclude: o.exclude,
      excludeFile: o.excludeFile,
      shuffle: o.shuffle,
      shard: o.shard,
      resume: o.resume,
      port: o.port,
      listTargets: o.listTargets === true,
    },
    // The probe settings the flags hold, picked by the one list of them
    // (scan-options.ts); -S and the cookie checks are read in prepare.
    probe: probeSettings({
      ...o,
      sourceIps: o.sourceIp,
      checkCookies: undefined,
      cookieAttempts: undefined,
    }),
    sourceIp: o.sourceIp,
    cookies: { checkCookies: o.checkCookies, cookieAttempts: o.cookieAttempts },
    pool: { concurrency: o.concurrency, workers: o.workers },
    report: {
      outputs: outputSpecs(o, formatGiven),
      outputAll: o.outputAll,
      all: o.all === true,
      nodeSeparator: o.nodeSeparator,
      severity: o.severity,
      resume: o.resume,
      failOn: o.failOn ?? (o.failOnExposed ? DEFAULT_FAIL_ON : undefined),
      baseline: o.baseline,
      allow: o.allow,
      enrich: {
        cityDb: o.cityDb ?? (env.EPMD_SCAN_CITY_DB || undefined),
        asnDb: o.asnDb ?? (env.EPMD_SCAN_ASN_DB || undefined),
        assetMap: o.assetMap,
        resolve: o.resolve,
      },
      quiet: o.quiet === true,
      progress: o.progress,
      metrics: o.metrics,
    },
  };
}

/** A report asked for: its format, and its path (undefined: stdout). */
export interface OutputSpec {
  format: Format;
  path: string | undefined;
}

/** The date and label -oA gives a folder's reports: IntelMQ's Shadowserver parser reads the feed from the name. */
export function intelmqName(date: Date, label = 'epmd-scan'): string {
  return `${date.toISOString().slice(0, 10)}-scan_epmd-${label}`;
}

/** -oA's three reports: `<prefix>.csv` and so on, or IntelMQ names in a folder. */
export function outputAllPaths(
  prefix: string,
  now = new Date(),
): Record<'csv' | 'ndjson' | 'html', string> {
  const folder = prefix.endsWith('/') || (existsSync(prefix) && statSync(prefix).isDirectory());
  const base = folder ? join(prefix, intelmqName(now)) : prefix;
  return { csv: `${base}.csv`, ndjson: `${base}.ndjson`, html: `${base}.html` };
}

/**
 * The reports asked for: `-o` in the `-f` format, `--csv` and the like,
 * `-oA`; stdout in the `-f` format when no file was named (or -f was given
 * with files but no -o).
 */
export function outputSpecs(options: CliOptions, formatGiven = false): OutputSpec[] {
  const specs: OutputSpec[] = [];
  if (options.output !== undefined) specs.push({ format: options.format, path: options.output });
  for (const format of ['csv', 'ndjson', 'table', 'html'] as const) {
    const path = options[format];
    if (path !== undefined) specs.push({ format, path });
  }
  if (options.outputAll !== undefined) {
    const paths = outputAllPaths(options.outputAll);
    for (const format of ['csv', 'ndjson', 'html'] as const)
      specs.push({ format, path: paths[format] });
  }
  if (specs.length === 0 || (formatGiven && options.output === undefined)) {
    specs.push({ format: options.format, path: undefined });
  }
  return specs;
}
