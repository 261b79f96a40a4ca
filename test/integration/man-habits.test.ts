// The built package's words: the man page (dist/man/epmd-scan.1, made at
// build time from the help data, never from the help's text) names the
// flags --help names, the exit statuses of the README's table and every
// environment variable the code reads; its examples never sweep the
// internet; and every nmap or masscan habit gets an answer from the CLI.

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HABITS } from '../../src/cli/habits.js';
import { runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/pack.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const MAN = readFileSync(join(ROOT, 'dist/man/epmd-scan.1'), 'utf8');

/** roff back to text: escapes and font changes undone. */
const unroff = (s: string): string =>
  s
    .replace(/\\f[BIR]/g, '')
    .replace(/\\-/g, '-')
    .replace(/\\e/g, '\\')
    .replace(/\\&/g, '');

/** The tagged paragraphs of a man page section: tag -> text. */
function section(name: string): Map<string, string> {
  const start = MAN.indexOf(`.SH ${name}\n`);
  const end = MAN.indexOf('\n.SH ', start + 1);
  const body = MAN.slice(start, end === -1 ? undefined : end);
  const out = new Map<string, string>();
  for (const m of body.matchAll(/^\.TP\n(.*)\n(.*)$/gm)) {
    out.set(unroff(m[1] as string), unroff(m[2] as string));
  }
  return out;
}

/** The rows of the README table whose header line is `header`: first cell -> second, markup dropped. */
function readmeTable(header: string): Map<string, string> {
  const lines = README.split('\n');
  const out = new Map<string, string>();
  for (const line of lines.slice(lines.indexOf(header) + 2)) {
    if (!line.startsWith('|')) break;
    const [key = '', value = ''] = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, '|').replace(/`/g, ''));
    out.set(key, value);
  }
  return out;
}

describe('the man page, the help and the README', () => {
  it('the man page names exactly the flags --help names', async () => {
    const help = (await runCli(['--help'])).stdout;
    const options = help.slice(help.indexOf('Options:'), help.indexOf('Examples:'));
    const helpFlags = new Set(
      [...options.matchAll(/(?<=^ {2}|, )(--?[A-Za-z][\w-]*)/gm)].map((m) => m[1]),
    );
    const manFlags = new Set(
      [...section('OPTIONS').keys()].flatMap((tag) =>
        tag.split(/[ ,]+/).filter((w) => w.startsWith('-')),
      ),
    );
    expect(helpFlags.size).toBeGreaterThan(40);
    expect([...manFlags].sort()).toEqual([...helpFlags].sort());
  });

  it('EXIT STATUS is the README exit-code table, word for word, and --help names each code', async () => {
    const man = section('EXIT STATUS');
    const readme = readmeTable('| code | meaning |');
    expect([...man.keys()]).toEqual(['0', '1', '2', '3', '130']);
    expect(man).toEqual(readme);
    const help = (await runCli(['--help'])).stdout.replace(/\s+/g, ' ');
    for (const code of man.keys())
      expect(help).toMatch(new RegExp(`Exit codes:.*\\b${code} [a-z]`));
  });

  it('ENVIRONMENT is every variable the code reads, as the README lists them', () => {
    const read = new Set<string>();
    for (const entry of readdirSync(join(ROOT, 'src'), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const code = readFileSync(join(entry.parentPath, entry.name), 'utf8');
      for (const m of code.matchAll(/\benv\??\.([A-Z][A-Z0-9_]+)\b/g)) read.add(m[1] as string);
      for (const m of code.matchAll(/_ENV = '([A-Z][A-Z0-9_]+)'/g)) read.add(m[1] as string);
    }
    const man = section('ENVIRONMENT');
    expect([...man.keys()].sort()).toEqual([...read].sort());
    expect(man).toEqual(readmeTable('| variable | meaning |'));
  });

  it('the examples scan documentation, private or loopback ranges only; a SYN sweep names its range', () => {
    const examples = [...section('EXAMPLES').keys()];
    expect(examples.length).toBeGreaterThanOrEqual(10);
    const safe = /^(192\.0\.2\.|198\.51\.100\.|203\.0\.113\.|10\.|127\.|2001:db8:)/;
    for (const command of examples) {
      for (const address of command.match(/\b\d+\.\d+\.\d+\.\d+[\w./-]*/g) ?? []) {
        expect({ command, address, safe: safe.test(address) }).toMatchObject({ safe: true });
      }
      if (/\b(zmap|masscan)\b/.test(command)) {
        expect(command).toMatch(/(zmap|masscan) [^|]*\d+\.\d+\.\d+\.\d+\/\d+/);
      }
    }
  });

  it('lists every nmap and masscan habit, as the README and --help do', async () => {
    const man = section('NMAP AND MASSCAN HABITS');
    const readme = readmeTable('| flag | what epmd-scan does |');
    expect(man).toEqual(readme);
    const help = (await runCli(['--help'])).stdout;
    for (const habit of HABITS) {
      for (const flag of [habit.flags[0] as string, habit.flags.at(-1) as string]) {
        expect([...man.keys()].join(' ')).toContain(flag);
        expect(help).toContain(flag);
      }
    }
  });
});

describe('nmap and masscan habits, as a new user types them', () => {
  const refused = HABITS.filter((h) => h.kind === 'refused').flatMap((h) =>
    h.flags.map((flag) => [flag, h] as const),
  );
  it.each(refused)('%s: exit 2, naming the flag and what to write instead', async (flag, habit) => {
    const value = habit.value === '' ? [] : ['out.x'];
    const r = await runCli([flag, ...value, '127.0.0.1', '--list-targets']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      `epmd-scan: ${flag} is an nmap/masscan flag that epmd-scan does not take`,
    );
    expect(r.stderr).toContain(`epmd-scan: hint: ${habit.answer}`);
    // Each answer names an epmd-scan flag or command to use instead.
    expect(habit.answer).toMatch(/(^|\s)(-[a-zA-Z]\b|--[a-z-]+|zmap)/);
  });
  it.each([['-Taggressive'], ['-T', '4']])('nmap timing as %s is refused too', async (...flag) => {
    const r = await runCli([...flag, '127.0.0.1', '--list-targets']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`epmd-scan: ${flag[0]} is an nmap/masscan flag`);
    expect(r.stderr).toMatch(/hint: no timing templates: set -c/);
  });
  it('-oX with its file attached (-oXout.xml) is refused too, and writes no file named X', async () => {
    const r = await runCli(['127.0.0.1', '-oXout.xml', '--list-targets']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/-oX \(in '-oXout\.xml'\) is an nmap\/masscan flag/);
  });
  it('-Pn, -sT and --open are taken; --max-rate, --excludefile, --max-retries are read as ours', async () => {
    const exclude = join(mkdtempSync(join(tmpdir(), 'epmd-scan-habits-')), 'x.txt');
    writeFileSync(exclude, '192.0.2.2\n');
    const r = await runCli([
      '-Pn',
      '-sT',
      '--open',
      '192.0.2.1-3',
      '--max-rate',
      '10',
      '--max-retries=1',
      '--ports',
      '4369',
      '--excludefile',
      exclude,
      '--list-targets',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('192.0.2.1\n192.0.2.3\n');
    const bad = await runCli(['127.0.0.1', '--max-rate', 'x', '--list-targets']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--rate <n>' argument 'x' is invalid/);
  });
  it('a habit word as the value of a flag is that value, not a habit', async () => {
    const r = await runCli([
      '192.0.2.1',
      '--exclude',
      '192.0.2.1',
      '--exclude-file',
      '-T4',
      '--list-targets',
    ]);
    expect(r.stderr).toMatch(/-T4/);
    expect(r.stderr).not.toMatch(/nmap\/masscan flag/);
  });
});
