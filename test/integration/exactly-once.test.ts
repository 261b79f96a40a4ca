// Issue #11, case by case: what -o writes into, locks, checkpoints checked
// before the first packet, kill -9, a full disk, a reader that goes away,
// the gate over a resumed run, and signals in every phase.

import { execFileSync, spawn } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  csvLines,
  holdsOpen,
  idleInEventLoop,
  kernelWaits,
  runCli,
  startCli,
  watchesFd,
} from '../helpers/cli.js';
import { type FakeServer, startPeers, stopPeers } from '../helpers/fake-server.js';
import { waitFor } from '../helpers/real-epmd.js';

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-once-'));
const root = process.getuid?.() === 0;
if (!root) console.warn('SKIPPED device, tmpfs and mknod cases: they need root');

let epmd: FakeServer;
let silent: FakeServer;
let closed: number;
beforeAll(async () => {
  ({ epmd, silent, closed } = await startPeers());
});
afterAll(() => stopPeers({ epmd, silent }));

let n = 0;
const fresh = (name: string): string => {
  const d = join(dir, `${n++}`);
  mkdirSync(d);
  return join(d, name);
};
const lines = (path: string): string[] => csvLines(readFileSync(path, 'utf8'));
const ndjson = (path: string): { ip: string; port: number; status: string }[] =>
  lines(path).map((l) => JSON.parse(l));
const keyOf = (r: { ip: string; port: number }): string => `${r.ip}:${r.port}`;

describe('-o writes into what it is given', () => {
  it.runIf(root)('a character device stays a device', async () => {
    const dev = fresh('null');
    execFileSync('mknod', ['-m', '666', dev, 'c', '1', '3']);
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '-o', dev]);
    expect(r.code).toBe(0);
    expect(statSync(dev).isCharacterDevice()).toBe(true);
    expect(existsSync(`${dev}.partial`)).toBe(false);
  });
  it('a FIFO stays a FIFO, and its reader gets the report', async () => {
    const fifo = fresh('pipe');
    execFileSync('mkfifo', [fifo]);
    const chunks: Buffer[] = [];
    const reader = createReadStream(fifo);
    reader.on('data', (c) => chunks.push(c as Buffer));
    const ended = new Promise<void>((resolve) => reader.on('close', () => resolve()));
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '-o', fifo]);
    await ended;
    expect(r.code).toBe(0);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(csvLines(Buffer.concat(chunks).toString())).toHaveLength(2);
  });
  it('a symlink to /proc/self/fd/1 writes to stdout and stays a symlink', async () => {
    const link = fresh('out');
    symlinkSync('/proc/self/fd/1', link);
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '-o', link]);
    expect(r.code).toBe(0);
    expect(csvLines(r.stdout)).toHaveLength(2);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });
  it('a symlink to a regular file: the file gets the report, the link stays', async () => {
    const target = fresh('real.csv');
    writeFileSync(target, 'old\n');
    const link = join(dir, `link-${n++}.csv`);
    symlinkSync(target, link);
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '-o', link]);
    expect(r.code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(lines(target)).toHaveLength(2);
  });
  it.runIf(root)('3: a write that fails mid-scan (ENOSPC) says so', async () => {
    const full = fresh('full');
    execFileSync('mknod', ['-m', '666', full, 'c', '1', '7']);
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '-o', full]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/cannot write '.*full': no space left on the device/);
    // Cut short by a failure, the run is never "done".
    expect(r.stderr).toMatch(/^stopped: 1 of 1 targets/m);
    expect(r.stderr).not.toMatch(/^done:/m);
  });
});

describe('one run per report and per checkpoint', () => {
  it.each([
    ['-o', 'r.csv', 'the report'],
    ['--resume', 'c.ckpt', 'the checkpoint'],
  ])('a second run on the same %s refuses with exit 2, naming the first one', async (flag, name, what) => {
    const file = fresh(name);
    const before = silent.received.length;
    const args = ['127.0.0.1', '-p', String(silent.port), flag, file];
    const first = startCli([...args, '--timeout', '20000']);
    await waitFor('the first run to probe', async () => silent.received.length > before);
    const second = await runCli(args);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(
      `${what} '${file}' is in use by another epmd-scan run (pid ${first.child.pid}`,
    );
    first.child.kill('SIGINT');
    expect((await first.result).code).toBe(130);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });
  it('a stale lock from a dead process is taken over with a note', async () => {
    const out = fresh('r.csv');
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.on('close', resolve));
    writeFileSync(
      `${out}.lock`,
      JSON.stringify({ pid: dead.pid, host: (await import('node:os')).hostname(), started: '' }),
    );
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`taking over the stale lock .* of pid ${dead.pid}`));
    expect(lines(out)).toHaveLength(2);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });
});

describe('checked before the first packet (exit 2, naming what is wrong)', () => {
  const probe = async (args: string[]): Promise<{ code: number | null; stderr: string }> => {
    const before = epmd.received.length;
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), ...args]);
    expect(epmd.received.length).toBe(before);
    return r;
  };
  it("-o '' and --resume ''", async () => {
    expect(await probe(['-o', ''])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/-o ''/),
    });
    expect(await probe(['--resume', ''])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--resume <file>' argument '' is invalid/),
    });
  });
  it('a checkpoint that is the report itself', async () => {
    const out = fresh('same.csv');
    const r = await probe(['-o', out, '--resume', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the csv report '.*same\.csv' would be the checkpoint/);
  });
  it('a checkpoint in a folder that does not exist', async () => {
    const r = await probe(['--resume', join(dir, 'nope', 'x.ckpt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /cannot use the checkpoint '.*nope\/x\.ckpt': its folder does not exist/,
    );
  });
  it('a checkpoint with completed: -3, or null, or another format', async () => {
    const ckpt = fresh('c.ckpt');
    const out = join(dir, `r-${n++}.csv`);
    const ok = await runCli(['127.0.0.1', '-p', String(epmd.port), '-o', out, '--resume', ckpt]);
    expect(ok.code).toBe(0);
    const saved = JSON.parse(readFileSync(ckpt, 'utf8'));
    writeFileSync(ckpt, JSON.stringify({ ...saved, completed: -3 }));
    let r = await probe(['-o', out, '--resume', ckpt]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad 'completed'/);
    writeFileSync(ckpt, 'null');
    r = await probe(['-o', out, '--resume', ckpt]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad '\(whole file\)'/);
    expect(r.stderr).not.toMatch(/internal error/);
    writeFileSync(ckpt, JSON.stringify(saved));
    r = await probe(['-o', out, '--resume', ckpt, '-f', 'ndjson']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/other reports or formats \(-o, -f\): it has \[\{"format":"csv"/);
  });
  it('a checkpoint whose report is missing', async () => {
    const ckpt = fresh('c.ckpt');
    const out = join(dir, `r-${n++}.csv`);
    const before = silent.received.length;
    const first = startCli([
      '127.0.0.1',
      '-p',
      `${epmd.port},${silent.port}`,
      '-c',
      '1',
      '--timeout',
      '20000',
      '-o',
      out,
      '--resume',
      ckpt,
    ]);
    await waitFor('the silent server to be probed', async () => silent.received.length > before);
    await waitFor('a checkpoint', async () => existsSync(ckpt));
    first.child.kill('SIGINT');
    expect((await first.result).code).toBe(130);
    execFileSync('rm', [`${out}.partial`]);
    const r = await probe([
      '-p',
      `${epmd.port},${silent.port}`,
      '-c',
      '1',
      '-o',
      out,
      '--resume',
      ckpt,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/which is missing/);
    expect(r.stderr).toMatch(/hint: delete the checkpoint/);
  });
});

describe('interrupted and resumed: exactly once, and the gate over the whole run', () => {
  const targets = ['127.0.0.1-127.0.0.100'];
  it('kill -9 loses nothing and repeats nothing (ndjson --all)', async () => {
    const out = fresh('r.ndjson');
    const ckpt = join(dir, `k-${n++}.ckpt`);
    const ports = ['-p', `${epmd.port},${silent.port},${closed}`];
    const files = ['-o', out, '--resume', ckpt, '-f', 'ndjson', '--all', '-c', '8'];
    const first = startCli([...targets, ...ports, ...files, '--timeout', '20000']);
    await waitFor('a checkpoint with progress', async () => {
      if (!existsSync(ckpt)) return false;
      return JSON.parse(readFileSync(ckpt, 'utf8')).stats.done > 0;
    });
    first.child.kill('SIGKILL');
    expect((await first.result).signal).toBe('SIGKILL');
    const second = await runCli([...targets, ...ports, ...files, '--timeout', '300']);
    expect(second.code).toBe(0);
    const rows = ndjson(out);
    expect(rows).toHaveLength(300);
    expect(new Set(rows.map(keyOf)).size).toBe(300);
    expect(rows.filter((r) => r.status === 'epmd')).toHaveLength(1);
    expect(second.stderr).toMatch(/done: 300 of 300 targets/);
  });
  it('--fail-on-exposed trips on an exposure found before the interrupt, and again on a rerun', async () => {
    const out = fresh('r.csv');
    const ckpt = join(dir, `g-${n++}.ckpt`);
    const args = [
      '127.0.0.1',
      '-p',
      `${epmd.port},${silent.port}`,
      '-c',
      '1',
      '-o',
      out,
      '--resume',
      ckpt,
      '--fail-on-exposed',
    ];
    const before = silent.received.length;
    const first = startCli([...args, '--timeout', '20000']);
    await waitFor('the silent server to be probed', async () => silent.received.length > before);
    first.child.kill('SIGTERM');
    expect((await first.result).code).toBe(130);
    const probed = epmd.received.length;
    const second = await runCli([...args, '--timeout', '200']);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/exposed EPMDs 1/);
    expect(second.stderr).toMatch(/gate tripped \(exit 1\): new exposure 1/);
    expect(epmd.received.length).toBe(probed); // found before, not probed again
    const third = await runCli([...args, '--timeout', '200']);
    expect(third.code).toBe(1);
    expect(third.stderr).toMatch(/says this scan is complete/);
    expect(third.stderr).toMatch(/done: 2 of 2 targets/);
    expect(epmd.received.length).toBe(probed);
    expect(lines(out)).toHaveLength(2);
  });
});

describe('a reader that goes away (EPIPE)', () => {
  it('--fail-on-exposed never exits 0 when the reader stopped before the end', async () => {
    const run = startCli([
      '127.0.0.1-127.0.0.50',
      '-p',
      `${epmd.port},${silent.port}`,
      '--timeout',
      '20000',
      '-f',
      'ndjson',
      '--all',
      '--fail-on-exposed',
    ]);
    run.child.stdout?.once('data', () => run.child.stdout?.destroy());
    const r = await run.result;
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/went away \(EPIPE\): the scan is incomplete/);
    expect(r.stderr).toMatch(/^stopped: \d+ of 100 targets/m);
    expect(r.stderr).not.toMatch(/^done:/m);
  });
  it('with --resume on stdout, the checkpoint counts nothing the reader may have missed', async () => {
    const ckpt = fresh('p.ckpt');
    const args = [
      '127.0.0.1-127.0.0.50',
      '-p',
      `${epmd.port},${closed}`,
      '-f',
      'ndjson',
      '--all',
      '-c',
      '1',
      '--resume',
      ckpt,
    ];
    const first = startCli(args);
    let got = '';
    first.child.stdout?.once('data', (d: Buffer) => {
      got = d.toString();
      first.child.stdout?.destroy();
    });
    const r = await first.result;
    expect(r.code).toBe(3);
    // Less than a pipe buffer was written: none of it may be counted.
    const cp = JSON.parse(readFileSync(ckpt, 'utf8'));
    expect(cp.completed).toBe(0);
    expect(cp.done).toEqual([]);
    const second = await runCli(args);
    expect(second.code).toBe(0);
    const all = csvLines(second.stdout).map((l) => JSON.parse(l));
    expect(all).toHaveLength(100); // nothing lost: every target reaches the second reader
    expect(got.length).toBeGreaterThan(0);
  });
});

describe('signals in every phase', () => {
  it('SIGTERM while -iL waits on a FIFO nobody writes: exit 130, nothing scanned', async () => {
    // A FIFO is a stream: the scan starts and waits for its first line.
    const fifo = fresh('targets');
    execFileSync('mkfifo', [fifo]);
    const run = startCli(['-iL', fifo]);
    // The FIFO is opened without blocking and read in the event loop: the signal must end the wait.
    await waitFor('the FIFO to be open', async () => holdsOpen(run.child.pid as number, fifo));
    run.child.kill('SIGTERM');
    const r = await run.result;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/interrupted: 0 of 0 targets/);
    expect(r.stdout.split('\n').filter((l) => l !== '')).toHaveLength(1); // the header alone
  });
  it('SIGINT while -o waits on a FIFO nobody reads: exit 130', async () => {
    const fifo = fresh('report');
    execFileSync('mkfifo', [fifo]);
    const run = startCli(['127.0.0.1', '-p', String(epmd.port), '-o', fifo]);
    await waitFor('the open of the FIFO to block', async () =>
      kernelWaits(run.child.pid as number).includes('wait_for_partner'),
    );
    run.child.kill('SIGINT');
    const r = await run.result;
    expect(r.code).toBe(130);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });
  it('SIGTERM while writing to a reader that stopped reading (the pipe is full): exit 130', async () => {
    const child = spawn(
      process.execPath,
      [BIN, '127.0.0.0/20', '-p', String(closed), '-f', 'ndjson', '--all', '-c', '64'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    // Nobody reads stdout: once the pipe is full, every write waits.
    child.stdout.pause();
    const ended = new Promise<number | null>((resolve) =>
      child.on('close', (code) => resolve(code)),
    );
    // This side stops taking data once its buffer is full; the writer then fills the pipe.
    await waitFor(
      'this side to stop reading',
      async () => child.stdout.readableLength >= child.stdout.readableHighWaterMark,
    );
    child.kill('SIGTERM');
    expect(await ended).toBe(130);
    expect(stderr).not.toMatch(/internal error/);
  });
  it('Ctrl-C while stdin is read (a terminal nobody types into): exit 130', async () => {
    const run = startCli(['-iL', '-'], { stdin: 'pipe' });
    // Idle in epoll with SIGINT caught is not enough: Node catches SIGINT itself
    // from the start (to restore the terminal) and waits in epoll while it
    // loads modules. Reading stdin is: the CLI's own handler is set by then.
    await waitFor(
      'the CLI to wait for stdin',
      async () => idleInEventLoop(run.child.pid as number) && watchesFd(run.child.pid as number, 0),
    );
    run.child.kill('SIGINT');
    const r = await run.result;
    expect(r.code).toBe(130);
  });
});

describe.runIf(root)('a full disk', () => {
  it('ENOSPC: exit 3, the checkpoint counts only what was written; freed, the rerun completes exactly once', async () => {
    const mnt = fresh('mnt');
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', mnt]);
    try {
      const out = join(mnt, 'r.ndjson');
      const ckpt = join(dir, `d-${n++}.ckpt`);
      const args = [
        '127.0.0.1-127.0.0.200',
        '-p',
        `${epmd.port},${closed}`,
        '-f',
        'ndjson',
        '--all',
        '-o',
        out,
        '--resume',
        ckpt,
      ];
      const first = await runCli(args);
      expect(first.code).toBe(3);
      expect(first.stderr).toMatch(/no space left on the device/);
      expect(first.stderr).toMatch(/hint: rerun the same command/);
      execFileSync('mount', ['-o', 'remount,size=4m', mnt]);
      const second = await runCli(args);
      expect(second.code).toBe(0);
      const rows = ndjson(out);
      expect(rows).toHaveLength(400);
      expect(new Set(rows.map(keyOf)).size).toBe(400);
    } finally {
      execFileSync('umount', ['-l', mnt]);
    }
  });
});
