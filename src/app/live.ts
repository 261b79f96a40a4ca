// What a running scan says on stderr as it goes: the progress line on a
// terminal, a line of figures every --stats-every (whether or not stderr is
// a terminal: logs of cron, CI and Kubernetes Jobs), and with -v a line for
// each exposure and each error as it happens. runScan hooks it in with a few
// calls; the words are report/progress.ts's and report/live-lines.ts's.

import type { Writable } from 'node:stream';
import { Chalk } from 'chalk';
import type { ScanRecord } from '../record.js';
import { liveLine } from '../report/live-lines.js';
import { Progress, statsLine } from '../report/progress.js';
import type { Stats } from '../report/summary.js';
import type { ScanGauges } from '../scan/options.js';
import { escapeLines } from '../text/escape.js';
import { colorLevel, isTerminal } from './color.js';
import type { ReportOptions } from './run-options.js';

/** --stats-every's interval when it is not given and stderr is not a terminal: a pulse for logs. */
export const DEFAULT_STATS_EVERY_MS = 60_000;

/** What the live lines read. */
export interface LiveSetup {
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  stats: Stats;
  /** null: a stream of targets, whose total is not known until it ends. */
  total: number | null;
  gauges: ScanGauges;
  report: Pick<ReportOptions, 'quiet' | 'progress' | 'statsEvery' | 'verbose'>;
}

/**
 * The interval of the stats lines, or null for none. Given: that (0 is none),
 * even with -q. Not given: none on a terminal (the progress line is there),
 * with -q or --no-progress; every minute otherwise.
 */
export function statsInterval(report: LiveSetup['report'], terminal: boolean): number | null {
  if (report.statsEvery !== undefined) return report.statsEvery > 0 ? report.statsEvery : null;
  if (terminal || report.quiet || !report.progress) return null;
  return DEFAULT_STATS_EVERY_MS;
}

export class Live {
  private readonly bar: Progress | null;
  private readonly every: number | null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly setup: LiveSetup) {
    const { stderr, env, stats, total, gauges, report } = setup;
    const terminal = isTerminal(stderr);
    this.bar =
      !report.quiet && report.progress && terminal
        ? new Progress(
            stderr,
            stats,
            total,
            new Chalk({ level: colorLevel(stderr, env) }),
            () => gauges.inFlight,
          )
        : null;
    this.every = statsInterval(report, terminal);
  }

  start(): void {
    this.bar?.start();
    if (this.every === null) return;
    this.timer = setInterval(() => this.say(this.figures()), this.every);
    this.timer.unref();
  }

  /** The stats line as it stands. */
  figures(): string {
    const { stats, total, gauges } = this.setup;
    const { done, seconds, exposures } = stats;
    return statsLine({ done, inFlight: gauges.inFlight, total: total ?? done, seconds }, exposures);
  }

  /** -v: every record is looked at (an error's line). */
  get everyRecord(): boolean {
    return this.setup.report.verbose === true;
  }

  /** A record as it comes: with -v, its line. */
  record(r: ScanRecord): void {
    if (!this.setup.report.verbose) return;
    const line = liveLine(r);
    if (line !== null) this.say(line);
  }

  /** A row is about to be written to the terminal: the progress line makes way. */
  clear(): void {
    this.bar?.clear();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.bar?.stop();
  }

  private say(line: string): void {
    this.bar?.clear();
    this.setup.stderr.write(`epmd-scan: ${escapeLines(line)}\n`);
  }
}
