// The man page and the completions are made from the commander definition
// that parses argv: every flag of --help is in each of them.

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { completionScript } from '../../../src/cli/completion.js';
import { flagTable, SHELLS } from '../../../src/cli/flags.js';
import { manPage, roff } from '../../../src/cli/manpage.js';
import { program } from '../../../src/cli/program.js';

const sink = new PassThrough();
const cmd = program({ stdout: sink, stderr: sink });
const flags = flagTable(cmd);
const page = manPage(cmd, flags, { version: '9.9.9', date: '2026-01-02' });

describe('the flag table', () => {
  it('has every option of the parser, -iL and -h included', () => {
    const names = flags.flatMap((f) => f.names);
    for (const option of cmd.options) expect(names).toContain(option.long);
    expect(names).toEqual(expect.arrayContaining(['-iL', '--input-file', '-h', '--help', '-V']));
    expect(flags.find((f) => f.names.includes('--format'))?.choices).toEqual([
      'csv',
      'ndjson',
      'table',
      'html',
      'sarif',
    ]);
    expect(names).toEqual(expect.arrayContaining(['-oA', '--output-all']));
    expect(flags.find((f) => f.names.includes('--baseline'))?.file).toBe(true);
    expect(flags.find((f) => f.names.includes('--check-cookies'))?.optionalValue).toBe(true);
    expect(flags.find((f) => f.names.includes('--severity'))?.choices).toEqual([
      'critical',
      'high',
      'medium',
      'low',
      'info',
    ]);
  });
});

describe('the man page', () => {
  it('lists every flag of --help, in roff', () => {
    expect(page).toMatch(/^\.TH EPMD\\-SCAN 1 "2026-01-02" "epmd-scan 9\.9\.9"/);
    for (const flag of flags) {
      for (const name of flag.names) expect(page).toContain(`\\fB${roff(name)}\\fR`);
    }
  });
  it('has the examples and exit codes of --help', () => {
    expect(page).toContain(`\\fB${roff('epmd-scan 192.0.2.0/24 -o report.csv')}\\fR`);
    for (const code of ['0', '1', '2', '3', '130']) expect(page).toContain(`.TP\n\\fB${code}\\fR`);
  });
  it("says --severity's choices once", () => {
    const entry = page.slice(page.indexOf('\\-\\-severity'));
    const text = entry.slice(0, entry.indexOf('.TP'));
    expect(text.match(/critical/g)).toHaveLength(1);
  });
  it('escapes what roff would read as requests', () => {
    expect(roff(".x\n'y\\z-")).toBe("\\&.x\n\\&'y\\ez\\-");
  });
});

describe('the completion scripts', () => {
  it.each(SHELLS)('%s: names every flag', (shell) => {
    const script = completionScript(shell, flags);
    for (const flag of flags) {
      for (const name of flag.names) {
        const word = shell === 'fish' ? name.replace(/^--?/, '') : name;
        expect(script).toContain(word);
      }
    }
  });
});
