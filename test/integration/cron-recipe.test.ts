// The README's nightly cron script, run as written (its folder a temp one,
// `mail` a stand-in that keeps what it is given, `epmd-scan` the built CLI
// pointed at a loopback epmd's port): silent but for the gate's line, exit
// 1 on a new exposure, and the HTML verdict mailed; the next night, with
// yesterday's report as the baseline, exit 0 and no mail.

import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { type FakeServer, rabbitEpmd } from '../helpers/fake-server.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const script =
  /```sh\n(#!\/bin\/sh\n# \/usr\/local\/bin\/epmd-nightly\n[\s\S]*?)```/.exec(README)?.[1] ?? '';

let epmd: FakeServer;
beforeAll(async () => {
  epmd = await rabbitEpmd();
});
afterAll(() => epmd?.close());

describe("the README's nightly cron script", () => {
  const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-cron-'));
  const work = join(dir, 'var');
  const bin = join(dir, 'bin');
  mkdirSync(work);
  mkdirSync(bin);
  writeFileSync(join(work, 'ranges.txt'), '127.0.0.1\n');

  async function night(): Promise<{ status: number | null; stderr: string; mails: string[] }> {
    // The harness: epmd-scan probes the fake epmd's port; mail keeps its arguments and the attachment.
    writeFileSync(
      join(bin, 'epmd-scan'),
      `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@" -p ${epmd.port} -n\n`,
    );
    writeFileSync(
      join(bin, 'mail'),
      `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/mail.args"\nwhile [ $# -gt 0 ]; do [ "$1" = -A ] && cp "$2" "${dir}/mail.html"; shift; done\n`,
    );
    chmodSync(join(bin, 'epmd-scan'), 0o755);
    chmodSync(join(bin, 'mail'), 0o755);
    const file = join(dir, 'epmd-nightly');
    writeFileSync(file, script.replace(/^cd \/var\/lib\/epmd-scan$/m, `cd "${work}"`));
    // Not spawnSync: the fake epmd answers from this process's event loop.
    const child = spawn('sh', [file], {
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const mails = existsSync(join(dir, 'mail.args'))
      ? readFileSync(join(dir, 'mail.args'), 'utf8').trim().split('\n')
      : [];
    return { status, stderr, mails };
  }

  it('is in the README, and its folder is the one line the test changes', () => {
    expect(script).toMatch(/^cd \/var\/lib\/epmd-scan$/m);
    expect(script).toMatch(/mail -s .* -A "\$today-scan_epmd-staging\.html"/);
  });

  it('a new exposure: exit 1, the gate line on stderr alone, the HTML verdict mailed', async () => {
    const r = await night();
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toBe(`epmd-scan: 1 new exposure(s): 127.0.0.1:${epmd.port}\n`);
    const today = new Date().toISOString().slice(0, 10);
    expect(r.mails.slice(0, 2)).toEqual(['-s', `epmd-scan ${today}: exit 1`]);
    expect(r.mails).toContain('secops@example.com');
    const page = readFileSync(join(dir, 'mail.html'), 'utf8');
    expect(page).toContain('<p class="verdict tripped">Gate tripped (exit 1): new-exposure 1.</p>');
    expect(page).toContain(`<code>127.0.0.1:${epmd.port}</code>`);
  });

  it('the next night, against that report: exit 0, nothing said, no mail', async () => {
    // Today's reports become yesterday's.
    const day = (offset: number): string =>
      new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    renameSync(
      join(work, `${day(0)}-scan_epmd-staging.csv`),
      join(work, `${day(-1)}-scan_epmd-staging.csv`),
    );
    for (const ext of ['ndjson', 'html', 'sarif', 'ckpt', 'ckpt.found']) {
      const f = join(work, `${day(0)}-scan_epmd-staging.${ext}`);
      if (existsSync(f)) renameSync(f, `${f}.old`);
    }
    writeFileSync(join(dir, 'mail.args'), '');
    const r = await night();
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.mails).toEqual(['']);
  });
});
