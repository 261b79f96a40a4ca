// How a NAMES record shows in each report: Shadowserver's scan_epmd CSV
// (their columns in their order), its NDJSON fields, its table columns and
// its HTML cells. Node names are escaped text already (at parse time); the
// reports escape the envelope's strings themselves.

import { escapeAscii, escapeText } from '../../text/escape.js';
import { neutraliseFormula } from '../../text/formula.js';
import type { CsvRender, HtmlRender, TableRender } from '../kind.js';
import { cookieText, handshakeText } from '../outcomes.js';
import type { NamesDetail, NamesRecord, NodeEntry } from './detail.js';

/** The 15 columns of Shadowserver's scan_epmd report, in order. */
export const SCAN_EPMD_COLUMNS = [
  'timestamp',
  'severity',
  'ip',
  'protocol',
  'port',
  'hostname',
  'tag',
  'asn',
  'geo',
  'region',
  'city',
  'naics',
  'hostname_source',
  'sector',
  'nodes',
] as const;

/** Shadowserver's tag of an exposed EPMD. */
export const NAMES_TAG = 'epmd';

/** The characters a node separator may be made of (see --node-separator). */
export const SEPARATOR_CHARS = /[\x20\x21\x23-\x2b\x2d-\x2f\x3a-\x40\x5b\x5d-\x60\x7b-\x7e]/;

/**
 * A name as the `nodes` field holds it: `,` and the separator's characters
 * escaped inside it, and, after a separator, a first character a separator
 * could be made of too. So the field splits back one way only, whatever
 * the separator was: the separator is exactly what follows each `,port`.
 */
function fieldName(name: string, separator: string, first: boolean): string {
  const inner = escapeAscii(name, `${separator},`);
  if (first || !SEPARATOR_CHARS.test(inner.charAt(0))) return inner;
  return `\\x${inner.charCodeAt(0).toString(16).padStart(2, '0')}${inner.slice(1)}`;
}

/** The `nodes` field: `name,port` joined by the separator (names as fieldName writes them). */
export function formatNodes(detail: NamesDetail | null, separator: string): string {
  return (detail?.nodes ?? [])
    .map((n, i) => `${fieldName(n.name, separator, i === 0)},${n.port}`)
    .join(separator);
}

export const namesCsv: CsvRender<NamesDetail> = {
  columns: SCAN_EPMD_COLUMNS,
  cells: (r, { nodeSeparator }) => ({
    tag: NAMES_TAG,
    // Names are already escaped at parse time; only the formula guard remains.
    nodes: neutraliseFormula(formatNodes(r.detail, nodeSeparator)),
  }),
};

/**
 * A node's JSON: name and port, then every follow-up field, present on
 * every node (null when its follow-up was not asked for or found nothing),
 * so a consumer sees one shape.
 */
function nodeJson(n: NodeEntry): Record<string, unknown> {
  return {
    name: n.name,
    port: n.port,
    type: n.type ?? null,
    protocol: n.protocol ?? null,
    highest_version: n.highestVersion ?? null,
    lowest_version: n.lowestVersion ?? null,
    node_info_error: n.nodeInfoError ?? null,
    dist_reachable: n.distReachable ?? null,
    dist_status: n.handshake ? handshakeText(n.handshake) : null,
    full_name: n.fullName ?? null,
    flags: n.flags ?? null,
    cookie: n.cookie ? cookieText(n.cookie) : null,
    cookie_error: n.cookie?.outcome === 'inconclusive' ? n.cookie.error : null,
  };
}

/** NDJSON's NAMES fields: the EPMD's port, its nodes, whether the reply was cut. */
export function namesJson(r: NamesRecord): Record<string, unknown> {
  return {
    epmd_port: r.detail?.epmdPort ?? null,
    nodes: (r.detail?.nodes ?? []).map(nodeJson),
    truncated: r.detail?.truncated ?? false,
  };
}

/** The markers the NODES column uses, said once above the table. */
export const TABLE_LEGEND =
  'legend: name:port per node; * its distribution port was reached; (hidden) a hidden C node; ! a risk';

export const namesTable: TableRender<NamesDetail> = {
  legend: TABLE_LEGEND,
  columns: [
    { head: 'EPMD', width: 5 },
    { head: 'NODES', warn: true },
  ],
  cells: (r) => {
    const nodes = (r.detail?.nodes ?? []).map(
      (n) =>
        `${n.name}:${n.port}${n.type === 'hidden' ? '(hidden)' : ''}${n.distReachable === true ? '*' : ''}`,
    );
    return [String(r.detail?.epmdPort ?? ''), nodes.join(' ') || '(none)'];
  },
  notes: (r) => {
    if (r.detail?.truncated) return ['reply truncated (--max-reply)'];
    return r.error ? [`reply: ${escapeText(r.error)}`] : [];
  },
};

/** What the follow-ups learnt of a node, in words, for its HTML list item. */
function nodeNotes(n: NodeEntry): string[] {
  return [
    n.type === 'hidden' ? 'hidden' : '',
    n.distReachable === true ? 'distribution port reachable' : '',
    n.handshake ? `handshake ${handshakeText(n.handshake)}` : '',
    n.fullName ? n.fullName : '',
    n.cookie ? `cookie ${cookieText(n.cookie)}` : '',
  ].filter(Boolean);
}

export const namesHtml: HtmlRender<NamesDetail> = {
  columns: ['epmd port', 'nodes'],
  cells: (r) => [
    `${r.detail?.epmdPort ?? ''}${r.detail?.truncated ? ' (truncated)' : ''}`,
    {
      items: (r.detail?.nodes ?? []).map((n) => ({
        code: `${n.name}:${n.port}`,
        notes: nodeNotes(n),
      })),
      empty: '(no nodes)',
    },
  ],
};
