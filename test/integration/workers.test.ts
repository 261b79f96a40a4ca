// Scans split over worker threads, on loopback: the same records as one
// thread, each position exactly once, enrichment on the main thread, Ctrl-C
// and --resume, a consumer that stops early.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodesOf } from '../../src/probes/names/index.js';
import type { ScanRecord } from '../../src/record.js';
import type { PositionedRecord, ScanOptions } from '../../src/scan/options.js';
import { planScan } from '../../src/scan/plan.js';
import { scanPlanned, scanPositioned } from '../../src/scan/scan.js';
import { csvLines, interruptWhen, runCli } from '../helpers/cli.js';
import { type FakeServer, fakeServer, rabbitEpmd } from '../helpers/fake-server.js';
import { freePort, type RealEpmd, realPeersOrSkip, startEpmd } from '../helpers/real-epmd.js';

let epmd: FakeServer;
let closed: number;
let dir: string;
beforeAll(async () => {
  epmd = await rabbitEpmd();
  closed = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'epmd-scan-workers-'));
});
afterAll(async () => {
  await epmd.close();
  rmSync(dir, { recursive: true, force: true });
});

async function collect(options: ScanOptions): Promise<PositionedRecord[]> {
  const out: PositionedRecord[] = [];
  for await (const r of scanPositioned(options)) out.push(r);
  return out.sort((a, b) => a.position - b.position);
}

/** What must not depend on the thread a probe ran in. */
const essence = (r: PositionedRecord) => {
  const { timestamp, ...rest } = r.record;
  return { position: r.position, ...rest };
};

describe('a scan over worker threads', () => {
  // 1,024 loopback addresses x 2 ports: one fake epmd (127.0.0.1 only), every
  // other pair refused at once by the kernel.
  const base = (): ScanOptions => ({
    targets: ['127.0.0.0/22'],
    ports: [epmd.port, closed],
    concurrency: 256,
    connectTimeout: 2000,
    timeout: 5000,
  });

  it('reports each position once, exactly as one thread does', async () => {
    const one = await collect({ ...base(), workers: 0 });
    const two = await collect({ ...base(), workers: 2 });
    expect(one).toHaveLength(2048);
    expect(two.map((r) => r.position)).toEqual(one.map((r) => r.position));
    expect(two.map(essence)).toEqual(one.map(essence));
    const exposed = two.filter((r) => r.record.exposed);
    expect(exposed.map((r) => `${r.record.ip}:${r.record.port}`)).toEqual([
      `127.0.0.1:${epmd.port}`,
    ]);
    expect(nodesOf(exposed[0]?.record as ScanRecord)).toEqual([{ name: 'rabbit', port: 25672 }]);
  });

  it('walks a shuffled shard, from a resume point, as one thread does', async () => {
    const options = { ...base(), shuffle: 'threads', shard: { index: 2, total: 3 }, startAt: 100 };
    const one = await collect({ ...options, workers: 0 });
    const three = await collect({ ...options, workers: 3 });
    expect(one[0]?.position).toBe(100);
    expect(three.map(essence)).toEqual(one.map(essence));
  });

  it('enriches exposures on the main thread, with severity and risk as set', async () => {
    const seen: string[] = [];
    const records = await collect({
      ...base(),
      workers: 2,
      severity: 'medium',
      enrich: async (r) => {
        seen.push(r.ip);
        r.sector = 'Lab';
      },
    });
    const exposed = records.filter((r) => r.record.exposed);
    expect(seen).toEqual(['127.0.0.1']);
    expect(exposed[0]?.record).toMatchObject({ sector: 'Lab', severity: 'medium' });
    expect(records.every((r) => r.record.severity === 'medium')).toBe(true);
  });

  it('counts plain records with a tally instead of yielding them, on one thread and on two', async () => {
    for (const workers of [0, 2]) {
      const plan = await planScan({ ...base(), workers });
      const tallied = new Map<number, string>();
      plan.tally = (position, status) => {
        expect(tallied.has(position)).toBe(false);
        tallied.set(position, status);
      };
      const yielded: PositionedRecord[] = [];
      for await (const r of scanPlanned(plan)) yielded.push(r);
      // Only the exposure is made and yielded; every refusal is counted, once.
      expect(yielded.map((r) => `${r.record.ip}:${r.record.port}`)).toEqual([
        `127.0.0.1:${epmd.port}`,
      ]);
      expect(tallied.size).toBe(2047);
      expect(new Set(tallied.values())).toEqual(new Set(['refused']));
      const positions = [...tallied.keys(), (yielded[0] as PositionedRecord).position];
      expect(positions.sort((a, b) => a - b)).toEqual(Array.from({ length: 2048 }, (_, i) => i));
    }
  });

  it('ends the workers when the consumer stops early', async () => {
    let taken = 0;
    for await (const _ of scanPositioned({ ...base(), workers: 2 })) {
      taken++;
      if (taken === 10) break;
    }
    expect(taken).toBe(10);
  });

  it('stops on the signal and keeps what finished', async () => {
    const silent = await fakeServer(() => undefined);
    try {
      const ac = new AbortController();
      const records: PositionedRecord[] = [];
      for await (const r of scanPositioned({
        targets: ['127.0.0.0/22'],
        ports: [silent.port, closed],
        concurrency: 256,
        timeout: 60_000,
        connectTimeout: 60_000,
        workers: 2,
        signal: ac.signal,
      })) {
        records.push(r);
        if (silent.received.length > 0 && records.length >= 2047) ac.abort();
      }
      // Everything but the silent server's own pair; that one was cut short.
      expect(records).toHaveLength(2047);
      expect(new Set(records.map((r) => r.position)).size).toBe(2047);
      expect(
        records.some((r) => r.record.port === silent.port && r.record.ip === '127.0.0.1'),
      ).toBe(false);
    } finally {
      await silent.close();
    }
  });
});

/**
 * The /22 on two workers, the second port a silent server, cut by Ctrl-C
 * once that server is reached: the run's arguments and what its checkpoint counts.
 */
async function interruptedScan(silent: FakeServer, name: string, format: string[]) {
  const out = join(dir, `${name}.out`);
  const ckpt = join(dir, `${name}.ckpt`);
  const args = ['127.0.0.0/22', '-p', `${epmd.port},${silent.port}`, '--workers', '2'];
  args.push('-o', out, '--resume', ckpt, ...format);
  const interrupt = interruptWhen(() => silent.received.length > 0);
  const first = await runCli([...args, '--timeout', '60000'], { onSpawn: interrupt.onSpawn });
  expect(interrupt.sent()).toBe(true);
  expect(first.code).toBe(130);
  const cp = JSON.parse(readFileSync(ckpt, 'utf8'));
  expect(cp.size).toBe(2048);
  // The silent pair is position 3 (127.0.0.1, second port): the mark waits there.
  expect(cp.completed).toBe(3);
  const counted: number =
    cp.completed + cp.done.reduce((n: number, [a, b]: [number, number]) => n + b - a, 0);
  return { args, out, ckpt, cp, counted };
}

describe('the CLI over worker threads', () => {
  it('rejects a bad --workers value, naming it', async () => {
    const r = await runCli(['127.0.0.1', '--workers', 'many']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--workers/);
    expect(r.stderr).toMatch(/auto or a whole number/);
  });

  it('Ctrl-C writes what it has and a checkpoint; --resume finishes the rest', async () => {
    const silent = await fakeServer(() => undefined);
    try {
      const { args, out, ckpt, counted } = await interruptedScan(silent, 'report', [
        '-f',
        'ndjson',
        '--all',
      ]);
      const firstRows = csvLines(readFileSync(`${out}.partial`, 'utf8')).map((l) => JSON.parse(l));
      expect(firstRows.length).toBeGreaterThanOrEqual(3);
      expect(firstRows.length).toBeLessThan(2048);
      // The partial holds exactly what the checkpoint counts: the mark plus the ranges above it.
      expect(firstRows).toHaveLength(counted);

      const second = await runCli([...args, '--timeout', '200']);
      expect(second.code).toBe(0);
      expect(second.stderr).toMatch(new RegExp(`resuming: ${counted} of 2,?048 targets done`));
      const rows = csvLines(readFileSync(out, 'utf8')).map((l) => JSON.parse(l));
      const pairs = new Set(rows.map((r: { ip: string; port: number }) => `${r.ip}:${r.port}`));
      expect(pairs.size).toBe(2048); // every pair reported, across the two runs
      expect(rows).toHaveLength(2048); // and each exactly once
      expect(rows.filter((r: { status: string }) => r.status === 'epmd')).toHaveLength(1);
      expect(JSON.parse(readFileSync(ckpt, 'utf8'))).toMatchObject({
        completed: 2048,
        size: 2048,
      });
    } finally {
      await silent.close();
    }
  });
});

describe('the CLI counting refusals without their records', () => {
  it('Ctrl-C and --resume count every target once, in the checkpoint and the summary', async () => {
    const silent = await fakeServer(() => undefined);
    try {
      // CSV without --all: a refusal makes no row, so none is made at all.
      const { args, out, ckpt, cp, counted } = await interruptedScan(silent, 'counted', []);
      expect(cp.stats.done).toBe(counted);

      const second = await runCli([...args, '--timeout', '200']);
      expect(second.code).toBe(0);
      expect(second.stderr).toMatch(new RegExp(`resuming: ${counted} of 2,?048 targets done`));
      expect(second.stderr).toMatch(/refused 2,?046/);
      const done = JSON.parse(readFileSync(ckpt, 'utf8'));
      expect(done).toMatchObject({ completed: 2048, size: 2048 });
      expect(done.stats.done).toBe(2048);
      expect(done.stats.byStatus).toMatchObject({ refused: 2046, epmd: 1, timeout: 1 });
      const [header, ...rows] = csvLines(readFileSync(out, 'utf8'));
      expect(header).toMatch(/^"?timestamp/);
      expect(rows).toHaveLength(1); // the one exposure, once
      expect(rows[0]).toContain(`127.0.0.1`);
    } finally {
      await silent.close();
    }
  });
});

const real = realPeersOrSkip();

describe.runIf(real)('worker threads against a real epmd', () => {
  let erl: RealEpmd;
  beforeAll(async () => {
    erl = await startEpmd();
    await Promise.all(['rabbit', 'couchdb'].map((n) => erl.startNode(n)));
  });
  afterAll(async () => {
    await erl?.stop();
  });

  it('reports the nodes, their details and risk as one thread does', async () => {
    const options: ScanOptions = {
      targets: ['127.0.0.0/24'],
      ports: [erl.port, closed],
      nodeInfo: true,
      checkDist: true,
    };
    const one = await collect({ ...options, workers: 0 });
    const two = await collect({ ...options, workers: 2 });
    expect(two.map(essence)).toEqual(one.map(essence));
    const exposed = two.filter((r) => r.record.exposed);
    expect(exposed).toHaveLength(1);
    const nodes = new Map(nodesOf(exposed[0]?.record as ScanRecord).map((n) => [n.name, n]));
    expect(new Map([...nodes].map(([k, v]) => [k, v.port]))).toEqual(erl.names());
    expect([...nodes.values()].every((n) => n.type === 'normal' && n.distReachable)).toBe(true);
    expect(exposed[0]?.record.severity).toBe('critical');
  });
});

describe('the gauges of a scan (--metrics)', () => {
  it.each([
    0, 2,
  ])('workers %i: the threads, and the probes in flight over all of them', async (workers) => {
    const silent = await fakeServer(() => undefined);
    try {
      const gauges = { inFlight: 0, workers: -1 };
      let most = 0;
      let count = 0;
      for await (const _ of scanPositioned({
        targets: ['127.0.0.0/24'],
        ports: [closed, silent.port],
        concurrency: 128,
        timeout: 500,
        workers,
        gauges,
      })) {
        count++;
        most = Math.max(most, gauges.inFlight);
        expect(gauges.inFlight).toBeLessThanOrEqual(128);
      }
      expect(count).toBe(512);
      expect(gauges.workers).toBe(workers);
      // 127.0.0.1 on the silent port holds a probe until its timeout.
      expect(most).toBeGreaterThanOrEqual(1);
      expect(gauges.inFlight).toBe(0);
    } finally {
      await silent.close();
    }
  });
});
