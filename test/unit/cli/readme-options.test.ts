// The README's options table and --help are two views of one flag table
// (src/cli/program.ts, from which the man page and the completions are also
// made): every flag in one is in the other, and the defaults they show agree.

import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { program } from '../../../src/cli/program.js';

const README = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

interface Row {
  flags: string[];
  meaning: string;
  defaultValue: string;
}

/** The rows of the table under `| option | meaning | default |`. */
function readmeRows(): Row[] {
  const lines = README.split('\n');
  const start = lines.indexOf('| option | meaning | default |');
  if (start < 0) throw new Error('README has no options table');
  const rows: Row[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    // Cells split on | not escaped as \|.
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim());
    const [option = '', meaning = '', defaultValue = ''] = cells;
    const spans = [...option.matchAll(/`([^`]*)`/g)].map((m) => m[1] as string);
    const flags = spans.flatMap((s) => s.split(/[ ,]+/).filter((w) => /^--?[A-Za-z]/.test(w)));
    rows.push({ flags, meaning, defaultValue: defaultValue.replace(/`/g, '') });
  }
  return rows;
}

const cmd = program({ stdout: new PassThrough(), stderr: new PassThrough() });
const help = cmd.createHelp();
const options = help.visibleOptions(cmd);
const namesOf = (flags: string): string[] => flags.split(/[ ,|]+/).filter((w) => w.startsWith('-'));

/** The default --help prints for an option, as its text, or '' for none. */
function helpDefault(description: string): string {
  const m = /\(default: (.*)\)$/.exec(description);
  if (!m?.[1]) return '';
  return m[1].startsWith('"') ? (JSON.parse(m[1]) as string) : m[1];
}

describe("the README's options table and --help", () => {
  const rows = readmeRows();
  const readmeFlags = new Set(rows.flatMap((r) => r.flags));
  const helpFlags = new Set(options.flatMap((o) => namesOf(o.flags)));

  it('parse to a table of every option', () => {
    expect(rows.length).toBeGreaterThan(40);
    expect(helpFlags.size).toBeGreaterThan(40);
  });

  it('name the same flags', () => {
    expect([...helpFlags].filter((f) => !readmeFlags.has(f))).toEqual([]);
    expect([...readmeFlags].filter((f) => !helpFlags.has(f))).toEqual([]);
  });

  it('show the same defaults', () => {
    for (const o of options) {
      const shown = helpDefault(help.optionDescription(o));
      if (shown === '') continue;
      const row = rows.find((r) => r.flags.includes(o.long ?? ''));
      expect({ flag: o.long, default: row?.defaultValue }).toEqual({
        flag: o.long,
        default: shown,
      });
    }
  });

  it('agree where they once drifted', () => {
    const helpOf = (long: string): string =>
      options.find((o) => o.long === long)?.description ?? '';
    const rowOf = (long: string): string => rows.find((r) => r.flags.includes(long))?.meaning ?? '';
    for (const [long, words] of [
      ['--input-file', /one or more per line/],
      ['--allow', /\[v6\]:port/],
      ['--baseline', /new, gone and changed/],
      ['--quiet', /what tripped the gate/],
      ['--max-reply', /64 B to 16 MiB/],
    ] as const) {
      expect(helpOf(long)).toMatch(words);
      expect(rowOf(long)).toMatch(words);
    }
  });
});
