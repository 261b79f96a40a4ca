// The pipeline users run at scale: zmap finds open 4369s, epmd-scan tells
// which are EPMDs and what they list, probing each line as zmap writes it.
//
// In the bench's lab (bench/lab.js): two namespaces joined by a veth pair; in
// the target namespace a /24 whose addresses refuse but for three, where a
// real epmd with a real node listens. zmap runs in the scanner namespace on
// its own source address (the scanner's kernel would answer its SYN-ACKs with
// RST: iptables drops those there), with no configuration file, an empty
// blocklist and an allowlist of that /24 alone: the namespace's only link is
// the veth, so it can send nowhere else.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { REQUIRE_REAL } from '../helpers/real-epmd.js';

interface Lab {
  inScanner(argv: string[]): string[];
  startEpmd(nodes: string[]): Promise<void>;
  teardown(): void;
}
interface ZmapFiles {
  conf: string;
  empty: string;
  allow: string;
}
interface LabModule {
  createLab(): Lab;
  labAvailable(extra?: [string, string[]][]): string | null;
  zmapAvailable(): string | null;
  zmapFiles(dir: string, cidr: string): ZmapFiles;
  zmapArgs(lab: Lab, o: { rate: number; cooldown: number; files: ZmapFiles }): string[];
  EPMD_IPS: string[];
  EPMD_NET: string;
}
const LAB = fileURLToPath(new URL('../../bench/lab.js', import.meta.url));
const lab = (await import(LAB)) as LabModule;

const why = lab.labAvailable([['erl', ['-version']]]) ?? lab.zmapAvailable();
if (why && REQUIRE_REAL) throw new Error(`EPMD_SCAN_REQUIRE_REAL=1 but the zmap lab ${why}`);
if (why) console.warn(`SKIPPED the zmap | epmd-scan pipeline: the lab ${why}`);

describe.runIf(!why)('zmap -p 4369 ... | epmd-scan -iL -', () => {
  let net: Lab;
  let dir: string;
  beforeAll(async () => {
    net = lab.createLab();
    dir = mkdtempSync(join(tmpdir(), 'epmd-scan-zmap-'));
    await net.startEpmd(['rabbit']);
  }, 60_000);
  afterAll(() => {
    net?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds exactly the real EPMDs, with their node', async () => {
    const files = lab.zmapFiles(dir, lab.EPMD_NET);
    const zmap = lab.zmapArgs(net, { rate: 2000, cooldown: 1, files });
    const quote = (a: string) => `'${a.replace(/'/g, "'\\''")}'`;
    const pipeline = `${zmap.map(quote).join(' ')} | ${[process.execPath, BIN, '-iL', '-', '-f', 'ndjson', '-n'].map(quote).join(' ')}`;
    const [cmd, ...args] = net.inScanner(['sh', '-c', pipeline]);
    const r = spawnSync(cmd as string, args, { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((x) => x.ip).sort()).toEqual([...lab.EPMD_IPS].sort());
    for (const x of records) {
      expect(x.status).toBe('epmd');
      expect(x.nodes.map((n: { name: string }) => n.name)).toEqual(['rabbit']);
    }
    // zmap wrote only the open ones: three targets probed, no refusal among them.
    expect(r.stderr).toMatch(/done: 3 of 3 targets/);
    expect(r.stderr).toMatch(/epmd 3\b/);
  });
});
