// Every column Shadowserver fills, filled for real: inside a network namespace
// this test creates, a real epmd listens on an address that MaxMind's test
// databases know, whose PTR name comes from the namespace's own hosts file
// through the system resolver, and which lies in an asset-map range.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { HAVE_MMDB, mmdb, mmdbOrSkip } from '../helpers/fixtures.js';
import { createNetns, type Netns, netnsOrSkip } from '../helpers/netns.js';
import { EPMD, freePort, realPeersOrSkip } from '../helpers/real-epmd.js';

const ready = mmdbOrSkip() && netnsOrSkip('enrichment in a namespace') && realPeersOrSkip();
const IP = '216.160.83.56'; // US / Washington / Milton, AS209 in the test databases

describe.runIf(ready && HAVE_MMDB)('a fully enriched exposure', () => {
  let ns: Netns;
  let epmd: ChildProcess;
  let port: string;
  const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-enrich-'));
  const inNs = (args: string[]) =>
    execFileSync(ns.exec[0] as string, [...ns.exec.slice(1), process.execPath, BIN, ...args], {
      encoding: 'utf8',
      timeout: 20_000,
    });

  beforeAll(async () => {
    ns = createNetns();
    ns.ip('addr', 'add', `${IP}/32`, 'dev', 'lo');
    ns.hosts(`127.0.0.1 localhost\n${IP} mq.milton.example\n`);
    port = String(await freePort());
    epmd = spawn(ns.exec[0] as string, [...ns.exec.slice(1), EPMD as string, '-port', port], {
      stdio: 'ignore',
    });
  });
  afterAll(() => {
    if (epmd?.pid) process.kill(epmd.pid, 'SIGKILL');
    ns?.remove();
  });

  it('fills hostname (PTR), asn, geo, region, city, naics and sector', async () => {
    const assets = join(dir, 'assets.csv');
    writeFileSync(
      assets,
      'cidr,sector,naics\n216.160.0.0/16,Communications,517311\n216.160.83.0/24,Energy,221122\n',
    );
    const args = [
      IP,
      '-p',
      port,
      '--city-db',
      mmdb('GeoLite2-City-Test.mmdb'),
      '--asn-db',
      mmdb('GeoLite2-ASN-Test.mmdb'),
      '--asset-map',
      assets,
      '-q',
    ];
    let out = inNs(args);
    // epmd may still be starting: retry a bounded number of times.
    for (let i = 0; i < 100 && out.split('\n').filter(Boolean).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
      out = inNs(args);
    }
    const rows = parse(out, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      severity: 'high',
      ip: IP,
      protocol: 'tcp',
      port,
      hostname: 'mq.milton.example',
      tag: 'epmd',
      asn: '209',
      geo: 'US',
      region: 'Washington',
      city: 'Milton',
      naics: '221122',
      hostname_source: 'ptr',
      sector: 'Energy',
      nodes: '',
    });
    // And the raw line keeps Shadowserver's quoting: numbers bare.
    expect(out.split('\n')[1]).toContain(
      `,"mq.milton.example","epmd",209,"US","Washington","Milton",221122,"ptr","Energy",`,
    );
  });

  it('-n leaves the hostname empty; the environment variables name the databases', () => {
    const out = execFileSync(
      ns.exec[0] as string,
      [...ns.exec.slice(1), process.execPath, BIN, IP, '-p', port, '-n', '-q'],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          EPMD_SCAN_CITY_DB: mmdb('GeoLite2-City-Test.mmdb'),
          EPMD_SCAN_ASN_DB: mmdb('GeoLite2-ASN-Test.mmdb'),
        },
      },
    );
    const row = (parse(out, { columns: true }) as Record<string, string>[])[0];
    expect(row).toMatchObject({
      hostname: '',
      hostname_source: '',
      asn: '209',
      geo: 'US',
      city: 'Milton',
    });
  });
});
