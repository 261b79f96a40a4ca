// Progress on stderr: the line drawn on a terminal (done/total, rate,
// exposures, ETA, redrawn a few times a second, cleared at the end), and the
// one-line figures --stats-every prints for logs. Both share the ETA.

import type { Writable } from 'node:stream';
import type { ChalkInstance } from 'chalk';
import { grouped } from '../text/numbers.js';
import { duration, type Stats } from './summary.js';

/** What an ETA is estimated from. */
export interface ProgressFigures {
  done: number;
  /** Probes in flight now. */
  inFlight: number;
  total: number;
  /** Seconds the run has taken so far (earlier parts of a resumed run included). */
  seconds: number;
}

/**
 * Seconds left, or null before anything has started. From the completion
 * rate and what is in flight: a probe in flight counts as half done (the
 * expected share of a probe whose age is unknown), so a sweep of silent
 * targets, where nothing completes until the first timeouts, starts with an
 * estimate of the right size instead of hours from the first few refusals.
 */
export function etaSeconds({ done, inFlight, total, seconds }: ProgressFigures): number | null {
  const progress = done + inFlight / 2;
  if (progress <= 0 || seconds <= 0) return null;
  return Math.max(0, ((total - progress) * seconds) / progress);
}

const n = (x: number): string => grouped(Math.round(x));

/** The line --stats-every prints: done/total, elapsed, rate, in flight, exposures, ETA. */
export function statsLine(f: ProgressFigures, exposures: number): string {
  const pct = f.total > 0 ? (100 * f.done) / f.total : 100;
  const rate = f.seconds > 0 ? f.done / f.seconds : 0;
  const eta = etaSeconds(f);
  return `stats: ${n(f.done)} of ${n(f.total)} targets (${pct.toFixed(1)}%) after ${duration(f.seconds)}, ${n(rate)}/s, ${n(f.inFlight)} in flight, exposed ${n(exposures)}, ETA ${eta === null ? '?' : duration(eta)}`;
}

/** The line drawn on a terminal. */
export class Progress {
  private timer: NodeJS.Timeout | null = null;
  private drawn = false;

  constructor(
    private readonly out: Writable,
    private readonly stats: Stats,
    /** null: not known yet (a stream of targets): the line counts what is done so far. */
    private readonly total: number | null,
    private readonly c: ChalkInstance,
    private readonly inFlight: () => number = () => 0,
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.draw(), this.intervalMs);
    this.timer.unref();
  }

  /** The line as it is drawn now (without the carriage return). */
  line(): string {
    const { done, exposures } = this.stats;
    const seconds = this.stats.seconds;
    const rate = seconds > 0 ? done / seconds : 0;
    const exposed = exposures > 0 ? this.c.red.bold(`exposed ${exposures}`) : 'exposed 0';
    const perSecond = `${n(rate)}/s`;
    if (this.total === null) return `${n(done)} so far  ${perSecond}  ${exposed}`;
    const pct = this.total > 0 ? (100 * done) / this.total : 100;
    const left = etaSeconds({ done, inFlight: this.inFlight(), total: this.total, seconds });
    const eta = left === null ? '?' : duration(left);
    return `${n(done)}/${n(this.total)} (${pct.toFixed(1)}%)  ${perSecond}  ${exposed}  ETA ${eta}`;
  }

  draw(): void {
    this.out.write(`\r\x1b[K${this.line()}`);
    this.drawn = true;
  }

  /** Erases the line for now (a row is about to be written above it); the next tick draws it again. */
  clear(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }

  /** Stops drawing and erases the line, so the summary starts on a clean line. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.drawn) this.out.write('\r\x1b[K');
  }
}
