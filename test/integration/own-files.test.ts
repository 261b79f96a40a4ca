// Issue #22, cases 1, 2, 3, 9 and 10: the tool's own files (.partial, .lock,
// .found, the checkpoint) are created, never followed; modes are kept or
// private; -o through a link writes where it points, and the lock guards
// the real path; a report that would be a companion file is refused.
// Everything happens in this file's own temp folder.

import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvLines, runCli, startCli } from '../helpers/cli.js';
import { type FakeServer, startPeers, stopPeers } from '../helpers/fake-server.js';
import { waitFor } from '../helpers/real-epmd.js';
import { tempFolders } from '../helpers/temp.js';

const root = process.getuid?.() === 0;
let epmd: FakeServer;
let silent: FakeServer;
beforeAll(async () => {
  ({ epmd, silent } = await startPeers());
});
afterAll(() => stopPeers({ epmd, silent }));

const { base, fresh } = tempFolders('own');
const scan = (...args: string[]) => runCli(['127.0.0.1', '-p', String(epmd.port), ...args]);
const mode = (path: string): number => statSync(path).mode & 0o777;

describe('1, 2: a link planted at a companion name is refused, and what it points to is untouched', () => {
  it.each([
    ['r.csv.partial', ['-o', 'r.csv']],
    ['ck.found', ['-o', 'r.csv', '--resume', 'ck']],
    ['r.csv.lock', ['-o', 'r.csv']],
  ])('a symlink at %s', async (name, args) => {
    const d = fresh();
    writeFileSync(join(d, 'victim'), 'secret\n');
    symlinkSync(join(d, 'victim'), join(d, name));
    const r = await scan(...args.map((a) => (a.startsWith('-') ? a : join(d, a))));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`refusing to use '${join(d, name)}'`);
    expect(r.stderr).toMatch(/it is a symbolic link/);
    expect(readFileSync(join(d, 'victim'), 'utf8')).toBe('secret\n');
    expect(lstatSync(join(d, name)).isSymbolicLink()).toBe(true);
    expect(readdirSync(d).sort()).toEqual([name, 'victim'].sort());
  });
  it('a link planted at .found between two parts of a run is refused on resume', async () => {
    const d = fresh();
    const args = ['-o', join(d, 'r.csv'), '--resume', join(d, 'ck')];
    expect((await scan(...args)).code).toBe(0);
    writeFileSync(join(d, 'victim'), 'secret\n');
    unlinkSync(join(d, 'ck.found'));
    symlinkSync(join(d, 'victim'), join(d, 'ck.found'));
    const r = await scan(...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to use '.*ck\.found', the found-log of the checkpoint/);
    expect(readFileSync(join(d, 'victim'), 'utf8')).toBe('secret\n');
  });
  it.runIf(root)(
    "another user's file at .partial is refused; a leftover of ours is replaced",
    async () => {
      const d = fresh();
      writeFileSync(join(d, 'r.csv.partial'), 'theirs\n');
      chownSync(join(d, 'r.csv.partial'), 65534, 65534);
      const r = await scan('-o', join(d, 'r.csv'));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/it belongs to uid 65534, not to this user/);
      expect(readFileSync(join(d, 'r.csv.partial'), 'utf8')).toBe('theirs\n');
      chownSync(join(d, 'r.csv.partial'), 0, 0);
      expect((await scan('-o', join(d, 'r.csv'))).code).toBe(0);
      expect(csvLines(readFileSync(join(d, 'r.csv'), 'utf8'))).toHaveLength(2);
      expect(existsSync(join(d, 'r.csv.partial'))).toBe(false);
    },
  );
});

describe('3: modes', () => {
  it('an existing 0600 report stays 0600 (and keeps its owner); the checkpoint and .found are 0600', async () => {
    const d = fresh();
    const out = join(d, 'r.csv');
    writeFileSync(out, 'old\n', { mode: 0o600 });
    if (root) chownSync(out, 65534, 65534);
    const r = await scan('-o', out, '--resume', join(d, 'ck'), '--check-cookies');
    expect(r.code).toBe(0);
    expect(mode(out)).toBe(0o600);
    if (root) expect(statSync(out).uid).toBe(65534);
    expect(mode(join(d, 'ck'))).toBe(0o600);
    expect(mode(join(d, 'ck.found'))).toBe(0o600);
  });
  it('a new report follows the umask', async () => {
    const d = fresh();
    // 0666 less the umask: not the 0644 a fixed mode would give.
    const umask = ['sh', '-c', 'umask 002; exec "$0" "$@"'];
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '-o', join(d, 'r.csv')], {
      prefix: umask,
    });
    expect(r.code).toBe(0);
    expect(mode(join(d, 'r.csv'))).toBe(0o664);
  });
});

describe('9: -o and --resume through links', () => {
  it('a dangling symlink as -o: the report is written where it points, the link stays', async () => {
    const d = fresh();
    mkdirSync(join(d, 'sub'));
    symlinkSync('sub/real.csv', join(d, 'out'));
    const r = await scan('-o', join(d, 'out'));
    expect(r.code).toBe(0);
    expect(lstatSync(join(d, 'out')).isSymbolicLink()).toBe(true);
    expect(csvLines(readFileSync(join(d, 'sub', 'real.csv'), 'utf8'))).toHaveLength(2);
  });
  it.each([
    ['-o', 'r.csv', 'the report'],
    ['--resume', 'ck', 'the checkpoint'],
  ])('a second run reaching the same %s through a link is stopped by the lock', async (flag, name, what) => {
    const d = fresh();
    const real = join(d, name);
    writeFileSync(real, '');
    symlinkSync(real, join(d, 'link'));
    if (flag === '--resume') unlinkSync(real);
    const args = (file: string) => ['127.0.0.1', '-p', String(silent.port), flag, file];
    const before = silent.received.length;
    const first = startCli([...args(real), '--timeout', '20000']);
    await waitFor('the first run to probe', async () => silent.received.length > before);
    const second = await runCli(args(join(d, 'link')));
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`${what} '${real}' is in use by another epmd-scan run`);
    first.child.kill('SIGINT');
    expect((await first.result).code).toBe(130);
  });
});

describe('10: a report that is another file of the run is refused', () => {
  it.each([
    [
      ['-o', 'r.csv', '--ndjson', 'r.csv.lock'],
      /the ndjson report '.*r\.csv\.lock' would be the lock of the csv report/,
    ],
    [['-o', 'r.csv', '--ndjson', 'r.csv.partial'], /would be the partial report of the csv report/],
    [
      ['-o', 'r.csv', '--resume', 'ck', '--ndjson', 'ck.found'],
      /the ndjson report '.*ck\.found' would be the found-log of the checkpoint/,
    ],
    [
      ['-o', 'r.csv', '--resume', 'r.csv.lock'],
      /would be the lock of the csv report|would be the checkpoint/,
    ],
  ])('%j', async (args, message) => {
    const d = fresh();
    const r = await scan(...args.map((a) => (a.startsWith('-') ? a : join(d, a))));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(readdirSync(d)).toEqual([]);
  });
  it('a file at <report>.lock that holds no lock (an old report) is refused, never deleted', async () => {
    const d = fresh();
    writeFileSync(join(d, 'r.csv.lock'), '{"ip":"192.0.2.1","port":4369}\n');
    const r = await scan('-o', join(d, 'r.csv'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /refusing to use '.*r\.csv\.lock', a lock: it does not hold a lock of epmd-scan/,
    );
    expect(readFileSync(join(d, 'r.csv.lock'), 'utf8')).toContain('192.0.2.1');
  });
});

describe('16: -oA into a folder that cannot be written says why', () => {
  it.runIf(root)('a read-only file system: "read-only", not "does not exist"', async () => {
    const ro = join(fresh(), 'ro');
    mkdirSync(ro);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro]);
    try {
      let r = await scan('-oA', join(ro, 'reports/'));
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /-oA '.*reports\/': cannot make the folder: the file system is read-only/,
      );
      r = await scan('-oA', `${ro}/`);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/the file system is read-only/);
      expect(r.stderr).not.toMatch(/does not exist/);
    } finally {
      execFileSync('umount', [ro]);
    }
  });
  it.runIf(root)('a folder this user may not write in: "permission denied"', async () => {
    const d = fresh();
    chmodSync(base, 0o711); // mkdtemp's 0700 would deny the way there, not the folder itself
    chmodSync(d, 0o555);
    const asNobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '-oA', join(d, 'reports/')], {
      prefix: asNobody,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot make the folder: permission denied/);
  });
});
