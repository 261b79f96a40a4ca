// A table for people at a terminal: exposures only, a row as each is found
// (the progress line stays below them), coloured when the destination is a
// colour terminal. Every string is escaped text already (node names at parse
// time, the rest here), so no escape code from the wire reaches the
// terminal. How to fix what it shows is said once, in the summary.

import { Chalk, type ChalkInstance } from 'chalk';
import type { ScanRecord } from '../record.js';
import { hostPort } from '../targets/ip.js';
import { escapeComposed, escapeText } from '../text/escape.js';
import type { Formatter } from './formatter.js';

export interface TableOptions {
  /** chalk colour level: 0 for none. */
  colorLevel?: 0 | 1 | 2 | 3;
}

/** Column widths: an IPv4 target with its port fits; a longer one pushes its row right. */
const TARGET_WIDTH = 21;
const EPMD_WIDTH = 5;
const HEAD = ['TARGET', 'EPMD', 'NODES', 'HOSTNAME', 'WHERE'];

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

export function tableFormatter(options: TableOptions = {}): Formatter {
  const c: ChalkInstance = new Chalk({ level: options.colorLevel ?? 0 });
  let rows = 0;
  const line = (cells: string[]): string => cells.filter((x) => x !== '').join('  ');
  return {
    header: () =>
      `${c.dim(TABLE_LEGEND)}\n${c.bold(line([pad(HEAD[0] as string, TARGET_WIDTH), pad(HEAD[1] as string, EPMD_WIDTH), ...HEAD.slice(2)]))}\n`,
    format: (r) => {
      if (r.status !== 'epmd') return '';
      rows++;
      const nodes =
        r.nodes
          .map(
            (n) =>
              `${n.name}:${n.port}${n.type === 'hidden' ? '(hidden)' : ''}${n.distReachable === true ? '*' : ''}`,
          )
          .join(' ') || '(none)';
      const epmd = `${r.epmdPort ?? ''}${r.truncated ? ' (truncated)' : r.error ? ` (${r.error})` : ''}`;
      const row = line([
        c.red(pad(hostPort(r.ip, r.port), TARGET_WIDTH)),
        pad(epmd, EPMD_WIDTH),
        c.yellow(nodes),
        escapeText(r.hostname),
        where(r),
      ]);
      const risks = (r.risks ?? []).map((x) => `  ${c.magenta(`! ${escapeComposed(x)}`)}\n`);
      return `${row}\n${risks.join('')}`;
    },
    footer: () => (rows === 0 ? 'No exposed EPMD found.\n' : ''),
  };
}
