// What can trip the gate (`--fail-on`): one closed table of the kinds, with
// what each counts in the gate's findings and how the summary and a quiet
// run name it. --help, the summary, -q and the exit code all read it.

import type { GateResult } from './gate.js';

/** One kind of finding the gate can trip on. */
interface FailOnKind {
  /** The summary's words for it: `gate tripped (exit 1): new exposure 2`. */
  readonly words: string;
  /** A quiet run's line for it: `2 new exposure(s): 192.0.2.7:4369, ...`. */
  readonly quiet: string;
  /** Its entries in the gate's findings. */
  entries(gate: GateResult): readonly { key: string }[];
}

/** Every --fail-on kind, in the order --help lists them. */
export const FAIL_ON_KINDS = {
  'new-exposure': {
    words: 'new exposure',
    quiet: 'new exposure(s)',
    entries: (g) => g.fresh,
  },
  'new-node': {
    words: 'new node on a known exposure',
    quiet: 'known exposure(s) with new nodes',
    entries: (g) => g.changed.filter((c) => c.added.length > 0 && !c.allowed),
  },
  'reachable-node': {
    words: 'reachable node',
    quiet: 'exposure(s) with a reachable node',
    entries: (g) => g.reachable,
  },
  'accepted-cookie': {
    words: 'accepted cookie',
    quiet: 'exposure(s) where a default cookie was accepted',
    entries: (g) => g.cookies,
  },
} as const satisfies Record<string, FailOnKind>;

/** A kind --fail-on names. */
export type FailOn = keyof typeof FAIL_ON_KINDS;

/** Every --fail-on kind. */
export const FAIL_ON = Object.keys(FAIL_ON_KINDS) as FailOn[];

/** What --fail-on-exposed (and --fail-on without a list) trips on. */
export const DEFAULT_FAIL_ON: readonly FailOn[] = ['new-exposure', 'new-node'];

/** How many of each kind the gate found, for the kinds asked; empty when it does not trip. */
export function trips(gate: GateResult, failOn: readonly FailOn[]): [FailOn, number][] {
  return failOn
    .map((k): [FailOn, number] => [k, FAIL_ON_KINDS[k].entries(gate).length])
    .filter(([, v]) => v > 0);
}

/** Entries a quiet run's line names; the rest are counted. */
const NAMED = 10;

/** What tripped the gate, one line per kind, for runs with -q (the first few entries named). */
export function quietLines(gate: GateResult, tripped: [FailOn, number][]): string[] {
  return tripped.map(([kind, count]) => {
    const list = FAIL_ON_KINDS[kind].entries(gate);
    const named = list
      .slice(0, NAMED)
      .map((e) => e.key)
      .join(', ');
    const more = list.length > NAMED ? ` and ${list.length - NAMED} more` : '';
    return `${count} ${FAIL_ON_KINDS[kind].quiet}: ${named}${more}`;
  });
}
