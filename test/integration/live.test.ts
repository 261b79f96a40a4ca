// What a running scan says on a stderr that is a file (a cron log, a Job's
// log, a CI step): --stats-every's lines while it runs, none by default for
// a short run, and -v's line per exposure and per error, escaped.

import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import {
  type FakeServer,
  fakeServer,
  header,
  startPeers,
  stopPeers,
} from '../helpers/fake-server.js';

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-live-'));
let epmd: FakeServer;
let silent: FakeServer;
let evil: FakeServer;
let reset: FakeServer;
beforeAll(async () => {
  ({ epmd, silent } = await startPeers());
  evil = await fakeServer(async (socket, request) => {
    await request;
    socket.end(Buffer.concat([header(4369), Buffer.from('name \x1b[31mevil at port 9\n')]));
  });
  // Accepts, then resets before a byte: status error, connection-reset.
  reset = await fakeServer(async (socket, request) => {
    await request;
    socket.resetAndDestroy();
  });
});
afterAll(async () => {
  await stopPeers({ epmd, silent });
  await evil?.close();
  await reset?.close();
});

let n = 0;
/** The built CLI with stderr a regular file; its exit code and that file's text. */
async function withStderrFile(args: string[]): Promise<{ code: number | null; log: string }> {
  const file = join(dir, `stderr-${++n}.log`);
  const fd = openSync(file, 'w');
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'ignore', fd],
    env: { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined },
  });
  closeSync(fd);
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return { code, log: readFileSync(file, 'utf8') };
}

const STATS =
  /^epmd-scan: stats: (\d+) of 2 targets \(\d+\.\d%\) after [\d.ms]+, \d+\/s, (\d+) in flight, exposed (\d+), ETA (\S+)$/;

describe('--stats-every with stderr a file', () => {
  it('prints its line at the interval while the scan runs; the first, before anything completed, has an ETA', async () => {
    // One probe at a time: the silent target holds the scan for --timeout.
    const { code, log } = await withStderrFile([
      '127.0.0.1',
      '-p',
      `${silent.port},${epmd.port}`,
      '-c',
      '1',
      '--timeout',
      '3000',
      '-n',
      '--stats-every',
      '200ms',
    ]);
    expect(code).toBe(0);
    const lines = log.split('\n').filter((l) => l.startsWith('epmd-scan: stats:'));
    expect(lines.length, log).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line).toMatch(STATS);
    const [, done, inFlight, , eta] = STATS.exec(lines[0] as string) ?? [];
    expect({ done, inFlight }).toEqual({ done: '0', inFlight: '1' });
    expect(eta).not.toBe('?');
    // Plain lines in a file: no carriage return, no escape code.
    expect(log).not.toContain('\r');
    expect(log).not.toContain('\x1b');
    expect(log).toMatch(/^done: 2 of 2 targets/m);
  });
  it('by default a short run (under a minute) prints no stats line; 0 turns them off', async () => {
    const args = ['127.0.0.1', '-p', `${epmd.port}`, '-n'];
    expect((await withStderrFile(args)).log).not.toMatch(/stats:/);
    const off = await withStderrFile([
      ...args,
      '-p',
      `${silent.port}`,
      '--timeout',
      '1000',
      '--stats-every',
      '0',
    ]);
    expect(off.log).not.toMatch(/stats:/);
  });
  it('-q with --stats-every: the stats lines and nothing else', async () => {
    const { code, log } = await withStderrFile([
      '127.0.0.1',
      '-p',
      `${silent.port}`,
      '--timeout',
      '1500',
      '-q',
      '--stats-every',
      '200ms',
    ]);
    expect(code).toBe(0);
    const lines = log.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^epmd-scan: stats: \d+ of 1 targets/);
  });
});

describe('-v', () => {
  it('logs each exposure and each error as it happens, hostile names escaped', async () => {
    const { code, log } = await withStderrFile([
      '127.0.0.1',
      '-p',
      `${epmd.port},${evil.port},${reset.port}`,
      '-n',
      '-v',
    ]);
    expect(code).toBe(0);
    expect(log).toContain(`epmd-scan: exposed 127.0.0.1:${epmd.port} high: nodes rabbit:25672\n`);
    expect(log).toContain(
      `epmd-scan: exposed 127.0.0.1:${evil.port} high: nodes \\x1b[31mevil:9\n`,
    );
    expect(log).toContain(`epmd-scan: error 127.0.0.1:${reset.port}: connection-reset\n`);
    expect(log).not.toContain('\x1b');
  });
  it('says an exposure as it happens: before the scan of the next, silent target ends', async () => {
    const { log } = await withStderrFile([
      '127.0.0.1',
      '-p',
      `${epmd.port},${silent.port}`,
      '-c',
      '1',
      '--timeout',
      '2000',
      '-n',
      '-v',
      '--stats-every',
      '200ms',
    ]);
    const exposed = log.indexOf(`epmd-scan: exposed 127.0.0.1:${epmd.port}`);
    const waiting = log.indexOf('epmd-scan: stats: 1 of 2 targets');
    expect(exposed).toBeGreaterThanOrEqual(0);
    expect(waiting, log).toBeGreaterThan(exposed);
  });
  it('-q and -v together are refused, naming both', async () => {
    const { code, log } = await withStderrFile(['127.0.0.1', '-q', '-v']);
    expect(code).toBe(2);
    expect(log).toMatch(/'-q, --quiet' cannot be used with option '-v, --verbose'/);
  });
});
