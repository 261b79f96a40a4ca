// How many probes are in flight at once, and why: the rate drives a sweep.
// On silent space each probe waits out its connect timeout, so sustaining
// --rate R takes R x connect timeout probes in flight; -c, when given, sets
// the number instead; and either way every socket comes out of the
// descriptor budget, which the open-file limit sets.

import { openFileLimit } from '../runtime/limits.js';
import { grouped } from '../text/numbers.js';

/** Descriptors the library keeps for everything but probe sockets, when not told better. */
export const LIBRARY_RESERVE = 64;

/** What set the in-flight ceiling. */
export type CeilingSource = 'concurrency' | 'rate' | 'open-file limit';

export interface InFlightPlan {
  /** Probes in flight at most, over every thread. */
  ceiling: number;
  setBy: CeilingSource;
  /** New connections a second at most (0: no pacing). */
  rate: number;
  /** Sockets open at once at most (the descriptor budget), over every thread. */
  sockets: number;
  /**
   * Each thread starts below the ceiling and grows towards it as it can use
   * more (scan/ramp.ts): true unless -c set the number.
   */
  ramp: boolean;
}

/** What sets the ceiling, resolved (src/scan/plan.ts applies the defaults). */
export interface InFlightInput {
  /** -c: probes in flight, when given. */
  concurrency?: number;
  /** --rate; 0: unpaced. */
  rate: number;
  connectTimeout: number;
  timeout: number;
  /** The descriptor budget; undefined: the open-file limit less LIBRARY_RESERVE. */
  sockets?: number;
}

/** The budget a scan gets when nobody sized it: the open-file limit less a reserve. */
export function defaultSockets(limit: number | null = openFileLimit()): number {
  return limit === null ? 1 << 20 : Math.max(1, limit - LIBRARY_RESERVE);
}

/** The in-flight ceiling for these settings, and what set it. */
export function planInFlight(input: InFlightInput): InFlightPlan {
  const { rate } = input;
  const sockets = Math.max(1, Math.floor(input.sockets ?? defaultSockets()));
  let wanted: number;
  let setBy: CeilingSource;
  if (input.concurrency !== undefined) {
    wanted = Math.max(1, Math.floor(input.concurrency));
    setBy = 'concurrency';
  } else if (rate > 0) {
    const wait = Math.min(input.connectTimeout, input.timeout);
    // A little room above R x timeout: deadlines are swept on a tick, and timers run late.
    wanted = Math.max(MIN_IN_FLIGHT, Math.ceil((rate * (wait + 100)) / 1000));
    setBy = 'rate';
  } else {
    wanted = sockets;
    setBy = 'open-file limit';
  }
  const ramp = input.concurrency === undefined;
  if (wanted > sockets) return { ceiling: sockets, setBy: 'open-file limit', rate, sockets, ramp };
  return { ceiling: wanted, setBy, rate, sockets, ramp };
}

/** Fewest probes in flight that --rate alone gives (a slow EPMD holds its slot for a while). */
const MIN_IN_FLIGHT = 16;

/** The plan in words, for the summary and --version --verbose. */
export function describeCeiling(plan: InFlightPlan, connectTimeout: number): string {
  const n = grouped;
  const why =
    plan.setBy === 'concurrency'
      ? '-c'
      : plan.setBy === 'rate'
        ? `--rate ${n(plan.rate)}/s x ${n(connectTimeout / 1000)} s connect timeout`
        : `the open-file limit: ${n(plan.sockets)} descriptors left for sockets; ulimit -n raises it`;
  return `in flight: at most ${n(plan.ceiling)} (set by ${why})`;
}
