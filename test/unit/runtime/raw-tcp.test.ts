// Which socket path a run uses. The bare-handle path halves the time of a
// refusing sweep; a silent fallback to net.connect would be a 2x slowdown
// nobody notices, so the normal path is asserted here.
import { describe, expect, it } from 'vitest';
import { bindingRefused, PORTABLE_ENV, rawTcp, socketPath } from '../../../src/runtime/raw-tcp.js';

describe('socket path', () => {
  it('a normal run uses the bare TCP handle, with no note', () => {
    expect(rawTcp()).not.toBeNull();
    expect(socketPath({})).toEqual({ portable: false, path: 'bare', note: null, reason: null });
  });
  it(`${PORTABLE_ENV}=1 forces the portable path, silently; 0 or empty does not`, () => {
    expect(socketPath({ [PORTABLE_ENV]: '1' })).toEqual({
      portable: true,
      path: 'forced',
      note: null,
      reason: `chosen by ${PORTABLE_ENV}`,
    });
    expect(socketPath({ [PORTABLE_ENV]: '0' }).path).toBe('bare');
    expect(socketPath({ [PORTABLE_ENV]: '' }).path).toBe('bare');
  });
  it('refuses process.binding under the flags that would crash or warn', () => {
    expect(bindingRefused({}, [])).toBeNull();
    expect(bindingRefused({ NODE_OPTIONS: '--throw-deprecation' }, [])).toBe('--throw-deprecation');
    expect(bindingRefused({}, ['--pending-deprecation'])).toBe('--pending-deprecation');
    expect(bindingRefused({ NODE_PENDING_DEPRECATION: '1' }, [])).toBe('--pending-deprecation');
    expect(bindingRefused({ NODE_OPTIONS: '--no-deprecation' }, [])).toBeNull();
  });
});
