// A lock names its holder by pid, start time and boot id: a pid reused by
// another process (a container restart) is stale; the holder itself is not.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import {
  bootId,
  FileLock,
  holderAlive,
  me,
  parseLock,
  startTimeOf,
} from '../../../src/output/lock.js';

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-lock-'));
let n = 0;
const file = (): string => join(dir, `f${n++}`);

describe('the holder of a lock', () => {
  it('is this process, started when /proc says, on this boot', () => {
    const self = me();
    expect(self.pid).toBe(process.pid);
    expect(self.start).toMatch(/^\d+$/);
    expect(self.start).toBe(startTimeOf(process.pid));
    expect(self.boot).toMatch(/^[0-9a-f-]{36}$/);
    expect(holderAlive(self)).toBe(true);
  });
  it('a reused pid (another start time) or another boot is stale', () => {
    expect(holderAlive({ ...me(), start: '1' })).toBe(false);
    expect(holderAlive({ ...me(), boot: '00000000-0000-0000-0000-000000000000' })).toBe(false);
    expect(bootId()).toBe(me().boot);
  });
  it('parses its own content, an old lock (pid and host), and an empty one', () => {
    const self = me();
    expect(parseLock(JSON.stringify(self), 'x')).toEqual(self);
    expect(parseLock('{"pid":7,"host":"h","started":""}', 'x')).toMatchObject({
      pid: 7,
      start: null,
    });
    expect(parseLock('', 'x')).toBeNull();
    expect(parseLock('{"pid":12,"ho', 'x')).toBeNull(); // cut short as it was written
  });
  it('refuses a file that holds no lock (exit 2), naming it', () => {
    for (const text of ['x', '[]', '{"pid":"7"}', 'rabbit,25672\n']) {
      expect(() => parseLock(text, '/r.csv.lock')).toThrow(UsageError);
      expect(() => parseLock(text, '/r.csv.lock')).toThrow(
        /'\/r\.csv\.lock', a lock: it does not hold a lock/,
      );
    }
  });
});

describe('FileLock.take', () => {
  it('takes over a lock of this very pid with another start time (a restarted container)', async () => {
    const f = file();
    writeFileSync(`${f}.lock`, JSON.stringify({ ...me(), start: '1' }));
    const notes: string[] = [];
    const lock = await FileLock.take(f, 'the report', (l) => notes.push(l));
    expect(notes).toEqual([
      expect.stringMatching(new RegExp(`taking over the stale lock .* of pid ${process.pid}`)),
    ]);
    expect(JSON.parse(readFileSync(`${f}.lock`, 'utf8')).start).toBe(startTimeOf(process.pid));
    await lock.release();
  });
  it('refuses while its holder runs, even in the same process', async () => {
    const f = file();
    const lock = await FileLock.take(f, 'the report', () => undefined);
    await expect(FileLock.take(f, 'the report', () => undefined)).rejects.toThrow(
      new RegExp(`is in use by another epmd-scan run \\(pid ${process.pid}`),
    );
    await lock.release();
  });
  it('an empty lock file (a run killed as it wrote it) is stale', async () => {
    const f = file();
    writeFileSync(`${f}.lock`, '');
    const notes: string[] = [];
    const lock = await FileLock.take(f, 'the report', (l) => notes.push(l));
    expect(notes).toHaveLength(1);
    await lock.release();
  });
});
