// Statuses and error codes come from one `as const` table each (the
// registry's STATUSES, record.ts's ERROR_CODES): whatever the classifier says
// is in them.
import { describe, expect, it } from 'vitest';
import type { ProbeEnd } from '../../src/net/probe.js';
import { classify } from '../../src/probes/names/classify.js';
import { STATUSES } from '../../src/probes/registry.js';
import { ERROR_CODES } from '../../src/record.js';

const ENDS: ProbeEnd[] = [
  'eof',
  'connect-timeout',
  'io-timeout',
  'truncated',
  'refused',
  'reset',
  'unreachable',
  'error',
  'aborted',
];
const REPLIES = [
  Buffer.alloc(0),
  Buffer.from([0, 0]),
  Buffer.from('HTTP/1.1 400 Bad Request\r\n'),
  Buffer.from([0, 0, 0x11, 0x11]),
  Buffer.concat([Buffer.from([0, 0, 0x11, 0x11]), Buffer.from('name rabbit at port 25672\n')]),
  Buffer.concat([Buffer.from([0, 0, 0x11, 0x11]), Buffer.from('garbage\n')]),
];

describe('the status and error-code tables', () => {
  it('hold every status and named error code the classifier gives', () => {
    for (const end of ENDS) {
      for (const connected of [false, true]) {
        for (const bytes of connected ? REPLIES : [Buffer.alloc(0)]) {
          const v = classify({ connected, bytes, end, errno: null });
          expect(STATUSES).toContain(v.status);
          if (v.error !== null) expect(ERROR_CODES).toContain(v.error);
        }
      }
    }
  });
  it('have no duplicates', () => {
    expect(new Set(STATUSES).size).toBe(STATUSES.length);
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
  });
});
