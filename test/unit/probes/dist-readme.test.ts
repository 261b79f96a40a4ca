// The README's words on --probe dist are the code's: its default ports, the
// cap on what is read, its CSV columns, NDJSON fields, statuses and tag.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { portRanges } from '../../../src/cli/program.js';
import { HANDSHAKE_STATUSES, MAX_DIST_READ } from '../../../src/epmd/dist-reply.js';
import {
  DIST_COLUMNS,
  DIST_PORTS,
  DIST_STATUSES,
  DIST_TAG,
} from '../../../src/probes/dist/index.js';
import { distKind } from '../../../src/probes/dist/kind.js';
import { DIST_RISK_KINDS } from '../../../src/probes/dist/risk.js';
import { SCAN_EPMD_COLUMNS } from '../../../src/probes/names/index.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const start = README.indexOf('\n## Distribution ports directly: `--probe dist`\n');
const section = README.slice(start, README.indexOf('\n## ', start + 1));

/** The backquoted words of the section's table under `| <first> |` (its first column). */
function firstColumn(head: string): string[] {
  const at = section.indexOf(`| ${head} |`);
  const rows = section.slice(at).split('\n').slice(2);
  const out: string[] = [];
  for (const row of rows) {
    if (!row.startsWith('|')) break;
    const cell = row.split('|')[1] ?? '';
    for (const m of cell.matchAll(/`([^`]+)`/g)) out.push(m[1] as string);
  }
  return out;
}

describe('the README on --probe dist', () => {
  it('has its section', () => {
    expect(start).toBeGreaterThan(0);
  });
  it('states the default ports', () => {
    expect(portRanges(DIST_PORTS)).toBe('25672,4370-4375,9100-9105');
    expect(section).toContain('it probes **25672, 4370-4375 and 9100-9105**');
    expect(section).toContain(`${DIST_PORTS.length} ports a host`);
  });
  it('states the statuses, which are exposures, and the cap on what is read', () => {
    expect(firstColumn('status').slice(0, 3)).toEqual(DIST_STATUSES.map((s) => s.name));
    for (const s of DIST_STATUSES) {
      expect(section).toContain(`| \`${s.name}\` | ${s.exposed ? 'yes' : 'no'} |`);
    }
    expect(section).toContain(`at most ${MAX_DIST_READ.toLocaleString('en-US')} bytes`);
  });
  it('states the NDJSON fields and the dist_status values', () => {
    const record = distKind.ndjson({ detail: null } as never);
    expect(firstColumn('field')).toEqual(Object.keys(record));
    for (const s of [...HANDSHAKE_STATUSES, 'tls']) expect(section).toContain(`\`${s}\``);
  });
  it('states the SARIF rules, in order', () => {
    const ids = distKind.sarif?.rules.map((r) => `\`${r.id}\``) ?? [];
    expect(ids).toHaveLength(DIST_RISK_KINDS.length);
    expect(section.replace(/\s+/g, ' ')).toContain(`most serious first: ${ids.join(', ')};`);
  });
  it('states the CSV columns and the tag', () => {
    expect(DIST_COLUMNS.slice(0, SCAN_EPMD_COLUMNS.length)).toEqual([...SCAN_EPMD_COLUMNS]);
    const own = DIST_COLUMNS.slice(SCAN_EPMD_COLUMNS.length).map((c) => `\`${c}\``);
    expect(section).toContain(`its own at the end: ${own.join(', ')}`);
    expect(section).toContain(`\`tag\` is\n\`${DIST_TAG}\``);
  });
});
