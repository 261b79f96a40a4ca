// A table for people at a terminal: exposures only, a row as each is found
// (the progress line stays below them), coloured when the destination is a
// colour terminal. Every string is escaped text already (node names at parse
// time, the rest here), so no escape code from the wire reaches the
// terminal. How to fix what it shows is said once, in the summary.

import { Chalk, type ChalkInstance } from 'chalk';
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
}

/** The line under a row that says what the gate makes of it. */
const VERDICT_LINE = {
  allowed: '= allowed (--allow)',
  new: '+ new since --baseline',
  updated: '~ nodes changed since --baseline',
} as const;

/**
 * Column widths. Rows are written as they come, so the widths are fixed: an
 * IPv4 target with its port fits; NODES, whose width has no bound, is last;
 * a longer value (an IPv6 target, a long hostname) pushes the rest of its row
 * right. An EPMD's error or truncation goes on an indented line, as risks do.
 */
const WIDTH = { TARGET: 21, EPMD: 5, HOSTNAME: 24, WHERE: 20 } as const;

/** The markers the NODES column uses, said once above the table. */
export const TABLE_LEGEND =
  'legend: name:port per node; * its distribution port was reached; (hidden) a hidden C node; ! a risk';

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

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - width(s)));
}

function nodesCell(r: ScanRecord): string {
  const nodes = r.nodes.map(
    (n) =>
      `${n.name}:${n.port}${n.type === 'hidden' ? '(hidden)' : ''}${n.distReachable === true ? '*' : ''}`,
  );
  return nodes.join(' ') || '(none)';
}

/** The indented lines under a row: the gate's verdict, what was wrong with the reply, the risks. */
function notes(r: ScanRecord, c: ChalkInstance, verdict: Verdict | null): string {
  const why = r.truncated ? 'reply truncated (--max-reply)' : r.error ? `reply: ${r.error}` : '';
  const lines = [];
  if (verdict?.allowed) lines.push(`  ${c.green(VERDICT_LINE.allowed)}\n`);
  else if (verdict?.baseline === 'new' || verdict?.baseline === 'updated') {
    lines.push(`  ${c.red(VERDICT_LINE[verdict.baseline])}\n`);
  }
  if (why) lines.push(`  ${c.dim(why)}\n`);
  for (const x of r.risks ?? []) lines.push(`  ${c.magenta(`! ${escapeComposed(x)}`)}\n`);
  return lines.join('');
}

export function tableFormatter(options: TableOptions = {}): Formatter {
  const c: ChalkInstance = new Chalk({ level: options.colorLevel ?? 0 });
  let rows = 0;
  const cells = (target: string, epmd: string, host: string, at: string): string[] => [
    pad(target, WIDTH.TARGET),
    pad(epmd, WIDTH.EPMD),
    pad(host, WIDTH.HOSTNAME),
    ...(options.where ? [pad(at, WIDTH.WHERE)] : []),
  ];
  return {
    header: () =>
      `${c.dim(TABLE_LEGEND)}\n${c.bold([...cells('TARGET', 'EPMD', 'HOSTNAME', 'WHERE'), 'NODES'].join('  '))}\n`,
    format: (r) => {
      if (r.status !== 'epmd') return '';
      rows++;
      const [target = '', ...rest] = cells(
        hostPort(r.ip, r.port),
        String(r.epmdPort ?? ''),
        escapeText(r.hostname),
        where(r),
      );
      const row = [c.red(target), ...rest, c.yellow(nodesCell(r))].join('  ');
      return `${row}\n${notes(r, c, options.verdict?.(r) ?? null)}`;
    },
    footer: () => (rows === 0 ? 'No exposed EPMD found.\n' : ''),
  };
}
