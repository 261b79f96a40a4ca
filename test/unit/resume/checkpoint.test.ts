import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import {
  type Checkpoint,
  checkSameRun,
  fingerprint,
  readCheckpoint,
  removeTemporaries,
  validateCheckpoint,
  writeCheckpoint,
} from '../../../src/resume/checkpoint.js';
import { emptyStats } from '../../../src/resume/ledger.js';
import { TargetOrder } from '../../../src/targets/order.js';
import { TargetSpace } from '../../../src/targets/space.js';

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-checkpoint-'));
const space = TargetSpace.from([{ family: 4, start: 100n, end: 199n }]);
const order = new TargetOrder(space, { ports: [4369], shuffle: 'x' });

function good(): Checkpoint {
  return {
    version: 3,
    fingerprint: fingerprint(order),
    size: 100,
    ports: [4369],
    seed: 'x',
    shard: null,
    outputs: [{ format: 'csv', path: '/tmp/r.csv' }],
    all: false,
    nodeSeparator: ';',
    severity: 'high',
    records: {
      sourceIp: null,
      nodeInfo: false,
      checkDist: false,
      handshake: false,
      checkCookies: null,
      cookieAttempts: null,
      followUpTimeout: null,
      maxReply: 65536,
      resolve: true,
      cityDb: false,
      asnDb: false,
      assetMap: false,
      baseline: null,
    },
    completed: 3,
    done: [[5, 9]],
    offsets: [120],
    found: 0,
    finished: false,
    stats: { ...emptyStats(), done: 7 },
    updated: new Date().toISOString(),
  };
}

describe('checkpoints', () => {
  it('are written atomically and read back whole', async () => {
    const path = join(dir, 'a.ckpt');
    await writeCheckpoint(path, good());
    expect(await readCheckpoint(path)).toEqual({ ...good(), updated: expect.any(String) });
    expect(await readCheckpoint(join(dir, 'none.ckpt'))).toBeNull();
  });

  const broken: [string, (c: Record<string, unknown>) => void][] = [
    ['completed', (c) => (c.completed = -3)],
    ['completed', (c) => (c.completed = 101)],
    ['completed', (c) => (c.completed = 1.5)],
    ['completed', (c) => (c.completed = null)],
    ['done', (c) => (c.done = [[2, 4]])],
    ['done', (c) => (c.done = [[5, 200]])],
    ['done', (c) => (c.done = [[9, 5]])],
    ['done', (c) => (c.done = 'x')],
    ['offsets', (c) => (c.offsets = [-1])],
    ['offsets', (c) => (c.offsets = [1, 2])],
    ['outputs', (c) => (c.outputs = [{ format: 'csv' }])],
    ['found', (c) => (c.found = '0')],
    ['size', (c) => (c.size = null)],
    ['ports', (c) => (c.ports = [70000])],
    ['fingerprint', (c) => (c.fingerprint = 7)],
    ['nodeSeparator', (c) => (c.nodeSeparator = '')],
    ['finished', (c) => (c.finished = true)],
    ['stats', (c) => (c.stats = null)],
    [
      'stats.byStatus.epmd',
      (c) => ((c.stats as { byStatus: Record<string, unknown> }).byStatus.epmd = -1),
    ],
    ['version', (c) => (c.version = 1)],
  ];
  for (const [field, mutate] of broken) {
    it(`refuses a bad '${field}', naming it`, () => {
      const c = good() as unknown as Record<string, unknown>;
      mutate(c);
      expect(() => validateCheckpoint('x.ckpt', c)).toThrow(
        new RegExp(`bad '${field.replace(/\./g, '\\.')}'`),
      );
    });
  }
  it('refuses null, a list and a number as the whole file', () => {
    for (const v of [null, [], 3, 'x']) {
      expect(() => validateCheckpoint('x.ckpt', v)).toThrow(UsageError);
    }
  });
  it('never throws anything but a UsageError, whatever JSON it holds (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const path = join(dir, 'fuzz.ckpt');
        writeFileSync(path, JSON.stringify(value));
        await readCheckpoint(path).catch((error: unknown) => {
          expect(error).toBeInstanceOf(UsageError);
        });
      }),
      { numRuns: process.env.CI ? 1000 : 200 },
    );
    writeFileSync(join(dir, 'text.ckpt'), 'not json');
    await expect(readCheckpoint(join(dir, 'text.ckpt'))).rejects.toThrow(/not valid JSON/);
    expect(readFileSync(join(dir, 'text.ckpt'), 'utf8')).toBe('not json');
  });
  it('belongs to one run: another format, report, port, seed, shard or target list is refused by name', () => {
    const cp = good();
    const same = { ...cp };
    expect(() => checkSameRun('c', cp, same)).not.toThrow();
    expect(() =>
      checkSameRun('c', cp, { ...same, outputs: [{ format: 'ndjson', path: '/tmp/r.csv' }] }),
    ).toThrow(/other reports or formats \(-o, -f\)/);
    expect(() =>
      checkSameRun('c', cp, { ...same, outputs: [{ format: 'csv', path: 'stdout' }] }),
    ).toThrow(/other reports or formats/);
    expect(() => checkSameRun('c', cp, { ...same, ports: [4370] })).toThrow(/other ports/);
    expect(() => checkSameRun('c', cp, { ...same, seed: 'y' })).toThrow(/--shuffle seed/);
    expect(() => checkSameRun('c', cp, { ...same, shard: '1/2' })).toThrow(/--shard/);
    const other = new TargetOrder(TargetSpace.from([{ family: 4, start: 100n, end: 198n }]), {
      ports: [4369],
      shuffle: 'x',
    });
    expect(() =>
      checkSameRun('c', cp, { ...same, fingerprint: fingerprint(other), size: cp.size }),
    ).toThrow(/another target list/);
  });
  it('refuses a resume with another record setting, naming its flag, never a digest', () => {
    const cp = good();
    const records = (change: Partial<Checkpoint['records']>) => ({
      ...cp,
      records: { ...cp.records, ...change },
    });
    expect(() => checkSameRun('c', cp, records({ handshake: true }))).toThrow(
      /another --handshake: it has false, this run true/,
    );
    const digest = `sha256:${'a'.repeat(64)}`;
    const other = `sha256:${'b'.repeat(64)}`;
    const a = records({ checkCookies: digest });
    expect(() => checkSameRun('c', a, records({ checkCookies: other }))).toThrow(
      /another --check-cookies \(or its cookie file\): it has one file, this run another$/,
    );
    expect(() => checkSameRun('c', a, records({ checkCookies: other }))).not.toThrow(/aaaa|bbbb/);
  });
});

describe('checkpoint files', () => {
  it('are 0600, written through an exclusive temporary; leftover temporaries are removed', async () => {
    const d = join(dir, 'temps');
    mkdirSync(d);
    const path = join(d, 'c.ckpt');
    await writeCheckpoint(path, good());
    expect(statSync(path).mode & 0o777).toBe(0o600);
    writeFileSync(join(d, '.c.ckpt.0123abcd.tmp'), '{');
    writeFileSync(join(d, '.other.0123abcd.tmp'), '{');
    symlinkSync(path, join(d, '.c.ckpt.ffffffff.tmp'));
    await removeTemporaries(path);
    expect(readdirSync(d).sort()).toEqual([
      '.c.ckpt.ffffffff.tmp',
      '.other.0123abcd.tmp',
      'c.ckpt',
    ]);
  });
  it('a symlink as the checkpoint is refused, not followed', async () => {
    const path = join(dir, 'link.ckpt');
    symlinkSync(join(dir, 'a.ckpt'), path);
    await expect(readCheckpoint(path)).rejects.toThrow(/it is a symbolic link/);
  });
});
