import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeNamesRequest,
  MAX_NAME_CHARS,
  parseNamesReply,
  readNamesHeader,
} from '../../../src/epmd/names.js';

const hdr = (port: number) => Buffer.from([0, 0, port >> 8, port & 255]);
const reply = (port: number, body: string | Buffer) =>
  Buffer.concat([hdr(port), typeof body === 'string' ? Buffer.from(body, 'utf8') : body]);
const names = (r: ReturnType<typeof parseNamesReply>) =>
  r.ok ? r.nodes.map((n) => [n.name, n.port]) : r.reason;

describe('encodeNamesRequest', () => {
  it('is exactly 00 01 6e', () => {
    expect([...encodeNamesRequest()]).toEqual([0x00, 0x01, 0x6e]);
  });
  it('returns a fresh buffer each time', () => {
    const a = encodeNamesRequest();
    a[2] = 0;
    expect(encodeNamesRequest()[2]).toBe(0x6e);
  });
});

describe('parseNamesReply: a reply captured from a real epmd (OTP 25)', () => {
  const bytes = Buffer.from(
    readFileSync(new URL('../../fixtures/otp25-names-3nodes.hex', import.meta.url), 'utf8').trim(),
    'hex',
  );
  it('gives the header port and the three nodes', () => {
    const r = parseNamesReply(bytes);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.epmdPort).toBe(14369);
    expect(r.nodes.map((n) => [n.name, n.port])).toEqual([
      ['couchdb', 41987],
      ['ejabberd', 45223],
      ['rabbit', 39453],
    ]);
    expect(r.skippedLines).toBe(0);
  });
  it('gives the same result however the bytes were chunked (one buffer = concatenation)', () => {
    for (let cut = 0; cut <= bytes.length; cut++) {
      const joined = Buffer.concat([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(names(parseNamesReply(joined))).toEqual(names(parseNamesReply(bytes)));
    }
  });
  it('cut short, keeps only the complete lines', () => {
    const cut = bytes.subarray(0, bytes.indexOf('ejabberd') + 3);
    expect(names(parseNamesReply(cut, { complete: false }))).toEqual([['couchdb', 41987]]);
  });
});

describe('parseNamesReply: the header', () => {
  it('reads a 4-byte big-endian port: 00 00 38 21 is 14369', () => {
    expect(readNamesHeader(Buffer.from([0, 0, 0x38, 0x21]))).toBe(14369);
  });
  it('accepts the header alone: an epmd with no nodes', () => {
    expect(parseNamesReply(hdr(4369))).toEqual({
      ok: true,
      epmdPort: 4369,
      nodes: [],
      skippedLines: 0,
      skippedNames: 0,
    });
  });
  it.each([
    ['HTTP', Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')],
    ['port 0', Buffer.from([0, 0, 0, 0])],
    ['a non-zero high half', Buffer.from([0, 1, 0x11, 0x11])],
    ['SSH banner', Buffer.from('SSH-2.0-OpenSSH_9.2\r\n')],
  ])('rejects %s as bad-header', (_what, bytes) => {
    expect(parseNamesReply(bytes)).toEqual({ ok: false, reason: 'bad-header' });
  });
  it('calls an empty reply empty-reply and 1-3 header bytes short-reply', () => {
    expect(parseNamesReply(Buffer.alloc(0))).toEqual({ ok: false, reason: 'empty-reply' });
    expect(parseNamesReply(Buffer.from([0, 0, 0x11]))).toEqual({
      ok: false,
      reason: 'short-reply',
    });
  });
  it('has no verdict on a partial header while bytes may still come', () => {
    expect(parseNamesReply(Buffer.from([0, 0]), { complete: false })).toEqual({
      ok: false,
      reason: 'incomplete',
    });
    expect(parseNamesReply(Buffer.from([0x48]), { complete: false })).toEqual({
      ok: false,
      reason: 'bad-header',
    });
  });
});

describe('parseNamesReply: node lines', () => {
  it('reads name and port; the last line needs no newline', () => {
    expect(names(parseNamesReply(reply(4369, 'name a at port 1\nname b at port 65535')))).toEqual([
      ['a', 1],
      ['b', 65535],
    ]);
  });
  it('drops a partial last line when the reply was cut short', () => {
    expect(
      names(
        parseNamesReply(reply(4369, 'name a at port 1\nname b at port 65'), { complete: false }),
      ),
    ).toEqual([['a', 1]]);
  });
  it('tolerates CRLF', () => {
    expect(
      names(parseNamesReply(reply(4369, 'name a at port 10\r\nname b at port 20\r\n'))),
    ).toEqual([
      ['a', 10],
      ['b', 20],
    ]);
  });
  it('keeps spaces in names and splits on the last " at port "', () => {
    expect(names(parseNamesReply(reply(4369, 'name my node at port 7 at port 8\n')))).toEqual([
      ['my node at port 7', 8],
    ]);
  });
  it('skips malformed lines and counts them', () => {
    const r = parseNamesReply(
      reply(
        4369,
        [
          'name good at port 5',
          'name  at port 5', // empty name
          'name x at port 0',
          'name x at port 65536',
          'name x at port 123456',
          'name x at port -1',
          'name x at port 12a',
          'name x at port ',
          'NAME x at port 5',
          'garbage',
          '',
        ].join('\n'),
      ),
    );
    expect(r.ok && r.nodes.map((n) => n.name)).toEqual(['good']);
    expect(r.ok && r.skippedLines).toBe(9);
  });
  it('is not EPMD when a valid-looking header is followed only by non-node lines', () => {
    expect(parseNamesReply(reply(0x4854, 'TP/1.1 200 OK\r\n'))).toEqual({
      ok: false,
      reason: 'no-node-lines',
    });
  });
  it('takes names of up to 255 characters and skips longer ones', () => {
    const ok = 'n'.repeat(MAX_NAME_CHARS);
    const long = 'n'.repeat(MAX_NAME_CHARS + 1);
    const r = parseNamesReply(reply(4369, `name ${ok} at port 1\nname ${long} at port 2\n`));
    expect(r.ok && r.nodes.map((n) => n.name.length)).toEqual([255]);
    expect(r.ok && r.skippedLines).toBe(1);
    expect(r.ok && r.skippedNames).toBe(1);
  });
  it('a reply whose only node line has a name epmd would not register is still EPMD', () => {
    const r = parseNamesReply(reply(4369, `name ${'n'.repeat(MAX_NAME_CHARS + 1)} at port 2\n`));
    expect(r).toMatchObject({ ok: true, nodes: [], skippedNames: 1 });
  });
  it('counts characters, not bytes: 255 four-byte characters are a valid name', () => {
    const name = '𝄞'.repeat(255);
    const r = parseNamesReply(reply(4369, `name ${name} at port 1\n`));
    expect(r.ok && r.nodes[0]?.name).toBe(name);
  });
  it('keeps names containing NUL, escaped (epmd lists what it has)', () => {
    const r = parseNamesReply(reply(4369, Buffer.from('name a\0b at port 1\nname c at port 2\n')));
    expect(r.ok && r.nodes.map((n) => n.name)).toEqual(['a\\x00b', 'c']);
    const only = parseNamesReply(reply(4369, Buffer.from('name \0 at port 1\n')));
    expect(only.ok && only.nodes.map((n) => n.name)).toEqual(['\\x00']);
  });
  it('escapes hostile names: ANSI escapes, invalid UTF-8, backslashes', () => {
    const body = Buffer.concat([
      Buffer.from('name \x1b[31mred at port 1\nname '),
      Buffer.from([0xff, 0xfe, 0x41]),
      Buffer.from(' at port 2\nname a\\b at port 3\nname caf\u00e9 at port 4\n'),
    ]);
    const r = parseNamesReply(reply(4369, body));
    expect(r.ok && r.nodes.map((n) => n.name)).toEqual([
      '\\x1b[31mred',
      '\\xff\\xfeA',
      'a\\x5cb',
      'café',
    ]);
    expect(r.ok && [...(r.nodes[1]?.nameBytes ?? [])]).toEqual([0xff, 0xfe, 0x41]);
  });
});

describe('parseNamesReply: properties (fast-check)', () => {
  it('never throws, on any bytes, complete or not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.boolean(), (bytes, complete) => {
        parseNamesReply(bytes, { complete });
      }),
      { numRuns: 2000 },
    );
  });
  it('never reports EPMD unless the reply starts 00 00 and a port of 1..65535', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, complete) => {
        const r = parseNamesReply(bytes, { complete });
        if (r.ok) {
          expect(bytes[0]).toBe(0);
          expect(bytes[1]).toBe(0);
          expect(r.epmdPort).toBeGreaterThanOrEqual(1);
        }
      }),
      { numRuns: 2000 },
    );
  });
  it('never reports EPMD for a reply whose first two bytes are not 00 00, whatever follows', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }))
          .filter(([a, b]) => a !== 0 || b !== 0),
        fc.uint8Array({ maxLength: 100 }),
        ([a, b], rest) => {
          const bytes = Buffer.concat([
            Buffer.from([a, b, 0x11, 0x11]),
            rest,
            Buffer.from('\nname x at port 1\n'),
          ]);
          expect(parseNamesReply(bytes).ok).toBe(false);
        },
      ),
    );
  });
  it('round-trips any list of valid nodes', () => {
    const nodeName = fc
      .string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 })
      // Printable ASCII only, no backslash (it is escaped): the name comes back as sent.
      .filter((s) => /^[ -[\]-~]+$/.test(s));
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 65535 }),
        fc.array(fc.tuple(nodeName, fc.integer({ min: 1, max: 65535 })), { maxLength: 30 }),
        fc.boolean(),
        (epmdPort, nodes, crlf) => {
          const eol = crlf ? '\r\n' : '\n';
          const body = nodes.map(([n, p]) => `name ${n} at port ${p}${eol}`).join('');
          const r = parseNamesReply(reply(epmdPort, body));
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          expect(r.epmdPort).toBe(epmdPort);
          expect(r.nodes.map((n) => [n.name, n.port])).toEqual(nodes);
        },
      ),
    );
  });
  it("a cut-short reply yields a prefix of the full reply's nodes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.integer({ min: 1, max: 65535 })), {
          maxLength: 10,
        }),
        fc.nat(),
        (nodes, cutAt) => {
          const full = reply(4369, nodes.map(([n, p]) => `name ${n} at port ${p}\n`).join(''));
          const cut = full.subarray(0, 4 + (cutAt % (full.length - 3)));
          const a = parseNamesReply(full);
          const b = parseNamesReply(cut, { complete: false });
          expect(a.ok && b.ok).toBe(true);
          if (a.ok && b.ok) expect(a.nodes.slice(0, b.nodes.length)).toEqual(b.nodes);
        },
      ),
    );
  });
});
