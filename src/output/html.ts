// An HTML report that is a verdict, for a mail or a browser: at the top the
// gate's result and why, what changed against the baseline, what was scanned
// and when, and the exposures per severity; then the fixes, each said once
// with the number of rows it is for; then the rows, most severe first, then
// by address, without the columns nothing filled; the probe kind gives its
// own columns (for NAMES: epmd port, nodes) and fixes. One self-contained page:
// inline style allowed by its hash in a Content-Security-Policy that allows
// nothing else (no script, nothing fetched).
//
// The page is written at the end (footerParts), but its rows are not kept in
// memory: each is rendered as it comes and kept in a temporary file
// (row-spill.ts), with 32 bytes of index a row for the ordering.
//
// Every string is escaped once as text (controls and invalid UTF-8 as \xNN,
// as everywhere: node names, full names and risks are safe text already, so
// their escapes are kept as they are) and then as HTML, so a node name is
// shown, never run.

import { createHash } from 'node:crypto';
import type { HtmlCell, ProbeKind } from '../probes/kind.js';
import { NAMES } from '../probes/names/index.js';
import { kindOf, probeKind } from '../probes/registry.js';
import { type ScanRecord, SEVERITIES, type Severity } from '../record.js';
import { type FailOn, trips } from '../report/fail-on.js';
import type { GateResult, Verdict } from '../report/gate.js';
import { hostPort } from '../targets/ip.js';
import { escapeComposed, escapeText } from '../text/escape.js';
import { grouped } from '../text/numbers.js';
import type { Formatter } from './formatter.js';
import { RowSpill, rowKey } from './row-spill.js';

/** What was scanned, for the page's scope. */
export interface HtmlScope {
  /** The targets as given (specs, files, excludes, shard), in words. */
  targets: string;
  ports: number[];
  /** When this run (this part of a resumed run) started. */
  started: Date;
  /** Seconds the whole run took, earlier parts included. */
  seconds: number;
  /** Targets done by earlier parts of a resumed run. */
  resumedAt: number;
}

/** What the page says beyond the exposures: filled in when the footer is written. */
export interface HtmlContext {
  total: number;
  done: number;
  byStatus: Record<string, number>;
  gate?: GateResult;
  /** What trips the gate; undefined: no gate was asked for. */
  failOn?: readonly FailOn[];
  interrupted?: boolean;
  scope?: HtmlScope;
}

export interface HtmlOptions {
  /** Called at the end for the counts, the gate's findings and the scope. */
  context?: () => HtmlContext;
  /** The gate's verdict on an exposure: rows say allowed, new or changed. */
  verdict?: (r: ScanRecord) => Verdict | null;
  /** The page's time, for tests; now when absent. */
  now?: () => Date;
  /** The folder of the rows' temporary file (the report's); the system's temp folder when absent. */
  spillDir?: string;
  /** The probe kind whose columns and fixes the page has (default `names`). */
  probe?: string;
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

const entities = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);

/** Text made safe for HTML: escaped as everywhere, then its markup characters as entities. */
export function html(text: string | number | null | undefined): string {
  return entities(escapeText(String(text ?? '')));
}

/** Safe text (node names, full names, risks: escaped at parse time) for HTML: its escapes kept. */
export function htmlSafe(text: string | number | null | undefined): string {
  return entities(escapeComposed(String(text ?? '')));
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1b1b1b;max-width:80em}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f2f2f2}.critical{color:#a00;font-weight:bold}.risk{color:#8a2be2}
.verdict{padding:.6em 1em;border-radius:4px;font-size:1.1em}.tripped{background:#fde2e2;color:#800}
.passed{background:#e3f4e3;color:#060}.nogate{background:#eee}.new{color:#a00}.gone{color:#060}
.allowed{color:#060}ul,ol{margin:.2em 0;padding-left:1.4em}code{font-size:.95em}`;

/** The page's Content-Security-Policy: nothing but its own style, by hash. */
export const HTML_CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; base-uri 'none'; form-action 'none'`;

const n = grouped;
const SEVERITY_RANK = new Map<Severity, number>(SEVERITIES.map((s, i) => [s, i]));
/** Entries of each gate list the page names; the table holds every row. */
export const LISTED_CHANGES = 50;

/** A kind's columns: target, severity, its own, then hostname, where, risks, fixes. */
function columnsOf(kind: ProbeKind): { names: string[]; optional: Set<number> } {
  const own = kind.html.columns;
  const at = 2 + own.length;
  return {
    names: ['target', 'severity', ...own, 'hostname', 'where', 'risks', 'fixes'],
    // A column no row filled is left out.
    optional: new Set([at, at + 1, at + 2]),
  };
}

/** Between a row's cells in the temporary file: escaped text never holds it. */
const CELL = '\u0001';

/** One of the probe kind's cells (safe text): its text, or its items (code and notes), a line each. */
function kindCell(cell: HtmlCell): string {
  if (typeof cell === 'string') return htmlSafe(cell);
  if (cell.items.length === 0) return htmlSafe(cell.empty);
  const items = cell.items.map(({ code, notes }) => {
    const extra = notes.length > 0 ? ` <small>(${notes.map(htmlSafe).join(', ')})</small>` : '';
    return `<code>${htmlSafe(code)}</code>${extra}`;
  });
  return items.join('<br>');
}

/** A row's cells, as HTML. */
function rowCells(r: ScanRecord, verdict: Verdict | null): string[] {
  const kind = kindOf(r);
  const where = [r.asn ? `AS${r.asn}` : '', r.geo, r.region, r.city].filter(Boolean).join(' ');
  const mark = verdict?.allowed
    ? ' <span class="allowed">allowed</span>'
    : verdict?.baseline === 'new'
      ? ' <span class="new">new</span>'
      : verdict?.baseline === 'updated'
        ? ' <span class="new">changed</span>'
        : '';
  const fixes = kind.fixes(r).steps.map(({ rank }) => `<a href="#fix-${rank + 1}">${rank + 1}</a>`);
  const severity =
    r.severity === 'critical' ? '<b class="critical">critical</b>' : html(r.severity);
  return [
    `<code>${html(hostPort(r.ip, r.port))}</code>${mark}`,
    severity,
    ...kind.html.cells(r).map(kindCell),
    html(r.hostname),
    html(where),
    (r.risks ?? []).map((x) => `<div class="risk">${htmlSafe(x)}</div>`).join(''),
    fixes.join(', '),
  ];
}

/** The gate's result and why, and how the run ended. */
function verdictSection(ctx: HtmlContext | undefined): string {
  const lines: string[] = [];
  if (!ctx?.failOn || !ctx.gate) {
    lines.push(
      '<p class="verdict nogate">No gate was asked for (--fail-on-exposed, --fail-on): this page reports, it does not judge.</p>',
    );
  } else {
    const tripped = trips(ctx.gate, ctx.failOn);
    lines.push(
      tripped.length > 0
        ? `<p class="verdict tripped">Gate tripped (exit 1): ${tripped.map(([k, v]) => `${html(k)} ${n(v)}`).join(', ')}.</p>`
        : `<p class="verdict passed">Gate passed (${ctx.failOn.map(html).join(', ')}): nothing it trips on was found.</p>`,
    );
  }
  if (ctx) {
    const how = ctx.interrupted ? 'Interrupted after' : 'Done:';
    lines.push(`<p>${how} ${n(ctx.done)} of ${n(ctx.total)} targets.</p>`);
  }
  return `<section id="verdict">${lines.join('\n')}</section>`;
}

/** New, gone and changed against the baseline (the first entries of each; the rows have the rest). */
function changesSection(gate: GateResult | undefined): string {
  if (!gate) return '';
  const list = (cls: string, items: string[]): string =>
    items.length === 0
      ? ''
      : `<ul>${items
          .slice(0, LISTED_CHANGES)
          .map((i) => `<li class="${cls}">${i}</li>`)
          .join(
            '',
          )}${items.length > LISTED_CHANGES ? `<li>... and ${n(items.length - LISTED_CHANGES)} more</li>` : ''}</ul>`;
  const entry = (e: { key: string; nodes: string[] }): string =>
    `<code>${html(e.key)}</code> ${e.nodes.slice(0, 20).map(htmlSafe).join(' ')}`;
  const changed = gate.changed.map(
    (e) =>
      `<code>${html(e.key)}</code> ${[...e.added.slice(0, 20).map((a) => `+${htmlSafe(a)}`), ...e.removed.slice(0, 20).map((x) => `-${htmlSafe(x)}`)].join(' ')}`,
  );
  const against =
    gate.baselineEntries === null
      ? 'No baseline: every exposure not allowed is new.'
      : `The baseline held ${n(gate.baselineEntries)} exposure${gate.baselineEntries === 1 ? '' : 's'}.`;
  const title = gate.baselineEntries === null ? 'New exposures' : 'Against the baseline';
  return [
    `<section id="changes"><h2>${title}</h2>`,
    `<p>${against} New ${n(gate.fresh.length)}, gone ${n(gate.gone.length)}, changed ${n(gate.changed.length)}, allowed ${n(gate.allowed)}.</p>`,
    list(
      'new',
      gate.fresh.map((e) => `new ${entry(e)}`),
    ),
    list(
      'gone',
      gate.gone.map((e) => `gone ${entry(e)}`),
    ),
    list(
      '',
      changed.map((e) => `changed ${e}`),
    ),
    '</section>',
  ].join('\n');
}

/** What was scanned, when, for how long. */
function scopeSection(ctx: HtmlContext | undefined, ended: Date): string {
  const s = ctx?.scope;
  if (!ctx || !s) return '';
  const time = (d: Date): string => `${d.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
  const statuses = Object.entries(ctx.byStatus)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${html(k)} ${n(v)}`)
    .join(', ');
  const rows = [
    ['targets', html(s.targets)],
    ['ports', html(s.ports.join(', '))],
    [s.resumedAt > 0 ? 'resumed' : 'started', html(time(s.started))],
    ['ended', html(time(ended))],
    ['scanning time', html(duration(s.seconds))],
    [
      'probed',
      `${n(ctx.done)} of ${n(ctx.total)}${s.resumedAt > 0 ? ` (${n(s.resumedAt)} by earlier parts of the run)` : ''}: ${statuses || 'nothing yet'}`,
    ],
  ];
  return `<section id="scope"><h2>Scope</h2><table>${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table></section>`;
}

function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${seconds.toFixed(1)} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** A small table of counts: exposures per severity, per ASN, per country. */
function countTable(id: string, title: string, head: string, counts: [string, number][]): string {
  if (counts.length === 0) return '';
  const rows = counts.map(([k, v]) => `<tr><td>${html(k)}</td><td>${n(v)}</td></tr>`).join('');
  return `<section id="${id}"><h2>${html(title)}</h2><table><tr><th>${html(head)}</th><th>exposures</th></tr>${rows}</table></section>`;
}

/** Each fix once, with its fixed number and how many rows it is for; the advice for all, once. */
function fixesSection(tally: PageTally, exposures: number): string {
  if (exposures === 0) return '';
  const items = [...tally.fixes]
    .sort((a, b) => a[0] - b[0])
    .map(([rank, { text, count }]) => {
      const k = rank + 1;
      return `<li id="fix-${k}" value="${k}">${html(text)} <small>(${n(count)} exposure${count === 1 ? '' : 's'})</small></li>`;
    });
  const also = tally.general.map((g) => `<li>${html(g)}</li>`).join('');
  return `<section id="fixes"><h2>How to fix</h2><ol>${items.join('')}</ol><p>For every exposure:</p><ul>${also}</ul></section>`;
}

/** What the formatter keeps for the footer, besides the rows. */
class PageTally {
  readonly bySeverity = new Map<Severity, number>();
  readonly byAsn = new Map<string, number>();
  readonly byCountry = new Map<string, number>();
  /** The fixes the rows need, by their number: the words and how many rows. */
  readonly fixes = new Map<number, { text: string; count: number }>();
  /** The advice for every exposure (the kind's). */
  general: readonly string[] = [];
  /** Optional columns some row filled. */
  readonly filled = new Set<number>();

  constructor(private readonly optional: Set<number>) {}

  add(r: ScanRecord, cells: string[]): void {
    const bump = <K>(m: Map<K, number>, k: K): void => {
      m.set(k, (m.get(k) ?? 0) + 1);
    };
    bump(this.bySeverity, r.severity);
    if (r.asn) bump(this.byAsn, `AS${r.asn}`);
    if (r.geo) bump(this.byCountry, r.geo);
    const fix = kindOf(r).fixes(r);
    this.general = fix.general;
    for (const { rank, text } of fix.steps) {
      const seen = this.fixes.get(rank);
      if (seen) seen.count++;
      else this.fixes.set(rank, { text, count: 1 });
    }
    for (const i of this.optional) if (cells[i] !== '') this.filled.add(i);
  }

  sorted(m: Map<string, number>): [string, number][] {
    return [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  }
}

/** The HTML report: exposures only, the page written by the footer. */
export function htmlFormatter(options: HtmlOptions = {}): Formatter {
  const kind = probeKind(options.probe ?? NAMES);
  const columns = columnsOf(kind);
  const spill = new RowSpill(options.spillDir);
  const tally = new PageTally(columns.optional);
  const take = (r: ScanRecord): void => {
    if (!r.exposed) return;
    const cells = rowCells(r, options.verdict?.(r) ?? null);
    tally.add(r, cells);
    spill.add(cells.join(CELL), rowKey(SEVERITY_RANK.get(r.severity) ?? 9, r.ip, r.port));
  };
  const parts = (): Iterable<string> => page(options, kind, spill, tally);
  return {
    header: () => '',
    format: (r) => {
      take(r);
      return '';
    },
    restore: take,
    footer: () => [...parts()].join(''),
    footerParts: parts,
    dispose: () => spill.close(),
  };
}

/** The page, a part at a time: the head and verdict, then a row at a time, then the end. */
function* page(
  options: HtmlOptions,
  kind: ProbeKind,
  spill: RowSpill,
  tally: PageTally,
): Generator<string> {
  const ctx = options.context?.();
  const ended = options.now?.() ?? new Date();
  const when = ended.toISOString().replace('T', ' ').slice(0, 19);
  const severities = SEVERITIES.filter((s) => tally.bySeverity.has(s)).map(
    (s): [string, number] => [s, tally.bySeverity.get(s) ?? 0],
  );
  yield `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">
<title>epmd-scan report ${html(when)} UTC</title><style>${STYLE}</style></head><body>
<h1>epmd-scan report: ${n(spill.rows)} ${html(spill.rows === 1 ? kind.noun[0] : kind.noun[1])}</h1>
${verdictSection(ctx)}
${changesSection(ctx?.gate)}
${scopeSection(ctx, ended)}
${countTable('severity', 'Exposures by severity', 'severity', severities)}
${fixesSection(tally, spill.rows)}
<h2>Exposures</h2>
`;
  if (spill.rows === 0) yield `<p>No ${html(kind.noun[0])} found.</p>\n`;
  else yield* rowsTable(spill, columnsOf(kind), tally.filled);
  yield `${countTable('asn', 'Exposures by ASN', 'ASN', tally.sorted(tally.byAsn))}
${countTable('country', 'Exposures by country', 'country', tally.sorted(tally.byCountry))}
</body></html>
`;
  spill.close();
}

/** The exposures table, most severe first, then by address; a column no row filled is left out. */
function* rowsTable(
  spill: RowSpill,
  columns: ReturnType<typeof columnsOf>,
  filled: Set<number>,
): Generator<string> {
  const shown = columns.names.map((_, i) => !columns.optional.has(i) || filled.has(i));
  const pick = <T>(list: T[]): T[] => list.filter((_, i) => shown[i]);
  yield `<table id="exposures"><tr>${pick(columns.names)
    .map((c) => `<th>${html(c)}</th>`)
    .join('')}</tr>\n`;
  let chunk = '';
  for (const row of spill.sorted()) {
    chunk += `<tr>${pick(row.split(CELL))
      .map((c) => `<td>${c}</td>`)
      .join('')}</tr>\n`;
    if (chunk.length >= 64 * 1024) {
      yield chunk;
      chunk = '';
    }
  }
  yield `${chunk}</table>\n`;
}
