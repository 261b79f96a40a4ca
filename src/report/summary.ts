// The run summary on stderr: counts per status, exposures and nodes, time and
// rate, and what the gate found.

import { type ScanRecord, STATUSES, type Status } from '../record.js';
import type { GateResult } from './gate.js';

/** Counts kept as records go by. */
export class Stats {
  readonly byStatus: Record<Status, number> = {
    epmd: 0,
    'not-epmd': 0,
    refused: 0,
    timeout: 0,
    unreachable: 0,
    error: 0,
  };
  done = 0;
  nodes = 0;
  readonly started = performance.now();
  /** Seconds spent in earlier parts of a resumed run. */
  private before = 0;

  /** Starts from the counts of earlier parts of the run (a checkpoint's). */
  restore(saved: {
    done: number;
    nodes: number;
    seconds: number;
    byStatus: Record<Status, number>;
  }): void {
    this.done = saved.done;
    this.nodes = saved.nodes;
    this.before = saved.seconds;
    Object.assign(this.byStatus, saved.byStatus);
  }

  add(r: ScanRecord): void {
    this.done++;
    this.byStatus[r.status]++;
    if (r.status === 'epmd') this.nodes += r.nodes.length;
  }

  get exposures(): number {
    return this.byStatus.epmd;
  }

  get seconds(): number {
    return this.before + (performance.now() - this.started) / 1000;
  }
}

const n = (x: number): string => x.toLocaleString('en');

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
  gate?: GateResult;
  /** Extra lines, e.g. remediation advice. */
  notes?: string[];
}

export function renderSummary({ stats, total, interrupted, gate, notes }: SummaryInput): string {
  const rate = stats.seconds > 0 ? stats.done / stats.seconds : 0;
  const lines: string[] = [];
  lines.push(
    `${interrupted ? 'interrupted' : 'done'}: ${n(stats.done)} of ${n(total)} targets in ${duration(stats.seconds)} (${n(Math.round(rate))}/s)`,
  );
  lines.push(
    `  ${STATUSES.filter((s) => stats.byStatus[s] > 0 || s === 'epmd')
      .map((s) => `${s} ${n(stats.byStatus[s])}`)
      .join(', ')}`,
  );
  lines.push(`  exposed EPMDs ${n(stats.exposures)}, listing ${n(stats.nodes)} nodes`);
  if (gate) {
    if (gate.fresh.length > 0) {
      lines.push(`  new exposures (${gate.fresh.length}):`);
      for (const e of gate.fresh) lines.push(`    + ${e.key} ${names(e.nodes) || '(no nodes)'}`);
    }
    if (gate.gone.length > 0) {
      lines.push(`  gone since the baseline (${gate.gone.length}):`);
      for (const e of gate.gone) lines.push(`    - ${e.key} ${names(e.nodes) || '(no nodes)'}`);
    }
    if (gate.changed.length > 0) {
      lines.push(`  nodes changed (${gate.changed.length}):`);
      for (const e of gate.changed) {
        const parts = [names(e.added, '+'), names(e.removed, '-')].filter((x) => x !== '');
        lines.push(`    ~ ${e.key} ${parts.join(' ')}`);
      }
    }
    if (gate.allowed > 0) lines.push(`  allowed exposures: ${gate.allowed}`);
  }
  for (const note of notes ?? []) lines.push(note === '' ? '' : `  ${note}`);
  return `${lines.join('\n')}\n`;
}
