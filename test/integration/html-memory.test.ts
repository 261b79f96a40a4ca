// The HTML page does not hold its rows in memory: the built formatter is fed
// 10,000 and then 60,000 exposures of about 1.2 kB of HTML each, in a Node
// with --expose-gc, and the heap (and what lies outside it: buffers, typed
// arrays) after a full collection grows by a few dozen bytes a row, the index
// that orders them, not by the rows themselves. A figure of memory, never of
// time.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/pack.js';

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-html-memory-'));
const script = join(dir, 'rows.mjs');
writeFileSync(
  script,
  `const { htmlFormatter } = await import(${JSON.stringify(join(ROOT, 'dist/output/html.js'))});
const { newRecord } = await import(${JSON.stringify(join(ROOT, 'dist/record.js'))});
const rows = Number(process.argv[2]);
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};
const nodes = Array.from({ length: 20 }, (_, i) => ({ name: 'rabbit-node-with-a-name-' + i, port: 25000 + i }));
const f = htmlFormatter({ spillDir: process.argv[3] });
const before = await settle();
for (let i = 0; i < rows; i++) {
  const ip = '10.' + ((i >> 16) & 255) + '.' + ((i >> 8) & 255) + '.' + (i & 255);
  f.format(newRecord({ ip, port: 4369, status: 'epmd', epmdPort: 4369, nodes }));
}
const held = (await settle()) - before;
let bytes = 0;
let rowsOut = 0;
for (const part of f.footerParts()) {
  bytes += Buffer.byteLength(part);
  rowsOut += part.split('<tr><td><code>').length - 1;
}
console.log(JSON.stringify({ rows, held, bytes, rowsOut }));
`,
);

function measure(rows: number): { rows: number; held: number; bytes: number; rowsOut: number } {
  const out = execFileSync(process.execPath, ['--expose-gc', script, String(rows), dir], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(out);
}

describe('-f html with many exposures', () => {
  it('memory grows by the index, a few dozen bytes a row, not by the rows', () => {
    const small = measure(10_000);
    const large = measure(60_000);
    expect(large.rowsOut).toBe(60_000);
    const rowBytes = large.bytes / large.rowsOut;
    const perRow = (large.held - small.held) / (large.rows - small.rows);
    console.log(
      `HTML rows: ${rowBytes.toFixed(0)} bytes each on the page, ${perRow.toFixed(1)} bytes each in memory`,
    );
    expect(rowBytes).toBeGreaterThan(1000);
    expect(perRow).toBeLessThan(100);
    // The temporary file was unlinked as soon as it was made: nothing is left.
    expect(readdirSync(dir)).toEqual(['rows.mjs']);
  });
});
