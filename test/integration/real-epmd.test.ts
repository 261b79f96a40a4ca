// Against a real epmd with real Erlang nodes: what epmd-scan reports must be
// exactly what `epmd -names` says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { namesDetail, nodesOf } from '../../src/probes/names/index.js';
import type { ScanRecord } from '../../src/record.js';
import { scan } from '../../src/scan/scan.js';
import { csvLines, runCli } from '../helpers/cli.js';
import { type RealEpmd, realPeersOrSkip, startEpmd } from '../helpers/real-epmd.js';

const real = realPeersOrSkip();

describe.runIf(real)('a real epmd with three registered nodes', () => {
  let epmd: RealEpmd;
  beforeAll(async () => {
    epmd = await startEpmd();
    await Promise.all(['couchdb', 'rabbit', 'ejabberd'].map((n) => epmd.startNode(n)));
  });
  afterAll(async () => {
    await epmd?.stop();
  });

  it('the CLI writes exactly one CSV row whose nodes equal epmd -names', async () => {
    const names = epmd.names();
    expect(names.size).toBe(3);
    const { code, stdout, stderr } = await runCli([
      '127.0.0.1',
      '-p',
      String(epmd.port),
      '-n',
      '-q',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const rows = csvLines(stdout);
    expect(rows).toHaveLength(2);
    const row = rows[1] as string;
    expect(row).toMatch(
      new RegExp(
        `^"\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d","high","127\\.0\\.0\\.1","tcp",${epmd.port},,"epmd",,,,,,,,"`,
      ),
    );
    const nodesField = /,"([^"]*)"$/.exec(row)?.[1] ?? '';
    const reported = new Map(
      nodesField.split(';').map((n) => {
        const comma = n.lastIndexOf(',');
        return [n.slice(0, comma), Number(n.slice(comma + 1))] as const;
      }),
    );
    expect(reported).toEqual(names);
  });

  it("the library reports epmd's own port from the header, and each node's port", async () => {
    const records: ScanRecord[] = [];
    for await (const r of scan({ targets: ['127.0.0.1'], ports: [epmd.port] })) records.push(r);
    expect(records).toHaveLength(1);
    const r = records[0] as ScanRecord;
    expect(r.status).toBe('epmd');
    expect(r.error).toBeNull();
    expect(namesDetail(r)?.epmdPort).toBe(epmd.port);
    expect(new Map(nodesOf(r).map((n) => [n.name, n.port]))).toEqual(epmd.names());
  });

  it('follows registrations: a node that stops is gone from the next scan', async () => {
    const node = epmd.nodes.find((n) => n.name === 'ejabberd');
    expect(node?.process.pid).toBeDefined();
    const exited = new Promise((r) => node?.process.once('exit', r));
    process.kill(-(node?.process.pid as number), 'SIGKILL');
    await exited;
    // epmd notices the closed registration socket at once; poll a bounded number of times.
    let names = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      const records: ScanRecord[] = [];
      for await (const r of scan({ targets: ['127.0.0.1'], ports: [epmd.port] })) records.push(r);
      names = new Map(nodesOf(records[0] as ScanRecord).map((n) => [n.name, n.port]));
      if (!names.has('ejabberd')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect([...names.keys()].sort()).toEqual(['couchdb', 'rabbit']);
    expect(names).toEqual(epmd.names());
  });
});
