// An HTML report for a mail or a browser: one self-contained page (inline
// style, no script, nothing fetched), written whole at the end of the run.
// Every string is escaped once as text (controls and invalid UTF-8 as \xNN,
// as everywhere: names and risks are safe text already, so their escapes
// are kept as they are) and then as HTML, so a node name is shown, never run.

import type { ScanRecord, Status } from '../record.js';
import type { GateResult } from '../report/gate.js';
import { remediationFor } from '../report/risk.js';
import { hostPort } from '../targets/ip.js';
import { escapeComposed, escapeText } from '../text/escape.js';
import type { Formatter } from './formatter.js';

/** What the page says beyond the exposures: filled in when the footer is written. */
export interface HtmlContext {
  total: number;
  done: number;
  byStatus: Record<Status, number>;
  gate?: GateResult;
  interrupted?: boolean;
}

export interface HtmlOptions {
  /** Called at the end for the counts and the gate's findings. */
  context?: () => HtmlContext;
  /** The page's time, for tests; now when absent. */
  now?: () => Date;
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

const entities = (text: string): string => text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string);

/** Text from outside made safe for HTML: escaped as everywhere, then its markup characters as entities. */
export function html(text: string | number | null | undefined): string {
  return entities(escapeText(String(text ?? '')));
}

/** Safe text (node names, full names, risks: escaped at parse time) for HTML: its escapes kept. */
export function htmlSafe(text: string | number | null | undefined): string {
  return entities(escapeComposed(String(text ?? '')));
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em;color:#1b1b1b}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f2f2f2}.crit{color:#a00;font-weight:bold}.risk{color:#8a2be2}.fix{color:#555}
.new{color:#a00}.gone{color:#060}ul{margin:.2em 0;padding-left:1.2em}code{font-size:.95em}`;

function countTable(title: string, counts: Map<string, number>): string {
  if (counts.size === 0) return '';
  const rows = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `<tr><td>${html(k)}</td><td>${v}</td></tr>`)
    .join('');
  return `<h2>${html(title)}</h2><table><tr><th>${html(title.split(' ').at(-1))}</th><th>exposures</th></tr>${rows}</table>`;
}

function nodeCell(r: ScanRecord): string {
  if (r.nodes.length === 0) return '(no nodes)';
  const items = r.nodes.map((n) => {
    const details = [
      n.type === 'hidden' ? 'hidden' : '',
      n.distReachable === true ? 'distribution port reachable' : '',
      n.distStatus ? `handshake ${n.distStatus}` : '',
      n.fullName ? n.fullName : '',
      n.cookie ? `cookie ${n.cookie}` : '',
    ].filter(Boolean);
    const extra = details.length > 0 ? ` <small>(${details.map(htmlSafe).join(', ')})</small>` : '';
    return `<li><code>${htmlSafe(n.name)}:${n.port}</code>${extra}</li>`;
  });
  return `<ul>${items.join('')}</ul>`;
}

function exposureRow(r: ScanRecord): string {
  const fix = remediationFor(r);
  const risks = (r.risks ?? []).map((x) => `<li class="risk">${htmlSafe(x)}</li>`).join('');
  const fixes = [fix.first, ...fix.product]
    .map((x) => `<li class="fix">${htmlSafe(x)}</li>`)
    .join('');
  const where = [r.asn ? `AS${r.asn}` : '', r.geo, r.region, r.city].filter(Boolean).join(' ');
  const sev = r.severity === 'critical' ? `<span class="crit">critical</span>` : html(r.severity);
  return `<tr><td><code>${html(hostPort(r.ip, r.port))}</code></td><td>${sev}</td><td>${html(r.epmdPort)}${r.truncated ? ' (truncated)' : ''}</td><td>${nodeCell(r)}</td><td>${html(r.hostname)}</td><td>${html(where)}</td><td><ul>${risks}${fixes}</ul></td></tr>`;
}

function gateSection(gate: GateResult | undefined): string {
  if (!gate) return '';
  const list = (cls: string, items: string[]): string =>
    items.length === 0
      ? '<p>none</p>'
      : `<ul>${items.map((i) => `<li class="${cls}">${i}</li>`).join('')}</ul>`;
  return [
    '<h2>Against the baseline</h2>',
    `<h3>New exposures (${gate.fresh.length})</h3>`,
    list(
      'new',
      gate.fresh.map((e) => `<code>${html(e.key)}</code> ${e.nodes.map(htmlSafe).join(' ')}`),
    ),
    `<h3>Gone since the baseline (${gate.gone.length})</h3>`,
    list(
      'gone',
      gate.gone.map((e) => `<code>${html(e.key)}</code> ${e.nodes.map(htmlSafe).join(' ')}`),
    ),
    `<h3>Nodes changed (${gate.changed.length})</h3>`,
    list(
      '',
      gate.changed.map(
        (e) =>
          `<code>${html(e.key)}</code> ${[...e.added.map((a) => `+${htmlSafe(a)}`), ...e.removed.map((x) => `-${htmlSafe(x)}`)].join(' ')}`,
      ),
    ),
    gate.allowed > 0 ? `<p>Allowed exposures: ${gate.allowed}</p>` : '',
  ].join('\n');
}

/** The HTML report: exposures only, the page written by the footer. */
export function htmlFormatter(options: HtmlOptions = {}): Formatter {
  const rows: string[] = [];
  const byAsn = new Map<string, number>();
  const byCountry = new Map<string, number>();
  const take = (r: ScanRecord): void => {
    if (r.status !== 'epmd') return;
    rows.push(exposureRow(r));
    if (r.asn) byAsn.set(`AS${r.asn}`, (byAsn.get(`AS${r.asn}`) ?? 0) + 1);
    if (r.geo) byCountry.set(r.geo, (byCountry.get(r.geo) ?? 0) + 1);
  };
  return {
    header: () => '',
    format: (r) => {
      take(r);
      return '';
    },
    restore: take,
    footer: () => {
      const ctx = options.context?.();
      const when = (options.now?.() ?? new Date()).toISOString().replace('T', ' ').slice(0, 19);
      const counts = ctx
        ? `<p>${ctx.interrupted ? 'Interrupted after' : 'Done:'} ${ctx.done} of ${ctx.total} targets. ${Object.entries(
            ctx.byStatus,
          )
            .filter(([, v]) => v > 0)
            .map(([k, v]) => `${html(k)} ${v}`)
            .join(', ')}.</p>`
        : '';
      const exposures =
        rows.length === 0
          ? '<p>No exposed EPMD found.</p>'
          : `<table id="exposures"><tr><th>target</th><th>severity</th><th>epmd port</th><th>nodes</th><th>hostname</th><th>where</th><th>risks and fixes</th></tr>\n${rows.join('\n')}\n</table>`;
      return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>epmd-scan report ${html(when)} UTC</title><style>${STYLE}</style></head><body>
<h1>epmd-scan report</h1>
<p>${html(when)} UTC. ${rows.length} exposed EPMD${rows.length === 1 ? '' : 's'}.</p>
${counts}
<h2>Exposures</h2>
${exposures}
${gateSection(ctx?.gate)}
${countTable('Exposures by ASN', byAsn)}
${countTable('Exposures by country', byCountry)}
</body></html>
`;
    },
  };
}
