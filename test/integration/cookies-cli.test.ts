// The command line of --check-cookies, --cookie-attempts and --follow-up-timeout.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('cookie and follow-up options', () => {
  const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-cookies-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--help carries the warning, the attempts and the budget with their defaults', async () => {
    const help = await runCli(['--help']);
    const text = help.stdout.replace(/\s+/g, ' ');
    expect(text).toContain('--check-cookies [file] WARNING: AUTHENTICATES TO THE NODE');
    expect(text).toContain('only for systems you are authorised to test');
    expect(text).toMatch(/--cookie-attempts <n> .*\(default: 3\)/);
    expect(text).toMatch(/--follow-up-timeout <ms> .*\(default: 10000\)/);
  });
  it('a missing or empty cookie file is a usage error before any packet', async () => {
    const missing = await runCli(['127.0.0.1', '--check-cookies', join(dir, 'none.txt')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the cookie file .*none\.txt': no such file/);
    expect(missing.stdout).toBe('');
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '# only a comment\n');
    const r = await runCli(['127.0.0.1', '--check-cookies', empty]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no cookie in the file');
  });
  it('an over-long cookie is refused by its line, never shown', async () => {
    const file = join(dir, 'long.txt');
    writeFileSync(file, `fine\n${'Z'.repeat(300)}\n`);
    const r = await runCli(['127.0.0.1', '--check-cookies', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('long.txt, line 2');
    expect(r.stderr).not.toContain('ZZZ');
    expect(r.stderr).not.toContain('fine');
  });
  it('--cookie-attempts and --follow-up-timeout take whole numbers in range', async () => {
    expect((await runCli(['127.0.0.1', '--cookie-attempts', '0'])).code).toBe(2);
    expect((await runCli(['127.0.0.1', '--follow-up-timeout', 'soon'])).code).toBe(2);
  });
});
