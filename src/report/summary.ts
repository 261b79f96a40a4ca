// The run summary on stderr: counts per status, exposures and nodes, time and
// rate, and what the gate found.

import { NAMES } from '../probes/names/index.js';
import { probeKind } from '../probes/registry.js';
import { grouped } from '../text/numbers.js';
import { FAIL_ON_KINDS, type FailOn, trips } from './fail-on.js';
import type { GateResult } from './gate.js';
import { type Counts, Tally } from './tally.js';

/** Counts kept as records go by, and the time the run has taken. */
export class Stats extends Tally {
  readonly started = performance.now();
  /** Seconds spent in earlier parts of a resumed run. */
  private before = 0;

  /** Starts from the counts of earlier parts of the run (a checkpoint's). */
  override restore(saved: Counts & { seconds: number }): void {
    super.restore(saved);
    this.before = saved.seconds;
  }

  get seconds(): number {
    return this.before + (performance.now() - this.started) / 1000;
  }
}

const n = grouped;

/** Node names a summary line lists; the rest are counted. */
export const LISTED_NAMES = 20;

/** Names (safe text already) for one summary line, at most LISTED_NAMES of them. */
function names(list: string[], prefix = ''): string {
  if (list.length === 0) return '';
  const shownNames = list.slice(0, LISTED_NAMES).map((x) => `${prefix}${x}`);
  const more = list.length - LISTED_NAMES;
  return `${shownNames.join(' ')}${more > 0 ? ` ... and ${n(more)} more` : ''}`;
}

/** Seconds as `1h02m03s`, `2m03s` or `4.2s`. */
export function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = `${String(s % 60).padStart(2, '0')}s`;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m${rest}` : `${m}m${rest}`;
}

export interface SummaryInput {
  stats: Stats;
  total: number;
  interrupted: boolean;
  /** Cut short by a failure (a full disk, a reader gone), not by a signal: never "done". */
  stopped?: boolean;
  gate?: GateResult;
  /** What the gate trips on (for the line that says whether it tripped). */
  failOn?: readonly FailOn[];
  /** Extra lines, e.g. remediation advice. */
  notes?: string[];
  /** The probe kind scanned with, for its words (default `names`: `exposed EPMDs`). */
  probe?: string;
}

/** Entries of the gate's lists named in the summary, all lists together; the report has the rest. */
export const LISTED_GATE_ENTRIES = 5;

/** The gate's lines: one count line, the first entries of its lists, whether it tripped. */
function gateLines(gate: GateResult, failOn: readonly FailOn[] | undefined): string[] {
  const lines: string[] = [];
  const counts = [
    `new ${n(gate.fresh.length)}`,
    `gone ${n(gate.gone.length)}`,
    `changed ${n(gate.changed.length)}`,
    `allowed ${n(gate.allowed)}`,
  ].join(', ');
  lines.push(
    gate.baselineEntries === null
      ? `  gate: ${counts}`
      : `  baseline: ${n(gate.baselineEntries)} exposure${gate.baselineEntries === 1 ? '' : 's'} read; ${counts}`,
  );
  const entries = [
    ...gate.cookies.map((e) => `    ! ${e.key} default cookie accepted: ${names(e.nodes)}`),
    ...gate.fresh.map((e) => `    + ${e.key} ${names(e.nodes) || '(no nodes)'}`),
    ...gate.changed.map(
      (e) =>
        `    ~ ${e.key} ${[names(e.added, '+'), names(e.removed, '-')].filter(Boolean).join(' ')}`,
    ),
    ...gate.gone.map((e) => `    - ${e.key} ${names(e.nodes) || '(no nodes)'}`),
  ];
  lines.push(...entries.slice(0, LISTED_GATE_ENTRIES));
  if (entries.length > LISTED_GATE_ENTRIES) {
    lines.push(`    ... and ${n(entries.length - LISTED_GATE_ENTRIES)} more in the report`);
  }
  if (failOn) {
    const tripped = trips(gate, failOn);
    lines.push(
      tripped.length > 0
        ? `  gate tripped (exit 1): ${tripped.map(([k, v]) => `${FAIL_ON_KINDS[k].words} ${n(v)}`).join(', ')}`
        : `  gate passed (${failOn.join(', ')})`,
    );
  }
  return lines;
}

/** At most about 15 lines, however many targets and exposures. */
export function renderSummary({
  stats,
  total,
  interrupted,
  stopped,
  gate,
  failOn,
  notes,
  probe = NAMES,
}: SummaryInput): string {
  const kind = probeKind(probe);
  const first = kind.statuses[0]?.name;
  const rate = stats.seconds > 0 ? stats.done / stats.seconds : 0;
  const lines: string[] = [];
  lines.push(
    `${interrupted ? 'interrupted' : stopped ? 'stopped' : 'done'}: ${n(stats.done)} of ${n(total)} targets in ${duration(stats.seconds)} (${n(Math.round(rate))}/s)`,
  );
  lines.push(
    `  ${Object.entries(stats.byStatus)
      .filter(([s, count]) => count > 0 || s === first)
      .map(([s, count]) => `${s} ${n(count)}`)
      .join(', ')}`,
  );
  lines.push(`  ${kind.noun[1]} ${n(stats.exposures)}, listing ${n(stats.nodes)} nodes`);
  if (gate) lines.push(...gateLines(gate, failOn));
  for (const note of notes ?? []) lines.push(note === '' ? '' : `  ${note}`);
  return `${lines.join('\n')}\n`;
}
