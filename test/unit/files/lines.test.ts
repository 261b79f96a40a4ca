import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { MAX_LINE_BYTES, readLines } from '../../../src/files/lines.js';
import { openInput } from '../../../src/files/side-file.js';
import { readSpecFile } from '../../../src/targets/input.js';
import { escapeLines, shown, unescapeToBytes } from '../../../src/text/escape.js';

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-lines-'));

async function all(input: Readable, max = 16): Promise<string[]> {
  const out: string[] = [];
  for await (const l of readLines({ name: 'in', input }, 'the test file', max)) out.push(l.text);
  return out;
}

describe('readLines', () => {
  it('splits LF and CRLF, keeps a last line without newline, drops a BOM', async () => {
    expect(await all(Readable.from([Buffer.from('\ufeffa\r\nb'), Buffer.from('c\n\nd')]))).toEqual([
      'a',
      'bc',
      '',
      'd',
    ]);
  });
  it('refuses a line over the limit, naming the file and line, however the chunks fall', async () => {
    const input = Readable.from([Buffer.from('short\n0123456789'), Buffer.from('0123456789')]);
    await expect(all(input)).rejects.toThrow(
      /^in:2: the test file has a line longer than 16 bytes/,
    );
    await expect(all(Readable.from([Buffer.from(`${'x'.repeat(17)}\n`)]))).rejects.toThrow(
      UsageError,
    );
    expect(await all(Readable.from([Buffer.from(`${'x'.repeat(16)}\n`)]))).toEqual([
      'x'.repeat(16),
    ]);
  });
  it('stops at the limit on an endless source instead of reading it all', async () => {
    let chunks = 0;
    const endless = new Readable({
      read() {
        chunks++;
        // Bounded: the reader must give up long before this.
        this.push(chunks > 10_000 ? null : Buffer.alloc(4096));
      },
    });
    await expect(
      (async () => {
        for await (const _ of readLines({ name: 'zero', input: endless }, 'x')) void _;
      })(),
    ).rejects.toThrow(`longer than ${MAX_LINE_BYTES} bytes`);
    expect(chunks).toBeLessThan(40);
  });
  it('reads /dev/zero as a target file: a clear error, not an out-of-memory crash', async () => {
    const read = async () => {
      for await (const _ of readSpecFile('/dev/zero')) void _;
    };
    await expect(read()).rejects.toThrow(/\/dev\/zero:1: the target file has a line longer/);
  });
  it('reads a FIFO whose writer never sends a newline, and gives up at the limit', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // A writer of 1 MiB without a newline: more than the limit, bounded.
    const writer = spawn(process.execPath, [
      '-e',
      `const fs=require('fs');const fd=fs.openSync(${JSON.stringify(fifo)},'w');try{for(let i=0;i<256;i++)fs.writeSync(fd,Buffer.alloc(4096,97))}catch{}`,
    ]);
    const read = async () => {
      for await (const _ of readSpecFile(fifo)) void _;
    };
    await expect(read()).rejects.toThrow(/fifo:1: the target file has a line longer than 65536/);
    await new Promise((resolve) => writer.on('close', resolve));
  });
  it('a NUL in a file name is an input error, not a TypeError', async () => {
    await expect(openInput('a\0b', 'the allow-list')).rejects.toThrow(
      "cannot read the allow-list 'a\\x00b': that is not a valid file name",
    );
  });
  it('names a file it cannot open, escaped', async () => {
    await expect(openInput(join(dir, 'no\x1bfile'), 'the allow-list')).rejects.toThrow(
      /cannot read the allow-list '.*no\\x1bfile': no such file/,
    );
  });
});

describe('shown values', () => {
  it('escapes and cuts a value to 80 characters', () => {
    expect(shown('a\x1b[2Jb')).toBe('a\\x1b[2Jb');
    const long = shown('x'.repeat(100_000_000 / 1000));
    expect([...long].length).toBe(81);
    expect(long.endsWith('…')).toBe(true);
  });
  it('escapeLines leaves newlines and existing escapes, escapes raw controls', () => {
    expect(escapeLines('a\\x1b\n\x07b')).toBe('a\\x1b\n\\x07b');
  });
  it('unescapeToBytes undoes the escaping', () => {
    expect([...unescapeToBytes('a\\x00\\x5cé')]).toEqual([0x61, 0, 0x5c, 0xc3, 0xa9]);
  });
  it('keeps a generated file of 1 MB without newlines from the heap', async () => {
    const path = join(dir, 'no-newlines.txt');
    writeFileSync(path, Buffer.alloc(1024 * 1024, 0x31));
    const read = async () => {
      for await (const _ of readSpecFile(path)) void _;
    };
    await expect(read()).rejects.toThrow(/no-newlines\.txt:1: .*longer than 65536 bytes/);
  });
});
