// Targets from a pipe are probed as their lines arrive (zmap and masscan
// feed epmd-scan this way), not once the writer has closed the pipe.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import { type LoopbackPeers, startPeers, stopPeers } from '../helpers/fake-server.js';

let peers: LoopbackPeers;
let dir: string;
beforeAll(async () => {
  peers = await startPeers();
  dir = mkdtempSync(join(tmpdir(), 'epmd-scan-stream-'));
});
afterAll(async () => {
  await stopPeers(peers);
  rmSync(dir, { recursive: true, force: true });
});

/** The CLI with its stdin a pipe the test writes to, and what it has written so far. */
function piped(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let stdout = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    for (const w of waiters.splice(0)) w();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let closed = false;
  exited.then(() => {
    closed = true;
    for (const w of waiters.splice(0)) w();
  });
  /** Resolves when stdout holds `lines` lines, or the process has ended. */
  const lines = async (n: number): Promise<string[]> => {
    const now = () => stdout.split('\n').filter((l) => l !== '');
    while (now().length < n && !closed) await new Promise<void>((r) => waiters.push(r));
    return now();
  };
  return { child, lines, exited, stderr: () => stderr, closed: () => closed };
}

describe('-iL - from a pipe', () => {
  it('writes the first record while the pipe is still open', async () => {
    const run = piped(['-iL', '-', '-p', String(peers.epmd.port), '-f', 'ndjson', '-n']);
    try {
      run.child.stdin.write('127.0.0.1\n');
      // The record comes although the writer has not closed the pipe (nor written more).
      const first = await run.lines(1);
      expect(run.closed()).toBe(false);
      expect(run.child.stdin.writableEnded).toBe(false);
      expect(first).toHaveLength(1);
      expect(JSON.parse(first[0] as string)).toMatchObject({ ip: '127.0.0.1', status: 'epmd' });
      // A duplicate, a bad line and a new address: the duplicate is not probed again.
      run.child.stdin.end('127.0.0.1\nnot/a/target\nopen tcp 4369 127.0.0.2 1700000000\n');
      expect(await run.exited).toBe(0);
      const all = await run.lines(2);
      expect(all).toHaveLength(1); // 127.0.0.2 refuses: not an exposure
      expect(peers.epmd.received).toHaveLength(1);
      expect(run.stderr()).toMatch(/skipped: stdin:3: invalid target 'not\/a\/target'/);
      expect(run.stderr()).toMatch(/done: 2 of 2 targets/);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('--all: a record per distinct target, excludes applied, in order of arrival', async () => {
    const r = await runCli(
      ['-iL', '-', '-p', String(peers.closed), '-f', 'ndjson', '--all', '--exclude', '127.0.0.3'],
      { input: '127.0.0.2\n127.0.0.1/31\n127.0.0.3\n127.0.0.2\n' },
    );
    expect(r.code).toBe(0);
    const ips = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).ip);
    expect(ips.sort()).toEqual(['127.0.0.0', '127.0.0.1', '127.0.0.2']);
  });

  it('--list-targets lists a stream as it arrives, each address once', async () => {
    const r = await runCli(['-iL', '-', '--list-targets'], {
      input: '192.0.2.9\n192.0.2.1\n192.0.2.9\n',
    });
    expect(r.stdout).toBe('192.0.2.9\n192.0.2.1\n');
  });

  it('a FIFO is a stream too', async () => {
    const fifo = join(dir, 'targets.fifo');
    execFileSync('mkfifo', [fifo]);
    const run = piped(['-iL', fifo, '-p', String(peers.epmd.port), '-f', 'ndjson', '-n']);
    const writer = spawn('sh', ['-c', `printf '127.0.0.1\\n' > "$0"; sleep 30`, fifo]);
    try {
      const first = await run.lines(1);
      expect(run.closed()).toBe(false);
      expect(JSON.parse(first[0] as string).status).toBe('epmd');
    } finally {
      writer.kill('SIGKILL');
      run.child.kill('SIGKILL');
    }
  });

  it.each([
    ['--shuffle', /--shuffle needs the whole target list/, /zmap already probes in a random order/],
    ['--shard=1/2', /--shard needs the whole target list/, /zmap --shards N --shard I/],
    ['--resume=x.ckpt', /--resume needs the whole target list/, /-iL hits\.txt/],
  ])('%s with a stream: exit 2 with the way to do it at the source', async (flag, why, hint) => {
    const r = await runCli(['-iL', '-', flag], { input: '127.0.0.1\n', cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why);
    expect(r.stderr).toMatch(hint);
  });
});
