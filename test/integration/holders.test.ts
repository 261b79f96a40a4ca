// Issue #22, cases 6, 7 and 8: a lock left by kill -9 in a container that
// restarts (a fresh pid namespace gives the rerun the same pid), -oA into a
// folder resumed after UTC midnight, and names whose derived names are too
// long for the file system.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvLines, runCli, startCli } from '../helpers/cli.js';
import { type FakeServer, startPeers, stopPeers } from '../helpers/fake-server.js';
import { waitFor } from '../helpers/real-epmd.js';
import { tempFolders } from '../helpers/temp.js';

const root = process.getuid?.() === 0;
/** unshare(1) can make a pid namespace here (root, util-linux). */
const pidns =
  root && spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;
if (!pidns) console.warn('SKIPPED the pid-namespace lock case: it needs root and unshare');

let epmd: FakeServer;
let silent: FakeServer;
beforeAll(async () => {
  ({ epmd, silent } = await startPeers());
});
afterAll(() => stopPeers({ epmd, silent }));

const { fresh } = tempFolders('holders');
const lockPid = (path: string): number | null => {
  try {
    return JSON.parse(readFileSync(path, 'utf8')).pid;
  } catch {
    return null;
  }
};

describe.runIf(pidns)(
  '6: a lock of a run killed with kill -9, and a rerun with the same pid',
  () => {
    it('two runs in fresh pid namespaces are both pid 1: the second takes the stale lock over', async () => {
      const d = fresh();
      const files = ['-o', join(d, 'r.csv'), '--resume', join(d, 'ck')];
      const ports = ['-p', `${epmd.port},${silent.port}`, '-c', '1'];
      const ns = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child=SIGKILL'];
      let outer = 0;
      const first = runCli(['127.0.0.1', ...ports, ...files, '--timeout', '20000'], {
        prefix: ns,
        onSpawn: (pid) => (outer = pid),
      });
      await waitFor('the first run to hold its locks as pid 1', async () => {
        return lockPid(join(d, 'ck.lock')) === 1 && lockPid(join(d, 'r.csv.lock')) === 1;
      });
      process.kill(outer, 'SIGKILL'); // unshare dies; --kill-child kills the run with it
      expect((await first).signal).toBe('SIGKILL');
      expect(lockPid(join(d, 'ck.lock'))).toBe(1); // left behind
      const second = await runCli(['127.0.0.1', ...ports, ...files, '--timeout', '300'], {
        prefix: ns.slice(0, 4),
      });
      expect(second.code).toBe(0);
      expect(second.stderr).toMatch(
        /taking over the stale lock .*ck\.lock of pid 1, which is no longer running/,
      );
      expect(second.stderr).toMatch(/taking over the stale lock .*r\.csv\.lock of pid 1/);
      expect(csvLines(readFileSync(join(d, 'r.csv'), 'utf8'))).toHaveLength(2);
      expect(existsSync(join(d, 'ck.lock'))).toBe(false);
    });
  },
);

describe('7: -oA <folder>/ --resume after UTC midnight', () => {
  it('continues the reports it began, under the names of the day it began', async () => {
    const d = fresh();
    const folder = join(d, 'reports/');
    const ckpt = join(d, 'ck');
    const args = ['127.0.0.1', '-p', `${epmd.port},${silent.port}`, '-c', '1', '-n'];
    const files = ['-oA', folder, '--resume', ckpt];
    const before = silent.received.length;
    const first = startCli([...args, ...files, '--timeout', '20000']);
    await waitFor('the silent peer to be probed', async () => silent.received.length > before);
    await waitFor('a checkpoint', async () => existsSync(ckpt));
    first.child.kill('SIGINT');
    expect((await first.result).code).toBe(130);
    // What the same run would have left had it begun yesterday (UTC): its names and checkpoint.
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    for (const f of readdirSync(folder)) {
      renameSync(join(folder, f), join(folder, f.replace(today, yesterday)));
    }
    writeFileSync(ckpt, readFileSync(ckpt, 'utf8').replaceAll(today, yesterday));
    const second = await runCli([...args, ...files, '--timeout', '300']);
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/resuming: 1 of 2 targets done already/);
    const names = readdirSync(folder).sort();
    expect(names).toEqual(
      ['csv', 'html', 'ndjson', 'sarif'].map((x) => `${yesterday}-scan_epmd-epmd-scan.${x}`),
    );
    const csv = csvLines(readFileSync(join(folder, names[0] as string), 'utf8'));
    expect(csv).toHaveLength(2); // the header once, the exposure once
  });
});

describe('8: names too long for the file system, refused before the first packet', () => {
  const scan = async (...args: string[]) => {
    const seen = epmd.received.length;
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), ...args]);
    return { ...r, probed: epmd.received.length > seen };
  };
  it('a 254-byte -o is a valid name, but its .partial is not: said so', async () => {
    const d = fresh();
    const r = await scan('-o', join(d, 'a'.repeat(254)));
    expect(r.code).toBe(2);
    expect(r.probed).toBe(false);
    expect(r.stderr).toMatch(
      /the name \(254 bytes\) is valid, but its partial report 'a+….*' would be 262 bytes, longer than the 255 bytes a file name may have \(NAME_MAX\)/,
    );
    expect(r.stderr).toMatch(/hint: shorten the name by 7 bytes/);
    expect(readdirSync(d)).toEqual([]);
  });
  it('a 245-byte checkpoint name: its temporary would be too long', async () => {
    const d = fresh();
    const r = await scan('--resume', join(d, 'c'.repeat(245)));
    expect(r.code).toBe(2);
    expect(r.probed).toBe(false);
    expect(r.stderr).toMatch(/its temporary '\.c+….*' would be 259 bytes/);
    expect(readdirSync(d)).toEqual([]);
  });
  it('a 241-byte checkpoint name is the longest that works, and its rerun finds it complete', async () => {
    const d = fresh();
    const ckpt = join(d, 'c'.repeat(241));
    expect((await scan('--resume', ckpt, '-q')).code).toBe(0);
    const again = await scan('--resume', ckpt);
    expect(again.code).toBe(0);
    expect(again.probed).toBe(false);
    expect(again.stderr).toMatch(/says this scan is complete/);
  });
});
