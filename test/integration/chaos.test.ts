// The exactly-once invariant under random interruptions (issue #11): the
// chaos lab of bench/chaos.js (npm run chaos), run with a fixed seed and at
// least 30 interruptions of mixed kinds. It needs root, iproute2, iptables
// and erlang-base; without them it skips with a message, except in CI
// (EPMD_SCAN_REQUIRE_REAL=1), where that is a failure.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REQUIRE_REAL } from '../helpers/real-epmd.js';

const CHAOS = fileURLToPath(new URL('../../bench/chaos.js', import.meta.url));
const { chaosUnavailable } = (await import(CHAOS)) as { chaosUnavailable: () => string | null };
const why = chaosUnavailable();
if (why && REQUIRE_REAL) throw new Error(`EPMD_SCAN_REQUIRE_REAL=1 but the chaos lab ${why}`);
if (why) console.warn(`SKIPPED the chaos test: it ${why}`);

interface Tally {
  interruptions: number;
  kinds: Record<string, number>;
  runs: number;
  records: number;
  duplicates: number;
  losses: number;
  problems: string[];
  pipe: { interruptions: number; kinds: Record<string, number>; losses: number; resent: number };
}

describe.runIf(!why)('chaos: interrupted and resumed until done', () => {
  it('loses nothing and repeats nothing over 30+ interruptions of every kind', () => {
    // It exits 1 when it finds a problem; the tally says which.
    const run = spawnSync(
      process.execPath,
      [CHAOS, '--rounds', '32', '--pipe-rounds', '4', '--seed', 'ci', '--json'],
      { encoding: 'utf8', timeout: 400_000 },
    );
    expect(run.stdout, run.stderr).not.toBe('');
    const tally = JSON.parse(run.stdout) as Tally;
    expect(tally.problems).toEqual([]);
    expect(tally.interruptions).toBeGreaterThanOrEqual(30);
    for (const kind of ['SIGINT', 'SIGINT2', 'SIGTERM', 'SIGKILL', 'ENOSPC']) {
      expect(tally.kinds[kind] ?? 0, kind).toBeGreaterThan(0);
    }
    expect(tally.runs).toBeGreaterThanOrEqual(1);
    expect(tally.records).toBe(tally.runs * 4096);
    expect(tally.duplicates).toBe(0);
    expect(tally.losses).toBe(0);
    expect(tally.pipe.interruptions).toBeGreaterThan(0);
    expect(tally.pipe.losses).toBe(0);
    console.log(
      `chaos: ${tally.interruptions} interruptions ${JSON.stringify(tally.kinds)}, ${tally.runs} runs, ${tally.records} records, ${tally.duplicates} duplicates, ${tally.losses} losses; pipe ${JSON.stringify(tally.pipe)}`,
    );
  }, 420_000);
});
