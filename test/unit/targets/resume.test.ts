import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { TargetOrder } from '../../../src/targets/order.js';
import {
  Checkpointer,
  fingerprint,
  LowWater,
  readCheckpoint,
  resumePosition,
} from '../../../src/targets/resume.js';
import { TargetSpace } from '../../../src/targets/space.js';

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-resume-'));
const space = TargetSpace.from([{ family: 4, start: 100n, end: 199n }]);

describe('LowWater', () => {
  it('is the first position not yet completed, whatever the completion order (property)', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(Array.from({ length: 60 }, (_, i) => i)), (done) => {
        const low = new LowWater(0);
        for (const p of done) low.complete(p);
        const set = new Set(done);
        let expected = 0;
        while (set.has(expected)) expected++;
        expect(low.mark).toBe(expected);
      }),
    );
  });
});

describe('checkpoints', () => {
  it('are written atomically and read back; a resume starts at the mark', async () => {
    const order = new TargetOrder(space, { ports: [4369], shuffle: 'x' });
    const path = join(dir, 'a.ckpt');
    const cp = new Checkpointer(path, order, 0, 'x');
    for (const p of [0, 1, 2, 4, 5]) cp.complete(p);
    await cp.close();
    const read = await readCheckpoint(path);
    expect(read).toMatchObject({
      version: 1,
      completed: 3,
      size: 100,
      seed: 'x',
      fingerprint: fingerprint(order),
    });
    expect(resumePosition(path, read, order)).toBe(3);
  });
  it('refuses a checkpoint written for other targets, ports, seed or shard', async () => {
    const order = new TargetOrder(space, { ports: [4369] });
    const path = join(dir, 'b.ckpt');
    await new Checkpointer(path, order, 0, null).close();
    const cp = await readCheckpoint(path);
    const others = [
      new TargetOrder(TargetSpace.from([{ family: 4, start: 100n, end: 198n }]), { ports: [4369] }),
      new TargetOrder(space, { ports: [4370] }),
      new TargetOrder(space, { ports: [4369], shuffle: 'y' }),
      new TargetOrder(space, { ports: [4369], shard: { index: 1, total: 2 } }),
    ];
    for (const o of others)
      expect(() => resumePosition(path, cp, o)).toThrow(/written for other targets/);
  });
  it('says so when the file is not a checkpoint', async () => {
    const path = join(dir, 'c.ckpt');
    writeFileSync(path, 'not json');
    await expect(readCheckpoint(path)).rejects.toThrow(UsageError);
    writeFileSync(path, '{"version":2}');
    await expect(readCheckpoint(path)).rejects.toThrow(/not an epmd-scan checkpoint/);
    expect(await readCheckpoint(join(dir, 'none.ckpt'))).toBeNull();
    expect(readFileSync(path, 'utf8')).toBe('{"version":2}');
  });
});
