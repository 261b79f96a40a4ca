// A table for people at a terminal: exposures only, aligned, coloured when
// the destination is a colour terminal. Every string is escaped text already
// (node names at parse time, the rest here), so no escape code from the wire
// reaches the terminal.

import { Chalk, type ChalkInstance } from 'chalk';
import type { ScanRecord } from '../record.js';
import { remediationFor } from '../report/risk.js';
import { hostPort } from '../targets/ip.js';
import { escapeComposed, escapeText } from '../text/escape.js';
import type { Formatter } from './formatter.js';

export interface TableOptions {
  /** chalk colour level: 0 for none. */
  colorLevel?: 0 | 1 | 2 | 3;
}

const HEAD = ['TARGET', 'EPMD', 'NODES', 'HOSTNAME', 'WHERE'];

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
  const rows: { cells: string[]; notes: string[] }[] = [];
  const format = (r: ScanRecord): string => {
    if (r.status !== 'epmd') return '';
    const nodes =
      r.nodes
        .map(
          (n) =>
            `${n.name}:${n.port}${n.type === 'hidden' ? '(hidden)' : ''}${n.distReachable === true ? '*' : ''}`,
        )
        .join(' ') || '(none)';
    const epmd = `${r.epmdPort ?? ''}${r.truncated ? ' (truncated)' : r.error ? ` (${r.error})` : ''}`;
    const fix = remediationFor(r);
    rows.push({
      cells: [hostPort(r.ip, r.port), epmd, nodes, escapeText(r.hostname), where(r)],
      notes: [
        ...(r.risks ?? []).map((x) => `! ${escapeComposed(x)}`),
        `fix: ${fix.first}`,
        ...fix.product.map((f) => `fix: ${f}`),
      ],
    });
    return '';
  };
  return {
    header: () => '',
    format,
    restore: (r) => {
      format(r);
    },
    footer: () => {
      if (rows.length === 0) return 'No exposed EPMD found.\n';
      const widths = HEAD.map((h, i) =>
        Math.max(width(h), ...rows.map((r) => width(r.cells[i] ?? ''))),
      );
      const line = (cells: string[]) =>
        cells
          .map((cell, i) => (i === cells.length - 1 ? cell : pad(cell, widths[i] ?? 0)))
          .join('  ')
          .trimEnd();
      let out = `${c.bold(line(HEAD))}\n`;
      for (const r of rows) {
        const [t = '', e = '', n = '', ...rest] = r.cells;
        out += `${line([c.red(pad(t, widths[0] ?? 0)), e, c.yellow(pad(n, widths[2] ?? 0)), ...rest])}\n`;
        for (const note of r.notes) {
          out += `  ${note.startsWith('!') ? c.magenta(note) : c.dim(note)}\n`;
        }
      }
      return out;
    },
  };
}
