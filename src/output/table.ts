// A table for people at a terminal: exposures only, a row as each is found
// (the progress line stays below them), coloured when the destination is a
// colour terminal. TARGET first, the probe kind's columns (for NAMES: EPMD
// and NODES), then HOSTNAME and WHERE; each risk on a line of its own. Every
// string is escaped text already (node names at parse time, the rest here),
// so no escape code from the wire reaches the terminal. How to fix what it
// shows is said once, in the summary.

import { Chalk, type ChalkInstance } from 'chalk';
import { NAMES } from '../probes/names/index.js';
import { probeKind } from '../probes/registry.js';
import type { ScanRecord } from '../record.js';
import { hostPort } from '../targets/ip.js';
import { escapeComposed, escapeText } from '../text/escape.js';
import type { Formatter } from './formatter.js';

export interface TableOptions {
  /** chalk colour level: 0 for none. */
  colorLevel?: 0 | 1 | 2 | 3;
  /** The probe kind whose columns the table has (default `names`). */
  probe?: string;
}

/** Column width: an IPv4 target with its port fits; a longer one pushes its row right. */
const TARGET_WIDTH = 21;

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

export function tableFormatter(options: TableOptions = {}): Formatter {
  const c: ChalkInstance = new Chalk({ level: options.colorLevel ?? 0 });
  const kind = probeKind(options.probe ?? NAMES);
  const { columns } = kind.table;
  let rows = 0;
  const line = (cells: string[]): string => cells.filter((x) => x !== '').join('  ');
  const head = [
    pad('TARGET', TARGET_WIDTH),
    ...columns.map((col) => pad(col.head, col.width)),
    'HOSTNAME',
    'WHERE',
  ];
  return {
    header: () => `${c.dim(kind.table.legend)}\n${c.bold(line(head))}\n`,
    format: (r) => {
      if (!r.exposed) return '';
      rows++;
      const own = probeKind(r.probe)
        .table.cells(r)
        .map((cell, i) => {
          const col = columns[i];
          const padded = pad(cell, col?.width);
          return col?.warn ? c.yellow(padded) : padded;
        });
      const row = line([
        c.red(pad(hostPort(r.ip, r.port), TARGET_WIDTH)),
        ...own,
        escapeText(r.hostname),
        where(r),
      ]);
      const risks = (r.risks ?? []).map((x) => `  ${c.magenta(`! ${escapeComposed(x)}`)}\n`);
      return `${row}\n${risks.join('')}`;
    },
    footer: () => (rows === 0 ? `No ${kind.noun[0]} found.\n` : ''),
  };
}
