// A table for people at a terminal: exposures only, a row as each is found
// (the progress line stays below them), coloured when the destination is a
// colour terminal. TARGET first, the probe kind's columns of a fixed width
// (for NAMES: EPMD), HOSTNAME and WHERE, then the kind's unbounded column
// (NODES) last; under a row, indented, the gate's verdict, the kind's notes
// (a reply cut short) and the risks. Every string is escaped text already
// (node names at parse time, the rest here), so no escape code from the wire
// reaches the terminal. How to fix what it shows is said once, in the summary.

import { Chalk, type ChalkInstance } from 'chalk';
import type { TableRender } from '../probes/kind.js';
import { NAMES } from '../probes/names/index.js';
import { probeKind } from '../probes/registry.js';
import type { ScanRecord } from '../record.js';
import type { Verdict } from '../report/gate.js';
import { hostPort } from '../targets/ip.js';
import { escapeComposed, escapeText } from '../text/escape.js';
import type { Formatter } from './formatter.js';

export interface TableOptions {
  /** chalk colour level: 0 for none. */
  colorLevel?: 0 | 1 | 2 | 3;
  /** Show the WHERE column (AS, country, city): only when a database can fill it. */
  where?: boolean;
  /** The gate's verdict on an exposure: allowed ones, and new or changed ones, are marked. */
  verdict?: (r: ScanRecord) => Verdict | null;
  /** The probe kind whose columns the table has (default `names`). */
  probe?: string;
}

/** The line under a row that says what the gate makes of it. */
const VERDICT_LINE = {
  allowed: '= allowed (--allow)',
  new: '+ new since --baseline',
  updated: '~ nodes changed since --baseline',
} as const;

/**
 * Column widths. Rows are written as they come, so the widths are fixed: an
 * IPv4 target with its port fits; the kind's column whose width has no bound
 * (NODES) is last; a longer value (an IPv6 target, a long hostname) pushes
 * the rest of its row right.
 */
const WIDTH = { TARGET: 21, HOSTNAME: 24, WHERE: 20 } as const;

function where(r: ScanRecord): string {
  return [r.asn ? `AS${r.asn}` : '', r.geo, r.city]
    .filter(Boolean)
    .map((s) => escapeText(s))
    .join(' ');
}

/** Visible width: code points (good enough for the escaped text we print). */
function width(s: string): number {
  return [...s].length;
}

function pad(s: string, w: number | undefined): string {
  return w === undefined ? s : s + ' '.repeat(Math.max(0, w - width(s)));
}

/** The indented lines under a row: the gate's verdict, the kind's notes, the risks. */
function notes(
  r: ScanRecord,
  own: TableRender<object>,
  c: ChalkInstance,
  verdict: Verdict | null,
): string {
  const lines = [];
  if (verdict?.allowed) lines.push(`  ${c.green(VERDICT_LINE.allowed)}\n`);
  else if (verdict?.baseline === 'new' || verdict?.baseline === 'updated') {
    lines.push(`  ${c.red(VERDICT_LINE[verdict.baseline])}\n`);
  }
  for (const why of own.notes?.(r) ?? []) lines.push(`  ${c.dim(why)}\n`);
  for (const x of r.risks ?? []) lines.push(`  ${c.magenta(`! ${escapeComposed(x)}`)}\n`);
  return lines.join('');
}

export function tableFormatter(options: TableOptions = {}): Formatter {
  const c: ChalkInstance = new Chalk({ level: options.colorLevel ?? 0 });
  const kind = probeKind(options.probe ?? NAMES);
  const { columns } = kind.table;
  let rows = 0;
  /** A row's cells in order (or the header's): TARGET, the kind's fixed-width ones, HOSTNAME, WHERE, the kind's last. */
  const cells = (target: string, own: string[], host: string, at: string, row = true): string[] => {
    const fixed = columns.flatMap((col, i) =>
      col.width === undefined ? [] : [pad(own[i] ?? '', col.width)],
    );
    const last = columns.flatMap((col, i) => {
      if (col.width !== undefined) return [];
      const cell = own[i] ?? '';
      return [col.warn && row ? c.yellow(cell) : cell];
    });
    return [
      pad(target, WIDTH.TARGET),
      ...fixed,
      pad(host, WIDTH.HOSTNAME),
      ...(options.where ? [pad(at, WIDTH.WHERE)] : []),
      ...last,
    ];
  };
  const heads = columns.map((col) => col.head);
  return {
    header: () =>
      `${c.dim(kind.table.legend)}\n${c.bold(cells('TARGET', heads, 'HOSTNAME', 'WHERE', false).join('  '))}\n`,
    format: (r) => {
      if (!r.exposed) return '';
      rows++;
      const own = probeKind(r.probe).table;
      const [target = '', ...rest] = cells(
        hostPort(r.ip, r.port),
        own.cells(r),
        escapeText(r.hostname),
        where(r),
      );
      const row = [c.red(target), ...rest].join('  ');
      return `${row}\n${notes(r, own, c, options.verdict?.(r) ?? null)}`;
    },
    footer: () => (rows === 0 ? `No ${kind.noun[0]} found.\n` : ''),
  };
}
