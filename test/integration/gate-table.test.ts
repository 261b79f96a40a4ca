// Issue #15, points 5 and 7: a gate that sees new nodes (and, when asked,
// reachable nodes and accepted cookies), a run that would scan nothing, and
// a table whose rows appear as exposures are found.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { type FakeServer, fakeServer, header } from '../helpers/fake-server.js';
import { waitFor } from '../helpers/real-epmd.js';

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-gate-'));
let two: FakeServer;
let silent: FakeServer;
beforeAll(async () => {
  // An EPMD listing rabbit and, since yesterday, couchdb.
  two = await fakeServer(async (socket, request) => {
    await request;
    socket.end(
      Buffer.concat([
        header(4369),
        Buffer.from('name rabbit at port 25672\nname couchdb at port 9100\n'),
      ]),
    );
  });
  silent = await fakeServer(() => undefined);
});
afterAll(async () => {
  await two.close();
  await silent.close();
});

describe('the gate sees nodes', () => {
  const baseline = join(dir, 'yesterday.csv');
  beforeAll(() => {
    writeFileSync(
      baseline,
      `"timestamp","severity","ip","protocol","port","hostname","tag","asn","geo","region","city","naics","hostname_source","sector","nodes"\n"2026-11-22 00:00:00","high","127.0.0.1","tcp",${two.port},,"epmd",,,,,,,,"rabbit,25672"\n`,
    );
  });
  it('--fail-on-exposed trips on a new node of a known exposure (exit 1), and says so with -q', async () => {
    const r = await runCli([
      '127.0.0.1',
      '-p',
      String(two.port),
      '-n',
      '--baseline',
      baseline,
      '--fail-on-exposed',
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('baseline: 1 exposure read; new 0, gone 0, changed 1, allowed 0');
    expect(r.stderr).toContain(`~ 127.0.0.1:${two.port} +couchdb`);
    expect(r.stderr).toContain('gate tripped (exit 1): new node on a known exposure 1');
    const quiet = await runCli([
      '127.0.0.1',
      '-p',
      String(two.port),
      '-n',
      '--baseline',
      baseline,
      '--fail-on-exposed',
      '-q',
    ]);
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toBe(
      `epmd-scan: 1 known exposure(s) with new nodes: 127.0.0.1:${two.port}\n`,
    );
  });
  it('--fail-on new-exposure alone lets the new node pass', async () => {
    const r = await runCli([
      '127.0.0.1',
      '-p',
      String(two.port),
      '-n',
      '--baseline',
      baseline,
      '--fail-on',
      'new-exposure',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('gate passed (new-exposure)');
  });
  it('--fail-on names what is wrong when a kind is unknown', async () => {
    const r = await runCli(['127.0.0.1', '--fail-on', 'new-exposure,everything']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /'everything' is not one of new-exposure, new-node, reachable-node, accepted-cookie/,
    );
  });
  it('a run whose every target is excluded is refused, not reported clean', async () => {
    const r = await runCli(['127.0.0.1', '--exclude', '127.0.0.0/8', '--fail-on-exposed']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('every target is excluded');
  });
});

describe('the table streams', () => {
  it('an exposure is on stdout while the scan is still going', async () => {
    const run = startCli([
      '127.0.0.1',
      '-p',
      `${two.port},${silent.port}`,
      '-c',
      '1',
      '--timeout',
      '20000',
      '-n',
      '-f',
      'table',
    ]);
    const before = silent.received.length;
    let out = '';
    run.child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    // The exposure comes first; the silent target then holds the scan open.
    await waitFor('the row of the exposure', async () => out.includes('rabbit:25672'));
    await waitFor('the silent target to be probed', async () => silent.received.length > before);
    expect(run.child.exitCode).toBeNull();
    run.child.kill('SIGINT');
    const r = await run.result;
    expect(r.code).toBe(130);
    expect(r.stdout.split('\n')[0]).toMatch(/^legend: .*\* its distribution port was reached/);
  });
});

describe('-f html', () => {
  it('a node name full of markup is text in the page, never markup', async () => {
    const evil = await fakeServer(async (socket, request) => {
      await request;
      socket.end(
        Buffer.concat([header(4369), Buffer.from('name <script>alert(1)</script> at port 9\n')]),
      );
    });
    try {
      const out = join(dir, 'r.html');
      const r = await runCli(['127.0.0.1', '-p', String(evil.port), '-n', '--html', out]);
      expect(r.code).toBe(0);
      const page = readFileSync(out, 'utf8');
      expect(page).not.toContain('<script>');
      expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;:9');
      expect(page).not.toMatch(/https?:\/\//);
    } finally {
      await evil.close();
    }
  });
});
