// Issue #22, cases 14 and 15: a baseline is read with the separator it was
// written with, whatever today's --node-separator; and every format shows a
// hostile node name the same way, escaped once.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type FakeServer, fakeServer, header } from '../helpers/fake-server.js';
import { tempFolders } from '../helpers/temp.js';

/** Node names a hostile epmd lists: an ANSI escape, separator characters inside and first. */
const NAMES = ['esc\x1b[31m', 'rabbit', '|pipe', 'semi;colon', ' space', 'a,b'];
let hostile: FakeServer;
beforeAll(async () => {
  hostile = await fakeServer(async (socket, request) => {
    await request;
    const lines = NAMES.map((name, i) => `name ${name} at port ${40000 + i}\n`).join('');
    socket.end(Buffer.concat([header(4369), Buffer.from(lines)]));
  });
});
afterAll(() => hostile.close());

const { fresh } = tempFolders('escape');
const scan = (...args: string[]) =>
  runCli(['127.0.0.1', '-p', String(hostile.port), '-n', ...args]);

describe('14: a baseline carries its separator', () => {
  for (const [written, today] of [
    [';', '|'],
    ['|', ';'],
    ['; ', ' '],
    ['::', ';'],
  ]) {
    it(`written with '${written}', read by a run with --node-separator '${today}': nothing changed`, async () => {
      const d = fresh();
      const baseline = join(d, 'base.csv');
      expect((await scan('-o', baseline, '--node-separator', written as string)).code).toBe(0);
      const r = await scan(
        '--baseline',
        baseline,
        '--node-separator',
        today as string,
        '--fail-on-exposed',
      );
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/baseline: 1 exposure read; new 0, gone 0, changed 0/);
    });
  }
});

describe('15: one escaping step per output', () => {
  it('CSV, NDJSON, the table and HTML show esc\\x1b[31m alike, never esc\\x5cx1b', async () => {
    const d = fresh();
    const r = await scan('-oA', join(d, 'all'), '--table', join(d, 'all.txt'));
    expect(r.code).toBe(0);
    const texts = ['all.csv', 'all.ndjson', 'all.txt', 'all.html'].map((f) =>
      readFileSync(join(d, f), 'utf8'),
    );
    for (const text of texts) {
      // NDJSON holds the same text as a JSON string: its backslash doubled by JSON itself.
      expect(text.replaceAll('\\\\', '\\')).toContain('esc\\x1b[31m');
      expect(text).not.toContain('x5cx1b');
      expect(text).not.toContain('\x1b');
    }
  });
});
