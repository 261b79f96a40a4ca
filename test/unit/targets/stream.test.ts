import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeenSet } from '../../../src/targets/seen.js';
import { TargetSpace } from '../../../src/targets/space.js';
import { TargetStream } from '../../../src/targets/stream.js';

async function* lines(...specs: string[]) {
  for (const spec of specs) yield { spec, origin: `in:${spec}` };
}

const stream = (
  specs: string[],
  extra: Partial<ConstructorParameters<typeof TargetStream>[1]> = {},
) => {
  const warnings: string[] = [];
  const s = new TargetStream(lines(...specs), {
    ports: [4369],
    exclude: null,
    lookup: async (name) => (name === 'two.example' ? ['192.0.2.2', '192.0.2.3'] : []),
    localAddresses: () => ['127.0.0.1'],
    warn: (w) => warnings.push(w),
    ...extra,
  });
  return { s, warnings };
};

async function all(s: TargetStream) {
  const out: string[] = [];
  for await (const t of s.targets()) out.push(`${t.position} ${t.ip}:${t.port}`);
  return out;
}

describe('a stream of targets', () => {
  it('gives each address once, in order of arrival, ports from -p', async () => {
    const { s } = stream(['192.0.2.2', '192.0.2.0/31', 'two.example', '192.0.2.2'], {
      ports: [1, 2],
    });
    expect(await all(s)).toEqual([
      '0 192.0.2.2:1',
      '1 192.0.2.2:2',
      '2 192.0.2.0:1',
      '3 192.0.2.0:2',
      '4 192.0.2.1:1',
      '5 192.0.2.1:2',
      '6 192.0.2.3:1',
      '7 192.0.2.3:2',
    ]);
    expect(s.read).toBe(8);
    expect(s.names.get('192.0.2.3')).toBe('two.example');
  });
  it('leaves out the excludes, names and skips bad lines', async () => {
    const exclude = TargetSpace.from([{ family: 4, start: 0xc0000201n, end: 0xc0000201n }]);
    const { s, warnings } = stream(['192.0.2.1', 'bad spec!', '2001:db8::1', '192.0.2.0/4'], {
      exclude,
    });
    expect(await all(s)).toEqual(['0 2001:db8::1:4369']);
    expect(s.skipped).toBe(2);
    expect(warnings[0]).toMatch(/^skipped: in:bad spec!: invalid target/);
    expect(warnings[1]).toMatch(/16,777,216 addresses at most/);
  });
});

describe('the seen set', () => {
  it('says new exactly once per address (property, against a Set)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.nat(300), fc.constant(0xffffffff), fc.nat())), (xs) => {
        const seen = new SeenSet();
        const truth = new Set<number>();
        for (const x of xs) {
          expect(seen.addV4(x)).toBe(!truth.has(x));
          truth.add(x);
        }
        return seen.size === truth.size;
      }),
    );
  });
  it('stops remembering at its bound: memory stays bounded, later duplicates pass', () => {
    const seen = new SeenSet(1000);
    for (let i = 0; i < 5000; i++) seen.addV4(i);
    expect(seen.size).toBe(1000);
    expect(seen.full).toBe(true);
    expect(seen.addV4(10)).toBe(false);
    expect(seen.addV4(4000)).toBe(true);
    expect(seen.addV4(4000)).toBe(true);
  });
});
