// Issue #22, cases 11 and 12: a checkpoint belongs to one kind of record. A
// resume with a flag that changes what a record holds is refused, naming
// the flag; a found-log line changed by hand is an input error naming its
// file and line, never "unexpected error".

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type FakeServer, startPeers, stopPeers } from '../helpers/fake-server.js';
import { tempFolders } from '../helpers/temp.js';

let epmd: FakeServer;
let closed: number;
beforeAll(async () => {
  ({ epmd, closed } = await startPeers());
});
afterAll(() => stopPeers({ epmd }));

const folders = tempFolders('identity');
const fresh = (): string => {
  const d = folders.fresh();
  writeFileSync(join(d, 'a.cookies'), 'first\n');
  writeFileSync(join(d, 'b.cookies'), 'second\n');
  writeFileSync(join(d, 'a.csv'), 'ip,port,nodes\n192.0.2.1,4369,"rabbit,1"\n');
  writeFileSync(join(d, 'b.csv'), 'ip,port,nodes\n192.0.2.2,4369,"rabbit,1"\n');
  return d;
};

describe('12: a resume with a flag that changes what a record holds is refused, naming it', () => {
  const cases: [string[], string[], RegExp][] = [
    [[], ['--node-info'], /another --node-info: it has false, this run true/],
    [[], ['--check-dist'], /another --check-dist/],
    [[], ['--handshake'], /another --handshake/],
    [[], ['-S', '127.0.0.1'], /another -S \(--source-ip\): it has null, this run "127\.0\.0\.1"/],
    [
      ['--check-cookies'],
      ['--check-cookies', 'a.cookies'],
      /another --check-cookies \(or its cookie file\): it has "built-in", this run a file/,
    ],
    [
      ['--check-cookies', 'a.cookies'],
      ['--check-cookies', 'b.cookies'],
      /another --check-cookies \(or its cookie file\): it has one file, this run another/,
    ],
    [
      ['--check-cookies'],
      ['--check-cookies', '--cookie-attempts', '5'],
      /another --cookie-attempts: it has 3, this run 5/,
    ],
    [
      ['--handshake'],
      ['--handshake', '--follow-up-timeout', '500'],
      /another --follow-up-timeout: it has 10000, this run 500/,
    ],
    [[], ['--max-reply', '1024'], /another --max-reply: it has 65536, this run 1024/],
    [[], ['-n'], /another -n \(--no-resolve\): it has true, this run false/],
    [
      ['--baseline', 'a.csv'],
      ['--baseline', 'b.csv'],
      /another --baseline \(or its content\): it has one file, this run another/,
    ],
  ];
  it.each(cases)('%j, then %j', async (first, then, message) => {
    const d = fresh();
    const inD = (args: string[]) => args.map((a) => (/\.(cookies|csv)$/.test(a) ? join(d, a) : a));
    const args = ['127.0.0.1', '-p', String(closed), '--resume', join(d, 'ck'), '-q'];
    expect((await runCli([...args, ...inD(first)])).code).toBe(0);
    const r = await runCli([...args, ...inD(then)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/first|second/); // never a cookie
  });
  it('--timeout, --retries, --rate and -c may change: they change no record', async () => {
    const d = fresh();
    const args = ['127.0.0.1', '-p', String(closed), '--resume', join(d, 'ck')];
    expect((await runCli([...args, '-q'])).code).toBe(0);
    const r = await runCli([
      ...args,
      '--timeout',
      '900',
      '--retries',
      '1',
      '--rate',
      '50',
      '-c',
      '2',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/says this scan is complete/);
  });
});

describe('11: a found-log line changed by hand', () => {
  it.each([
    ['risks: "x"', (r: Record<string, unknown>) => (r.risks = 'x')],
    [
      'a numeric cookie',
      (r: Record<string, unknown>) =>
        (((r.nodes as Record<string, unknown>[])[0] as Record<string, unknown>).cookie = 5),
    ],
    ['no timestamp', (r: Record<string, unknown>) => delete r.timestamp],
  ])('%s: exit 2 naming the file and line, on every rerun', async (_what, change) => {
    const d = fresh();
    const ckpt = join(d, 'ck');
    const args = ['127.0.0.1', '-p', String(epmd.port), '-o', join(d, 'r.csv'), '--resume', ckpt];
    expect((await runCli(args)).code).toBe(0);
    const line = JSON.parse(readFileSync(`${ckpt}.found`, 'utf8'));
    change(line.r);
    const text = `${JSON.stringify(line)}\n`;
    writeFileSync(`${ckpt}.found`, text);
    const cp = JSON.parse(readFileSync(ckpt, 'utf8'));
    writeFileSync(ckpt, JSON.stringify({ ...cp, found: Buffer.byteLength(text) }));
    for (let i = 0; i < 2; i++) {
      const r = await runCli(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${ckpt}.found:1: not a record epmd-scan wrote`);
      expect(r.stderr).not.toMatch(/unexpected error/);
    }
  });
});
