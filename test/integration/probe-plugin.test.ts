// A probe kind from outside src/: test/fixtures/toy-probe.js registers one
// through the public API (the built package), and a scan uses it end to end:
// its per-target request, its statuses and exposures, its records on the
// calling thread and from worker threads (which import the kind's module),
// and every report, the gate and the summary rendering it through the
// registry. Nothing in src/ knows the toy.

import { describe, expect, it } from 'vitest';
import type { ProbeKind, ScanRecord } from '../../dist/index.js';
import {
  csvFormatter,
  htmlFormatter,
  ndjsonFormatter,
  probeKinds,
  registerProbe,
  sarifFormatter,
  scan,
  tableFormatter,
} from '../../dist/index.js';
import { fakeServer } from '../helpers/fake-server.js';
import { freePort } from '../helpers/real-epmd.js';

const TOY_MODULE = new URL('../fixtures/toy-probe.js', import.meta.url).href;
const { toyKind } = (await import(TOY_MODULE)) as { toyKind: ProbeKind };

/** A toy peer: answers `toy!<what it was asked>`, or `toy!!` to be shouted at. */
async function toyPeer(shout = false) {
  return fakeServer(async (socket, request) => {
    const asked = (await request).toString('latin1').trim();
    socket.end(`${shout ? 'toy!!' : 'toy!'} ${asked}\n`);
  });
}

async function records(options: Parameters<typeof scan>[0]): Promise<ScanRecord[]> {
  const out: ScanRecord[] = [];
  for await (const r of scan(options)) out.push(r);
  return out.sort((a, b) => a.port - b.port);
}

describe('a probe kind registered from the test folder', () => {
  it('is in the registry beside names', () => {
    expect(probeKinds().map((k) => k.name)).toEqual(expect.arrayContaining(['names', 'toy']));
    // Importing the module again registers nothing twice.
    registerProbe(toyKind);
  });

  it('refuses a second kind of the same name, or one that takes a status already taken', () => {
    expect(() => registerProbe({ ...toyKind })).toThrow(/'toy' is registered already/);
    expect(() =>
      registerProbe({ ...toyKind, name: 'toy2', statuses: [{ name: 'epmd', exposed: true }] }),
    ).toThrow(/status 'epmd' is taken/);
  });

  it.each([
    0, 2,
  ])('scans with it (workers: %i): per-target request, its statuses', async (workers) => {
    const peer = await toyPeer();
    const closed = await freePort();
    const other = await fakeServer((socket) => {
      socket.end('HTTP/1.1 400 Bad\r\n\r\n');
    });
    const gauges = { inFlight: 0, workers: 0 };
    try {
      const rs = await records({
        targets: ['127.0.0.1'],
        ports: [peer.port, closed, other.port].sort((a, b) => a - b),
        probe: 'toy',
        workers,
        gauges,
      });
      expect(gauges.workers).toBe(workers);
      const byPort = new Map(rs.map((r) => [r.port, r]));
      expect(byPort.get(peer.port)).toMatchObject({
        probe: 'toy',
        status: 'toy',
        exposed: true,
        detail: { reply: `toy! toy? 127.0.0.1 ${peer.port}` },
      });
      expect(byPort.get(closed)).toMatchObject({ status: 'refused', exposed: false, detail: null });
      expect(byPort.get(other.port)).toMatchObject({
        status: 'not-toy',
        error: 'not-a-toy',
        exposed: false,
      });
      // The request was built for its target.
      expect(peer.received[0]?.toString()).toBe(`toy? 127.0.0.1 ${peer.port}\n`);
    } finally {
      await peer.close();
      await other.close();
    }
  });

  it('a kind registered without a module is scanned on the calling thread only', async () => {
    // The toy under another name, its statuses renamed, and no module for a worker to import.
    const local: ProbeKind = {
      ...toyKind,
      name: 'toy-here',
      module: undefined,
      statuses: [
        { name: 'here-toy', exposed: true },
        { name: 'here-not-toy', exposed: false },
      ],
      probe: (plan, env) => {
        const toy = toyKind.probe(plan, env);
        return {
          ...toy,
          record: (target, verdict) => {
            const r = toy.record(target, verdict);
            return { ...r, probe: 'toy-here', status: r.exposed ? 'here-toy' : r.status };
          },
        };
      },
    };
    registerProbe(local);
    const peer = await toyPeer();
    const gauges = { inFlight: 0, workers: 0 };
    try {
      const rs = await records({
        targets: ['127.0.0.1'],
        ports: [peer.port, await freePort()].sort((a, b) => a - b),
        probe: 'toy-here',
        workers: 2,
        gauges,
      });
      expect(gauges.workers).toBe(0);
      expect(rs.map((r) => [r.probe, r.status, r.exposed])).toEqual(
        expect.arrayContaining([
          ['toy-here', 'here-toy', true],
          ['toy-here', 'refused', false],
        ]),
      );
    } finally {
      await peer.close();
    }
  });

  it('its assessment raises the severity and names the risk', async () => {
    const peer = await toyPeer(true);
    try {
      const [r] = await records({ targets: ['127.0.0.1'], ports: [peer.port], probe: 'toy' });
      expect(r).toMatchObject({ severity: 'critical', risks: ['the toy shouts'] });
    } finally {
      await peer.close();
    }
  });

  it('renders in every report through its registration', async () => {
    const peer = await toyPeer();
    try {
      const [r] = await records({ targets: ['127.0.0.1'], ports: [peer.port], probe: 'toy' });
      const exposure = r as ScanRecord;
      const reply = `toy! toy? 127.0.0.1 ${peer.port}`;

      const csv = csvFormatter({ probe: 'toy' });
      expect(csv.header()).toBe('"timestamp","ip","port","severity","tag","reply"\n');
      const row = csv.format(exposure);
      expect(row.slice(row.indexOf(','))).toBe(
        `,"127.0.0.1",${peer.port},"high","toy","${reply}"\n`,
      );

      const json = JSON.parse(ndjsonFormatter().format(exposure));
      expect(json).toMatchObject({ probe: 'toy', status: 'toy', exposed: true, reply, tag: 'toy' });

      const table = tableFormatter({ probe: 'toy' });
      expect(table.header()).toContain('legend: REPLY is what the toy said');
      // Its fixed-width column after TARGET, its unbounded one last.
      expect(table.header()).toMatch(/TARGET +KIND {2}HOSTNAME +REPLY\n$/);
      expect(table.format(exposure)).toMatch(
        new RegExp(`^127\\.0\\.0\\.1:\\d+ +toy {3}.*${reply.slice(0, 8)}`),
      );
      expect(tableFormatter({ probe: 'toy' }).footer()).toBe('No toy answering found.\n');

      const html = htmlFormatter({ probe: 'toy', now: () => new Date(0) });
      html.format(exposure);
      const page = html.footer();
      expect(page).toContain('<th>reply</th>');
      expect(page).toContain(`<code>${reply}</code> <small>(a toy)</small>`);
      expect(page).toContain('epmd-scan report: 1 toy answering');
      expect(page).toMatch(/<li id="fix-1" value="1">put the toy away <small>\(1 exposure\)/);
      expect(page).toContain('<li>toys are for children</li>');

      // No SARIF rules of its own: one rule for every exposure of the kind.
      const sarif = sarifFormatter({ probe: 'toy' });
      const doc = JSON.parse(sarif.header() + sarif.format(exposure) + sarif.footer());
      expect(doc.runs[0].tool.driver.rules.map((x: { id: string }) => x.id)).toEqual([
        'exposed-toy',
      ]);
      expect(doc.runs[0].results[0]).toMatchObject({
        ruleId: 'exposed-toy',
        message: {
          text: expect.stringMatching(/^Toy answering at 127\.0\.0\.1:\d+ listing nodes toy! /),
        },
      });
    } finally {
      await peer.close();
    }
  });
});
