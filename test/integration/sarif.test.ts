// SARIF from the built CLI, as code scanning gets it: valid against the SARIF
// 2.1.0 schema, a result per exposure, its location the target file (-iL)
// relative to the working directory (the repository's root in CI), allowed
// exposures suppressed, and exactly once across kill -9 and --resume.

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import {
  type FakeServer,
  fakeServer,
  header,
  rabbitEpmd,
  startPeers,
  stopPeers,
} from '../helpers/fake-server.js';
import { waitFor } from '../helpers/real-epmd.js';
import { sarifErrors } from '../helpers/sarif.js';

interface Result {
  ruleId: string;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
  baselineState?: string;
  suppressions?: unknown[];
  properties: { port: number };
}
type Log = { runs: { results: Result[] }[] };

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-sarif-'));
let epmd: FakeServer;
let silent: FakeServer;
let closed: number;
const more: FakeServer[] = [];
beforeAll(async () => {
  ({ epmd, silent, closed } = await startPeers());
  more.push(await rabbitEpmd(), await rabbitEpmd(), await rabbitEpmd());
  more.push(
    await fakeServer(async (socket, request) => {
      await request;
      socket.end(
        Buffer.concat([
          header(4369),
          Buffer.from('name couchdb at port 9100\nname e"\x1b[2J at port 9\n'),
        ]),
      );
    }),
  );
});
afterAll(async () => {
  await stopPeers({ epmd, silent });
  for (const s of more) await s.close();
});
let n = 0;
const fresh = (): string => {
  const d = join(dir, `${n++}`);
  mkdirSync(d);
  return d;
};

const read = (file: string): Log => {
  const log = JSON.parse(readFileSync(file, 'utf8')) as Log;
  expect(sarifErrors(log)).toEqual([]);
  return log;
};

describe('-f sarif', () => {
  it('on stdout: valid, a result per exposure, the target file as its location', async () => {
    const d = fresh();
    writeFileSync(join(d, 'ranges.txt'), '127.0.0.1\n');
    const couch = more[3] as FakeServer;
    const r = await runCli(
      [
        '-iL',
        'ranges.txt',
        '-p',
        `${epmd.port},${couch.port},${closed}`,
        '-n',
        '-f',
        'sarif',
        '-q',
      ],
      { cwd: d },
    );
    expect(r.code).toBe(0);
    const log = JSON.parse(r.stdout) as Log;
    expect(sarifErrors(log)).toEqual([]);
    const results = log.runs[0]?.results ?? [];
    expect(results.map((x) => [x.ruleId, x.properties.port])).toEqual([
      ['exposed-epmd', epmd.port],
      ['couchdb-listed', couch.port],
    ]);
    expect(results[0]?.message.text).toBe(
      `Exposed EPMD at 127.0.0.1:${epmd.port} listing nodes rabbit:25672.`,
    );
    expect(results[1]?.message.text).toContain('couchdb:9100, e"\\x1b[2J:9');
    expect(r.stdout).not.toContain('\x1b');
    for (const x of results)
      expect(x.locations[0]?.physicalLocation.artifactLocation.uri).toBe('ranges.txt');
  });

  it('--sarif next to the table; -oA writes it with the CSV, NDJSON and HTML', async () => {
    const d = fresh();
    const r = await runCli([
      '127.0.0.1',
      '-p',
      String(epmd.port),
      '-n',
      '--sarif',
      join(d, 'x.sarif'),
      '-oA',
      join(d, 'all'),
    ]);
    expect(r.code).toBe(0);
    expect(readdirSync(d).sort()).toEqual([
      'all.csv',
      'all.html',
      'all.ndjson',
      'all.sarif',
      'x.sarif',
    ]);
    const results = read(join(d, 'x.sarif')).runs[0]?.results;
    expect(results).toHaveLength(1);
    expect(read(join(d, 'all.sarif')).runs[0]?.results).toEqual(results);
  });

  it('--allow suppresses an accepted exposure; --baseline gives each its state', async () => {
    const d = fresh();
    const [a, b] = more as [FakeServer, FakeServer];
    writeFileSync(join(d, 'allow.txt'), `127.0.0.1:${a.port}\n`);
    const base = await runCli([
      '127.0.0.1',
      '-p',
      String(epmd.port),
      '-n',
      '-o',
      join(d, 'base.csv'),
      '-q',
    ]);
    expect(base.code).toBe(0);
    const r = await runCli([
      '127.0.0.1',
      '-p',
      `${epmd.port},${a.port},${b.port}`,
      '-n',
      '--allow',
      join(d, 'allow.txt'),
      '--baseline',
      join(d, 'base.csv'),
      '--sarif',
      join(d, 'r.sarif'),
      '-q',
    ]);
    expect(r.code).toBe(0);
    const results = read(join(d, 'r.sarif')).runs[0]?.results ?? [];
    const byPort = new Map(results.map((x) => [x.properties.port, x]));
    expect(byPort.get(epmd.port)?.baselineState).toBe('unchanged');
    expect(byPort.get(a.port)?.baselineState).toBe('new');
    expect(byPort.get(a.port)?.suppressions).toEqual([
      { kind: 'external', justification: 'accepted by --allow' },
    ]);
    expect(byPort.get(b.port)?.baselineState).toBe('new');
    expect(byPort.get(b.port)?.suppressions).toBeUndefined();
  });

  it('kill -9 and --resume: one valid document, each exposure exactly once', async () => {
    const d = fresh();
    const ckpt = join(d, 'scan.ckpt');
    const [a, b, c] = more as [FakeServer, FakeServer, FakeServer];
    // One probe at a time: two exposures, then a silent target that holds the run, then two more.
    const ports = [epmd.port, a.port, silent.port, b.port, c.port];
    const args = [
      '127.0.0.1',
      '-p',
      ports.join(','),
      '-n',
      '-c',
      '1',
      '--sarif',
      join(d, 'r.sarif'),
      '--resume',
      ckpt,
    ];
    const first = startCli([...args, '--timeout', '20000']);
    await waitFor('a checkpoint that counts the first two exposures', async () => {
      if (!existsSync(ckpt)) return false;
      return JSON.parse(readFileSync(ckpt, 'utf8')).stats.done >= 2;
    });
    first.child.kill('SIGKILL');
    await first.result;
    expect(existsSync(join(d, 'r.sarif'))).toBe(false);
    expect(readFileSync(join(d, 'r.sarif.partial'), 'utf8')).toMatch(/"results":\[/);
    const second = await runCli([...args, '--timeout', '300']);
    expect(second.code).toBe(0);
    const ports2 = (read(join(d, 'r.sarif')).runs[0]?.results ?? []).map((x) => x.properties.port);
    expect(ports2.sort()).toEqual([epmd.port, a.port, b.port, c.port].sort());
  });
});
