// How a dist record shows in each report. CSV: Shadowserver's 15 scan_epmd
// columns in their order (tag `erlang-dist`, `nodes` the node behind the
// port as `full name,port`), then four of its own: dist_status, version,
// flags, cookie. Full names are escaped text already (at parse time); the
// reports escape the envelope's strings themselves.

import { escapeAscii } from '../../text/escape.js';
import { neutraliseFormula } from '../../text/formula.js';
import type { CsvRender, HtmlRender, TableRender } from '../kind.js';
import { SCAN_EPMD_COLUMNS } from '../names/index.js';
import { cookieText, handshakeText } from '../outcomes.js';
import type { DistDetail, DistRecord } from './detail.js';

/** The tag of an exposed distribution port (CSV and NDJSON `tag`). */
export const DIST_TAG = 'erlang-dist';

/** The CSV columns: scan_epmd's, then the dist probe's own. */
export const DIST_COLUMNS = [
  ...SCAN_EPMD_COLUMNS,
  'dist_status',
  'version',
  'flags',
  'cookie',
] as const;

/** The `nodes` field: the node behind the port, `full name,port`; empty without a name. */
export function distNodes(r: DistRecord, separator: string): string {
  const name = r.detail?.fullName;
  return name ? `${escapeAscii(name, separator)},${r.port}` : '';
}

export const distCsv: CsvRender<DistDetail> = {
  columns: DIST_COLUMNS,
  cells: (r, { nodeSeparator }) => {
    const d = r.detail;
    return {
      tag: DIST_TAG,
      nodes: neutraliseFormula(distNodes(r, nodeSeparator)),
      dist_status: d ? handshakeText(d.handshake) : null,
      version: d?.version ?? null,
      flags: d?.flags ?? null,
      cookie: d?.cookie ? cookieText(d.cookie) : null,
    };
  },
};

/** NDJSON's dist fields, on every dist record (null where nothing was learnt). */
export function distJson(r: DistRecord): Record<string, unknown> {
  const d = r.detail;
  return {
    dist_status: d ? handshakeText(d.handshake) : null,
    full_name: d?.fullName ?? null,
    version: d?.version ?? null,
    flags: d?.flags ?? null,
    hidden: d?.hidden ?? null,
    cookie: d?.cookie ? cookieText(d.cookie) : null,
    cookie_error: d?.cookie?.outcome === 'inconclusive' ? d.cookie.error : null,
  };
}

/** The markers of the table, said once above it. */
export const DIST_LEGEND =
  'legend: ANSWER what the port said to send_name (ok: it takes connections; tls: distribution over TLS); NODE its full name; (hidden) a hidden node; ! a risk';

/** The node cell: its full name and markers, or why there is none. */
function nodeText(d: DistDetail | null): string {
  if (!d?.fullName) return '(no name)';
  const cookie = d.cookie?.outcome === 'accepted' ? ` cookie ${cookieText(d.cookie)}` : '';
  return `${d.fullName}${d.hidden ? '(hidden)' : ''}${cookie}`;
}

export const distTable: TableRender<DistDetail> = {
  legend: DIST_LEGEND,
  columns: [
    { head: 'ANSWER', width: 11 },
    { head: 'NODE', warn: true },
  ],
  cells: (r) => [r.detail ? handshakeText(r.detail.handshake) : '', nodeText(r.detail)],
};

/** What the probe learnt of the node, in words, for its HTML list item. */
function notes(d: DistDetail): string[] {
  return [
    d.version !== null ? `distribution version ${d.version}` : '',
    d.flags ? `flags ${d.flags}` : '',
    d.hidden ? 'hidden' : '',
    d.cookie ? `cookie ${cookieText(d.cookie)}` : '',
  ].filter(Boolean);
}

export const distHtml: HtmlRender<DistDetail> = {
  columns: ['answer', 'node'],
  cells: (r) => {
    const d = r.detail;
    return [
      d ? handshakeText(d.handshake) : '',
      {
        items: d?.fullName ? [{ code: `${d.fullName}:${r.port}`, notes: notes(d) }] : [],
        empty: '(no name)',
      },
    ];
  },
};
