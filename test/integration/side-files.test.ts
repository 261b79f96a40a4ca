// Issue #22, cases 4 and 5: side files that never end. A FIFO nobody writes,
// a pipe whose writer stays silent (`<(sleep 30)`), a copy of /dev/zero
// (mknod c 1 5, in this test's folder): each is refused at once or read in a
// way that Ctrl-C and SIGTERM end by themselves, never by the 2-second
// fallback ("did not stop in time") and never only by SIGKILL.

import { execFileSync, spawn } from 'node:child_process';
import {
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, holdsOpen, runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/real-epmd.js';
import { tempFolders } from '../helpers/temp.js';

const root = process.getuid?.() === 0;
const { fresh } = tempFolders('side');

/**
 * The CLI started through bash (for `<(...)`): its exit code, then its
 * stderr once the silent writers (who hold stderr too) are gone.
 */
function startBash(script: string): {
  pid: number;
  exited: Promise<number | null>;
  stderr: Promise<string>;
} {
  const child = spawn('bash', ['-c', script], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, BIN },
  });
  let text = '';
  child.stderr.on('data', (d: Buffer) => {
    text += d.toString();
  });
  return {
    pid: child.pid as number,
    exited: new Promise((resolve) => child.on('exit', (code) => resolve(code))),
    stderr: new Promise((resolve) => child.on('close', () => resolve(text))),
  };
}

/** The descriptors of `pid` that point at the same pipe as its descriptor `fd`. */
function samePipe(pid: number, fd: number): number {
  try {
    const pipe = readlinkSync(`/proc/${pid}/fd/${fd}`);
    return readdirSync(`/proc/${pid}/fd`).filter((f) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${f}`) === pipe;
      } catch {
        return false;
      }
    }).length;
  } catch {
    return 0;
  }
}

/** True once `pid` runs Node (bash has exec'd it). */
function isNode(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/exe`) === realpathSync(process.execPath);
  } catch {
    return false;
  }
}

/** The children of `pid` (the silent writers of `<(...)` end up there). */
function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

describe('4: a FIFO nobody writes, as a file read as a stream', () => {
  for (const flag of ['--baseline', '--allow', '--asset-map', '-iL']) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      it(`${flag} <fifo>, ${signal}: exit 130 by itself`, async () => {
        const fifo = join(fresh(), 'fifo');
        execFileSync('mkfifo', [fifo]);
        const args = flag === '-iL' ? ['-iL', fifo] : ['127.0.0.1', '-p', '1', flag, fifo];
        let pid = 0;
        const result = runCli(args, { onSpawn: (p) => (pid = p) });
        await waitFor('the FIFO to be open', async () => pid !== 0 && holdsOpen(pid, fifo));
        process.kill(pid, signal);
        const r = await result;
        expect(r.code).toBe(130);
        expect(r.stderr).toMatch(/interrupted before the scan began/);
        expect(r.stderr).not.toMatch(/did not stop in time/);
      });
    }
  }
});

describe('4: a FIFO as a file read whole is refused at once', () => {
  it.each([
    [
      '--check-cookies',
      /cannot read the cookie file '.*fifo': it is a FIFO; it must be a regular file/,
    ],
    ['--city-db', /cannot read the --city-db database '.*fifo': it is a FIFO/],
    ['--asn-db', /cannot read the --asn-db database '.*fifo': it is a FIFO/],
    ['--resume', /refusing to use '.*fifo', the checkpoint: it is a FIFO/],
  ])('%s <fifo>: exit 2', async (flag, message) => {
    const fifo = join(fresh(), 'fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await runCli(['127.0.0.1', '-p', '1', flag, fifo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('4: a pipe whose writer stays silent (<(sleep 30))', () => {
  for (const flag of ['-iL', '--baseline', '--allow']) {
    it(`${flag} <(sleep 30), SIGINT: exit 130 by itself`, async () => {
      const target = flag === '-iL' ? '' : '127.0.0.1 -p 1';
      const run = startBash(`exec "${process.execPath}" "$BIN" ${target} ${flag} <(exec sleep 30)`);
      // bash has become the CLI, which has opened /dev/fd/63 again: a second descriptor on the pipe.
      await waitFor(
        'the pipe to be open',
        async () => isNode(run.pid) && samePipe(run.pid, 63) >= 2,
      );
      const writers = children(run.pid);
      let code: number | null = null;
      try {
        process.kill(run.pid, 'SIGINT');
        code = await run.exited;
      } finally {
        for (const w of writers) process.kill(w, 'SIGKILL');
      }
      expect(code).toBe(130);
      const stderr = await run.stderr;
      expect(stderr).toMatch(/interrupted before the scan began/);
      expect(stderr).not.toMatch(/did not stop in time/);
    });
  }
});

describe.runIf(root)('5: a character device that never ends (a copy of /dev/zero)', () => {
  it.each([
    ['--check-cookies', /it is a character device; it must be a regular file/],
    ['--city-db', /it is a character device; it must be a regular file/],
    ['--asn-db', /it is a character device; it must be a regular file/],
    ['--baseline', /it is a character device; give a regular file, a pipe or a FIFO/],
    ['--allow', /it is a character device; give a regular file, a pipe or a FIFO/],
    ['--asset-map', /it is a character device; give a regular file, a pipe or a FIFO/],
    ['--resume', /refusing to use '.*zero', the checkpoint: it is a character device/],
  ])('%s <zero>: exit 2 at once', async (flag, message) => {
    const zero = join(fresh(), 'zero');
    execFileSync('mknod', ['-m', '644', zero, 'c', '1', '5']);
    const r = await runCli(['127.0.0.1', '-p', '1', flag, zero]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
  it('a copy of /dev/null is an empty file: an empty allow-list', async () => {
    const nul = join(fresh(), 'null');
    execFileSync('mknod', ['-m', '644', nul, 'c', '1', '3']);
    const r = await runCli(['127.0.0.1', '-p', '1', '--allow', nul, '-q']);
    expect(r.code).toBe(0);
  });
});

describe('every side file has a size cap (sparse files: no disk is used)', () => {
  it.each([
    ['--check-cookies', 1024 * 1024, 'the cookie file'],
    ['--city-db', 1024 ** 3, 'the --city-db database'],
    ['--baseline', 1024 ** 3, 'the baseline'],
    ['--allow', 64 * 1024 * 1024, 'the allow-list'],
    ['--asset-map', 64 * 1024 * 1024, 'the asset map'],
  ])('%s over %i bytes: exit 2 before reading it', async (flag, max, what) => {
    const big = join(fresh(), 'big');
    writeFileSync(big, '');
    truncateSync(big, max + 1);
    const r = await runCli(['127.0.0.1', '-p', '1', flag, big]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `cannot read ${what} '${big}': it holds ${max + 1} bytes, more than the ${max} allowed`,
    );
  });
});
