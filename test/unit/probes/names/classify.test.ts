import { describe, expect, it } from 'vitest';
import type { ProbeOutcome } from '../../../../src/net/probe.js';
import { classify } from '../../../../src/probes/names/classify.js';

const hdr = Buffer.from([0, 0, 0x11, 0x11]);
const outcome = (o: Partial<ProbeOutcome>): ProbeOutcome => ({
  connected: true,
  bytes: Buffer.alloc(0),
  end: 'eof',
  errno: null,
  ...o,
});
const pick = (o: Partial<ProbeOutcome>) => {
  const v = classify(outcome(o));
  return {
    status: v.status,
    error: v.error,
    nodes: v.nodes.map((n) => n.name),
    truncated: v.truncated,
  };
};

describe('classify', () => {
  it('maps connection failures to their statuses', () => {
    expect(pick({ connected: false, end: 'refused', errno: 'ECONNREFUSED' })).toMatchObject({
      status: 'refused',
      error: 'connection-refused',
    });
    expect(pick({ connected: false, end: 'connect-timeout' })).toMatchObject({
      status: 'timeout',
      error: 'connection-timeout',
    });
    expect(pick({ connected: false, end: 'unreachable', errno: 'EHOSTUNREACH' })).toMatchObject({
      status: 'unreachable',
      error: 'host-unreachable',
    });
    expect(pick({ connected: false, end: 'unreachable', errno: 'ENETUNREACH' })).toMatchObject({
      status: 'unreachable',
      error: 'network-unreachable',
    });
    expect(pick({ connected: false, end: 'error', errno: 'EADDRNOTAVAIL' })).toMatchObject({
      status: 'error',
      error: 'eaddrnotavail',
    });
  });
  it('a full reply is epmd with no error', () => {
    expect(pick({ bytes: Buffer.concat([hdr, Buffer.from('name a at port 1\n')]) })).toEqual({
      status: 'epmd',
      error: null,
      nodes: ['a'],
      truncated: false,
    });
  });
  it('a valid header then a stall is epmd with the nodes so far and io-timeout', () => {
    expect(
      pick({
        end: 'io-timeout',
        bytes: Buffer.concat([hdr, Buffer.from('name a at port 1\nname b at')]),
      }),
    ).toEqual({ status: 'epmd', error: 'io-timeout', nodes: ['a'], truncated: false });
  });
  it('a reply cut at --max-reply is epmd, truncated', () => {
    expect(
      pick({ end: 'truncated', bytes: Buffer.concat([hdr, Buffer.from('name a at port 1\nna')]) }),
    ).toEqual({ status: 'epmd', error: 'reply-truncated', nodes: ['a'], truncated: true });
  });
  it('a reset after a valid header keeps what arrived', () => {
    expect(
      pick({
        end: 'reset',
        errno: 'ECONNRESET',
        bytes: Buffer.concat([hdr, Buffer.from('name a at port 1\n')]),
      }),
    ).toEqual({ status: 'epmd', error: 'connection-reset', nodes: ['a'], truncated: false });
  });
  it('silence after connecting is a timeout; a reset before any byte is an error', () => {
    expect(pick({ end: 'io-timeout' })).toMatchObject({ status: 'timeout', error: 'io-timeout' });
    expect(pick({ end: 'reset', errno: 'ECONNRESET' })).toMatchObject({
      status: 'error',
      error: 'connection-reset',
    });
  });
  it('a reply that is not EPMD says why', () => {
    expect(pick({ bytes: Buffer.from('HTTP/1.0 400\r\n') })).toMatchObject({
      status: 'not-epmd',
      error: 'bad-header',
    });
    expect(pick({})).toMatchObject({ status: 'not-epmd', error: 'empty-reply' });
    expect(pick({ end: 'io-timeout', bytes: Buffer.from('SSH-2.0') })).toMatchObject({
      status: 'not-epmd',
      error: 'bad-header',
    });
  });
});
