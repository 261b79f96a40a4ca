import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { expandTargets } from '../../../src/targets/expand.js';
import { readSpecFile, specsOfLine } from '../../../src/targets/input.js';

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-input-'));
const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

describe('target files', () => {
  it('skips blanks and comments, splits on whitespace and commas, keeps masscan lines whole', () => {
    expect(specsOfLine('   ', 'f:1')).toEqual([]);
    expect(specsOfLine('# comment', 'f:1')).toEqual([]);
    expect(specsOfLine('192.0.2.1 192.0.2.2,192.0.2.3 # tail', 'f:2').map((s) => s.spec)).toEqual([
      '192.0.2.1',
      '192.0.2.2',
      '192.0.2.3',
    ]);
    expect(specsOfLine('open tcp 4369 192.0.2.7 1700000000', 'f:3')).toEqual([
      { spec: 'open tcp 4369 192.0.2.7 1700000000', origin: 'f:3' },
    ]);
  });
  it('reads masscan -oL output as it is written', async () => {
    const file = join(dir, 'masscan.txt');
    writeFileSync(
      file,
      '#masscan\nopen tcp 4369 192.0.2.7 1700000000\nopen tcp 4369 192.0.2.9 1700000001\n# end\n',
    );
    const space = await expandTargets(readSpecFile(file));
    expect([...space.addresses()]).toEqual(['192.0.2.7', '192.0.2.9']);
  });
  it('reads zmap output (one address per line, CRLF too) from stdin', async () => {
    const stdin = Readable.from(['192.0.2.3\r\n192.0.2.1\n', '192.0.2.2\n192.0.2.1\n']);
    const space = await expandTargets(readSpecFile('-', stdin));
    expect([...space.addresses()]).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
  });
  it('names the file and line of a bad spec', async () => {
    const file = join(dir, 'bad.txt');
    writeFileSync(file, '192.0.2.1\n\n# fine\n192.0.2.300\n');
    await expect(expandTargets(readSpecFile(file))).rejects.toThrow(
      `${file}:4: invalid target '192.0.2.300'`,
    );
  });
  it('says when a file cannot be read', async () => {
    await expect(collect(readSpecFile(join(dir, 'missing.txt')))).rejects.toThrow(/no such file/);
    await expect(collect(readSpecFile(dir))).rejects.toThrow(/is a directory/);
  });
  it('@local stands for the given local addresses', async () => {
    const space = await expandTargets(['@local'], {
      localAddresses: () => ['127.0.0.1', '::1', '192.0.2.5'],
    });
    expect([...space.addresses()]).toEqual(['127.0.0.1', '192.0.2.5', '::1']);
  });
});
