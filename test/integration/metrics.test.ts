// --metrics: the CLI serves /metrics in Prometheus's text format while it
// scans; a scrape mid-scan parses and finds the counters moving.

import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { type FakeServer, fakeServer, rabbitEpmd } from '../helpers/fake-server.js';
import { freePort } from '../helpers/real-epmd.js';

/** Samples by `name{labels}`; throws on a line that is not the text format. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        expect(meta[3]).toMatch(/^(counter|gauge|histogram|summary|untyped)$/);
        typed.add(meta[2] as string);
      }
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not the Prometheus text format: ${line}`);
    const name = sample[1] as string;
    const family = name.replace(/_(bucket|sum|count)$/, '');
    if (!typed.has(name) && !typed.has(family)) throw new Error(`no # TYPE for ${name}`);
    samples.set(`${name}${sample[2] ?? ''}`, Number(sample[3]));
  }
  return samples;
}

async function scrape(url: string): Promise<Map<string, number>> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

/** Scrapes until `ready` holds, at most `tries` times, each after the previous answer. */
async function scrapeUntil(
  url: string,
  ready: (m: Map<string, number>) => boolean,
  tries = 200,
): Promise<Map<string, number>> {
  let last = new Map<string, number>();
  for (let i = 0; i < tries; i++) {
    last = await scrape(url);
    if (ready(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`metrics never got there: ${JSON.stringify([...last])}`);
}

let silent: FakeServer;
let epmd: FakeServer;
let dir: string;
beforeAll(async () => {
  // Accepts and never answers: its probe stays in flight until the scan is stopped.
  silent = await fakeServer(() => undefined);
  epmd = await rabbitEpmd();
  dir = mkdtempSync(join(tmpdir(), 'epmd-scan-metrics-'));
});
afterAll(async () => {
  await silent.close();
  await epmd.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('--metrics', () => {
  it('serves moving counters mid-scan, on the address given', async () => {
    const closed = await freePort();
    // 64 addresses x 3 ports at 40 new connections a second: about 5 s of
    // scan; 127.0.0.1 answers on the epmd port and stays silent on another.
    const { child, result, stderr } = startCli([
      '127.0.0.1-127.0.0.64',
      '-p',
      `${closed},${silent.port},${epmd.port}`,
      '--rate',
      '40',
      '--timeout',
      '60000',
      '-n',
      '--metrics',
      '127.0.0.1:0',
      '--resume',
      join(dir, 'scan.ckpt'),
      '-o',
      join(dir, 'report.csv'),
    ]);
    let url = '';
    for (let i = 0; i < 300 && !url; i++) {
      url = /metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(stderr())?.[1] ?? '';
      if (!url) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(url).not.toBe('');
    try {
      const first = await scrapeUntil(url, (m) => (m.get('epmd_scan_targets_done') ?? 0) > 0);
      expect(first.get('epmd_scan_targets_total')).toBe(192);
      expect(first.get('epmd_scan_workers')).toBe(0);
      const refused = first.get('epmd_scan_probes_total{status="refused"}') ?? 0;
      const later = await scrapeUntil(
        url,
        (m) =>
          (m.get('epmd_scan_probes_total{status="refused"}') ?? 0) > refused &&
          (m.get('epmd_scan_exposures_total') ?? 0) === 1 &&
          (m.get('epmd_scan_in_flight') ?? 0) >= 1 &&
          (m.get('epmd_scan_checkpoint_targets') ?? 0) > 0,
      );
      expect(later.get('epmd_scan_targets_done')).toBeGreaterThan(
        first.get('epmd_scan_targets_done') as number,
      );
      expect(later.get('epmd_scan_targets_done')).toBeLessThan(192);
      expect(later.get('epmd_scan_probe_rate')).toBeGreaterThan(0);
      expect(later.get('epmd_scan_nodes_total')).toBe(1);
      expect(later.get('epmd_scan_probes_total{status="timeout"}')).toBe(0);
      expect(later.has('epmd_scan_process_resident_memory_bytes')).toBe(true);
      expect((await fetch(url.replace('/metrics', '/'))).status).toBe(404);
    } finally {
      child.kill('SIGINT');
    }
    const r = await result;
    expect(r.code).toBe(130);
  });
  it('-q: the address is not printed', async () => {
    const closed = await freePort();
    const r = await runCli(['127.0.0.1', '-p', String(closed), '-q', '--metrics', '127.0.0.1:0']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });
  it('a bad address or one in use: exit 2 before the first packet', async () => {
    const bad = await runCli(['127.0.0.1', '--metrics', 'localhost']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--metrics.*Expected <address>:<port>/);
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    const probed = epmd.received.length;
    try {
      const busy = await runCli([
        '127.0.0.1',
        '-p',
        String(epmd.port),
        '--metrics',
        `127.0.0.1:${port}`,
      ]);
      expect(busy.code).toBe(2);
      expect(busy.stderr).toMatch(/--metrics 127\.0\.0\.1:\d+: cannot listen there \(EADDRINUSE\)/);
      expect(busy.stdout).toBe('');
      expect(epmd.received).toHaveLength(probed);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});

describe("the README's Kubernetes Job", () => {
  it('annotates the port that --metrics listens on and the container exposes', async () => {
    const { parse } = await import('yaml');
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)]
      .map((m) => m[1] as string)
      .find((b) => b.startsWith('apiVersion: batch/v1'));
    const job = parse(block as string);
    const { annotations } = job.spec.template.metadata;
    const [container] = job.spec.template.spec.containers;
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(annotations['prometheus.io/path']).toBe('/metrics');
    const port = annotations['prometheus.io/port'];
    expect(container.args[0]).toContain(`--metrics 0.0.0.0:${port}`);
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: Number(port) }]);
    expect(container.args[0]).toMatch(/^exec epmd-scan /);
  });
});
