// --probe dist's verdicts from probe outcomes: the bytes of real nodes, a TLS
// node, RabbitMQ's AMQP port, and how a connection may end.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ProbeEnd, ProbeOutcome } from '../../../src/net/probe.js';
import { classifyDist } from '../../../src/probes/dist/classify.js';
import { DIST_STATUSES } from '../../../src/probes/dist/detail.js';

const fixture = (name: string) =>
  Buffer.from(
    readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8').trim(),
    'hex',
  );

const got = (bytes: Buffer, end: ProbeEnd = 'eof', errno: string | null = null): ProbeOutcome => ({
  connected: true,
  bytes,
  end,
  errno,
});

describe('classifyDist', () => {
  it('a node that says ok: erlang-distribution with its full name, version and flags', () => {
    const v = classifyDist(got(fixture('otp27-hs-v6-otp27a.hex')));
    expect(v).toMatchObject({ status: 'erlang-distribution', error: null, handshake: 'ok' });
    expect(v.challenge).toMatchObject({ fullName: 'otp27a@vm', version: 6, flags: 0xd07df7fbdn });
  });
  it('a refusal is still erlang-distribution, with what the node said', () => {
    expect(classifyDist(got(fixture('otp27-hs-otp25flags-otp27b.hex')))).toEqual({
      status: 'erlang-distribution',
      error: null,
      handshake: 'not_allowed',
      challenge: null,
    });
    expect(classifyDist(got(fixture('otp27-hs-v6-samename-nok-otp27a.hex'))).handshake).toBe('nok');
  });
  it('a TLS alert is tls, even when the peer resets after it', () => {
    const alert = fixture('otp25-hs-v6-tlsdist.hex');
    expect(classifyDist(got(alert))).toMatchObject({ status: 'tls', error: null });
    expect(classifyDist(got(alert, 'reset', 'ECONNRESET'))).toMatchObject({ status: 'tls' });
  });
  it("AMQP's answer (then a reset, as RabbitMQ does) is not-erlang-distribution", () => {
    expect(
      classifyDist(got(fixture('rabbitmq-3.10-amqp-reply.hex'), 'reset', 'ECONNRESET')),
    ).toEqual({
      status: 'not-erlang-distribution',
      error: 'bad-frame',
      handshake: null,
      challenge: null,
    });
    expect(classifyDist(got(Buffer.from('HTTP/1.1 400 Bad Request\r\n')))).toMatchObject({
      status: 'not-erlang-distribution',
      error: 'bad-frame',
    });
    expect(classifyDist(got(Buffer.alloc(0)))).toMatchObject({
      status: 'not-erlang-distribution',
      error: 'empty-reply',
    });
  });
  it('ok, then no challenge before the deadline: erlang-distribution with io-timeout', () => {
    const status = fixture('otp27-hs-v6-otp27a.hex').subarray(0, 5);
    expect(classifyDist(got(status, 'io-timeout'))).toEqual({
      status: 'erlang-distribution',
      error: 'io-timeout',
      handshake: 'ok',
      challenge: null,
    });
    expect(classifyDist(got(status))).toMatchObject({ error: 'no-challenge' });
  });
  it('connected, nothing to tell by: timeout or error, as for NAMES', () => {
    expect(classifyDist(got(Buffer.alloc(0), 'io-timeout'))).toMatchObject({
      status: 'timeout',
      error: 'io-timeout',
    });
    expect(classifyDist(got(Buffer.from([0]), 'reset', 'ECONNRESET'))).toMatchObject({
      status: 'error',
      error: 'connection-reset',
    });
  });
  it('never connected: refused, timeout, unreachable, as for NAMES', () => {
    const failed = (end: ProbeEnd, errno: string | null) =>
      classifyDist({ connected: false, bytes: Buffer.alloc(0), end, errno });
    expect(failed('refused', 'ECONNREFUSED')).toMatchObject({
      status: 'refused',
      error: 'connection-refused',
    });
    expect(failed('connect-timeout', null)).toMatchObject({ status: 'timeout' });
    expect(failed('unreachable', 'ENETUNREACH')).toMatchObject({
      status: 'unreachable',
      error: 'network-unreachable',
    });
  });
  it('any bytes, any end: a status of the closed list, never a throw (property)', () => {
    const ends: ProbeEnd[] = ['eof', 'io-timeout', 'truncated', 'reset', 'error', 'aborted'];
    const known = new Set<string>([
      ...DIST_STATUSES.map((s) => s.name),
      'refused',
      'timeout',
      'unreachable',
      'error',
    ]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.constantFrom(...ends), (b, end) => {
        const v = classifyDist(got(Buffer.from(b), end));
        expect(known.has(v.status)).toBe(true);
        if (v.status !== 'erlang-distribution') expect(v.handshake).toBeNull();
      }),
    );
  });
});
