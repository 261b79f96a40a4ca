// The README's words, run: every command of its Examples block parses to a
// target list (each is run with --list-targets, so no packet is sent; the
// hostname and -S examples need a network or addresses this machine lacks,
// and are left out), and its exit-code table is the one the CLI uses and
// --help states.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/main.js';
import { BIN, runCli } from '../helpers/cli.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The lines of the first sh block under a heading. */
function shBlock(heading: string): string[] {
  const after = README.slice(README.indexOf(`\n${heading}\n`));
  const m = /```sh\n([\s\S]*?)```/.exec(after);
  return (m?.[1] ?? '').split('\n');
}

describe("the README's Examples", () => {
  const commands = shBlock('## Examples').filter(
    (l) => l.startsWith('epmd-scan ') && !/example\.com| -S /.test(l),
  );
  const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-readme-'));
  mkdirSync(join(dir, 'bin'));
  symlinkSync(BIN, join(dir, 'bin', 'epmd-scan'));
  writeFileSync(join(dir, 'staging-ranges.txt'), '# staging\n192.0.2.0/30\n');
  writeFileSync(join(dir, 'do-not-scan.txt'), '192.0.2.3\n');

  it('has commands to run', () => {
    expect(commands.length).toBeGreaterThanOrEqual(10);
  });
  it.each(commands)('%s', (line) => {
    // As written, with --list-targets before any pipe: the targets, no packet.
    const [scan = '', ...pipe] = line.split(' | ');
    const cmd = [scan.includes('--list-targets') ? scan : `${scan} --list-targets`, ...pipe].join(
      ' | ',
    );
    const r = spawnSync('sh', ['-c', cmd], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, NO_COLOR: '1' },
      timeout: 20_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/error/i);
  });
});

describe("the README's exit codes", () => {
  it('are the codes the CLI uses, and --help says each', async () => {
    const table = [...README.slice(README.indexOf('## Exit codes')).matchAll(/^\| (\d+) \|/gm)].map(
      (m) => Number(m[1]),
    );
    expect(table).toEqual(Object.values(EXIT).sort((a, b) => a - b));
    const help = (await runCli(['--help'])).stdout;
    for (const code of table) expect(help).toMatch(new RegExp(`\\b${code} [a-z]`));
  });
});
