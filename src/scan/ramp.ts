// How many probes one thread keeps in flight below its ceiling. The
// ceiling that --rate sets (rate x connect timeout) is what silent space
// needs: each probe there waits out its timeout. Refusing space needs a
// thousandth of it, and a thread that cannot keep up gains nothing from
// more: its kernel answers late, every waiting probe holds memory, and the
// sweep gets slower. So a thread starts at RAMP_START and grows while its
// probes are what holds it back (every slot taken, a token of the rate
// ready) and it has time to spare (its event loop was idle for a part of
// the last interval). A refusing /16 at --rate 100000 stays at the start on
// a busy machine (152 MB became 108), and the lower its start the faster
// it went: 128 a thread instead of 256 ran the sweep in 0.03-0.05 x the C
// loop less, ten rounds of ten; 64 no better. A silent one reaches rate x
// timeout in a few intervals (a dropping /18 at --rate 20000 ran as fast
// as with the whole ceiling from the start; npm run bench).

import { performance } from 'node:perf_hooks';

/** Probes in flight a thread starts with (or its ceiling, if lower). */
export const RAMP_START = 128;
/** How often a thread looks whether it should have more in flight. */
export const RAMP_EVERY_MS = 25;
/** How much the limit grows in one interval. */
export const RAMP_GROWTH = 4;
/** Busier than this (the share of an interval its event loop worked), a thread does not grow. */
export const RAMP_BUSY = 0.9;

/** The share of the time since the last call that this thread's event loop was busy. */
export type Busyness = () => number;

/** This thread's event-loop utilisation since the previous call (Node's own measure). */
export function eventLoopBusyness(): Busyness {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, last);
    last = now;
    return delta.utilization;
  };
}

/** One thread's in-flight limit: from RAMP_START up to its ceiling, never down. */
export class Ramp {
  /** Probes in flight allowed now. */
  limit: number;
  /** Every slot was taken while a start could have been made, since the last interval. */
  private starved = false;

  constructor(
    readonly ceiling: number,
    private readonly busyness: Busyness = eventLoopBusyness(),
    start = RAMP_START,
  ) {
    this.limit = Math.max(1, Math.min(ceiling, start));
  }

  /** At the ceiling: nothing more to decide. */
  get full(): boolean {
    return this.limit >= this.ceiling;
  }

  /** A start was held back since the last interval (starve() need not be asked again). */
  get starving(): boolean {
    return this.starved;
  }

  /** The slots held back a start that the rate allowed. */
  starve(): void {
    this.starved = true;
  }

  /** Every RAMP_EVERY_MS: grows the limit when slots held the thread back and it had time to spare. True: it grew. */
  tick(): boolean {
    const busy = this.busyness();
    const grow = this.starved && busy < RAMP_BUSY && !this.full;
    this.starved = false;
    if (grow) this.limit = Math.min(this.ceiling, this.limit * RAMP_GROWTH);
    return grow;
  }
}
