import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeAscii, escapeText, escapeWireBytes } from '../../../src/text/escape.js';

/** Decodes the escaping back to bytes: the inverse the rule promises. */
function decodeEscaped(text: string): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < text.length; ) {
    if (text.startsWith('\\x', i)) {
      parts.push(Buffer.from([Number.parseInt(text.slice(i + 2, i + 4), 16)]));
      i += 4;
    } else {
      const cp = text.codePointAt(i) as number;
      const ch = String.fromCodePoint(cp);
      parts.push(Buffer.from(ch, 'utf8'));
      i += ch.length;
    }
  }
  return Buffer.concat(parts);
}

describe('escapeWireBytes', () => {
  it('keeps printable ASCII and valid UTF-8', () => {
    expect(escapeWireBytes(Buffer.from('rabbit@host café 日本')).text).toBe(
      'rabbit@host café 日本',
    );
  });
  it('escapes C0, DEL, C1, bidi overrides, zero-width and backslash as their bytes', () => {
    expect(escapeWireBytes(Buffer.from('a\x1b[0m\x7f\u009b\u202e\u200b\\z')).text).toBe(
      'a\\x1b[0m\\x7f\\xc2\\x9b\\xe2\\x80\\xae\\xe2\\x80\\x8b\\x5cz',
    );
  });
  it('escapes each byte of invalid UTF-8: lone continuation, overlong, surrogate, truncated', () => {
    expect(
      escapeWireBytes(Buffer.from([0x80, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xe2, 0x82])).text,
    ).toBe('\\x80\\xc0\\xaf\\xed\\xa0\\x80\\xe2\\x82');
  });
  it('counts characters with each invalid byte as one', () => {
    expect(escapeWireBytes(Buffer.from([0x61, 0xff, 0xe6, 0x97, 0xa5])).chars).toBe(3);
  });
  it('escapes extra ASCII characters on request', () => {
    expect(escapeWireBytes(Buffer.from('a;b,c'), ';').text).toBe('a\\x3bb,c');
  });
  it('is reversible and its output holds no control character (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const { text } = escapeWireBytes(bytes);
        expect(decodeEscaped(text).equals(Buffer.from(bytes))).toBe(true);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: that is what is tested
        expect(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/.test(text)).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('escapeText and escapeAscii', () => {
  it('leave plain text untouched and escape the rest like wire bytes', () => {
    expect(escapeText('host.example')).toBe('host.example');
    expect(escapeText('evil\x1b]0;x\x07')).toBe('evil\\x1b]0;x\\x07');
  });
  it('escapeAscii escapes only the given ASCII characters', () => {
    expect(escapeAscii('a|b;c', '|')).toBe('a\\x7cb;c');
    expect(escapeAscii('a|b', '')).toBe('a|b');
  });
});
