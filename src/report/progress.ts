// A one-line progress display on stderr, drawn only on a terminal: done/total,
// rate, exposures, ETA. Redrawn a few times a second, cleared at the end.

import type { Writable } from 'node:stream';
import type { ChalkInstance } from 'chalk';
import { duration, type Stats } from './summary.js';

export class Progress {
  private timer: NodeJS.Timeout | null = null;
  private drawn = false;

  constructor(
    private readonly out: Writable,
    private readonly stats: Stats,
    /** null: not known yet (a stream of targets): the line counts what is done so far. */
    private readonly total: number | null,
    private readonly c: ChalkInstance,
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
    const perSecond = `${Math.round(rate).toLocaleString('en')}/s`;
    if (this.total === null) return `${done.toLocaleString('en')} so far  ${perSecond}  ${exposed}`;
    const pct = this.total > 0 ? (100 * done) / this.total : 100;
    const eta = rate > 0 ? duration((this.total - done) / rate) : '?';
    return `${done.toLocaleString('en')}/${this.total.toLocaleString('en')} (${pct.toFixed(1)}%)  ${perSecond}  ${exposed}  ETA ${eta}`;
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
