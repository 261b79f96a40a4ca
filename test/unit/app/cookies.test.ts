import { describe, expect, it } from 'vitest';
import { parseCookieFile } from '../../../src/app/cookies.js';
import { UsageError } from '../../../src/errors.js';

describe('cookie file', () => {
  it('one raw cookie per line; blank and # lines skipped; CRLF accepted', () => {
    const bytes = Buffer.from('# ours\nfirst\r\n\nsp ace\n\xe9t\xe9\n', 'latin1');
    expect(parseCookieFile(bytes, 'c.txt')).toEqual(['first', 'sp ace', '\xe9t\xe9']);
  });
  it('refuses an empty file and an over-long cookie, naming the line, never the cookie', () => {
    expect(() => parseCookieFile(Buffer.from('# nothing\n\n'), 'c.txt')).toThrow(UsageError);
    const long = 'k'.repeat(300);
    let message = '';
    try {
      parseCookieFile(Buffer.from(`ok\n${long}\n`), 'c.txt');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('c.txt, line 2');
    expect(message).not.toContain('kkkk');
  });
});
