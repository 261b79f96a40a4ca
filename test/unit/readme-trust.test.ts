// The README's words about side files and checkpoints (issue #22) against
// the code they describe: the size limits table, and the flags a checkpoint
// records (or, on purpose, does not).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SIZE_LIMITS } from '../../src/files/side-file.js';
import { RECORD_FLAGS } from '../../src/resume/identity.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The rows of the table whose header starts with `| side file | largest |`. */
function limitRows(): Map<string, string> {
  const lines = README.split('\n');
  const start = lines.findIndex((l) => l.startsWith('| side file | largest |'));
  const rows = new Map<string, string>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const [flags = '', largest = ''] = line
      .slice(1, -1)
      .split('|')
      .map((c) => c.trim());
    for (const m of flags.matchAll(/`(--?[A-Za-z-]+)/g)) rows.set(m[1] as string, largest);
  }
  return rows;
}

const UNITS: Record<string, number> = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
const bytes = (text: string): number | null => {
  const m = /^(\d+) (KiB|MiB|GiB)$/.exec(text);
  return m ? Number(m[1]) * (UNITS[m[2] as string] as number) : null;
};

describe("the README's input limits", () => {
  it('state each kind of side file at its limit in the code', () => {
    const rows = limitRows();
    const expected: [string, number | null][] = [
      ['--city-db', SIZE_LIMITS.mmdb],
      ['--asn-db', SIZE_LIMITS.mmdb],
      ['--check-cookies', SIZE_LIMITS.cookies],
      ['--resume', SIZE_LIMITS.checkpoint],
      ['--baseline', SIZE_LIMITS.baseline],
      ['--allow', SIZE_LIMITS.allow],
      ['--asset-map', SIZE_LIMITS.assetMap],
      ['-iL', null],
      ['--exclude-file', null],
    ];
    expect([...rows.keys()].sort()).toEqual(expected.map(([flag]) => flag).sort());
    for (const [flag, limit] of expected) expect(bytes(rows.get(flag) as string), flag).toBe(limit);
  });
});

describe('the flags a checkpoint records', () => {
  const start = README.indexOf('every flag that changes what\n  a record holds:');
  const end = README.indexOf('may change on resume', start);
  const text = README.slice(start, end).replace(/\s+/g, ' ');
  const [recorded = '', free = ''] = text.split('`--timeout`');
  it('are every record setting, by its flag', () => {
    expect(start).toBeGreaterThan(0);
    for (const words of Object.values(RECORD_FLAGS)) {
      const flag = (words.split(' ')[0] as string).replace(/[()]/g, '');
      expect(recorded, flag).toContain(`\`${flag}\``);
    }
  });
  it('and never the ones that only change how long or how many', () => {
    const flags = Object.values(RECORD_FLAGS).join(' ');
    for (const flag of [
      '--timeout',
      '--connect-timeout',
      '--retries',
      '--rate',
      '-c',
      '--workers',
    ]) {
      expect(`\`--timeout\`${free}`).toContain(`\`${flag}\``);
      expect(flags.split(/[ ()]/)).not.toContain(flag);
    }
  });
});
