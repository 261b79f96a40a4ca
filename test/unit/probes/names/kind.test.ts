// The NAMES probe through its registration (src/probes/kind.ts): its request,
// its verdict on a reply, its record, follow-ups only when asked for, and the
// registry that finds it by name.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeNamesRequest } from '../../../../src/epmd/names.js';
import type { ProbeContext, ProbeOutcome } from '../../../../src/net/probe.js';
import type { FollowUpEnv } from '../../../../src/probes/follow-up-group.js';
import { namesKind } from '../../../../src/probes/names/index.js';
import { kindOf, probeKind, STATUSES, statusesOf } from '../../../../src/probes/registry.js';
import { newRecord } from '../../../../src/record.js';
import { resolveProbe } from '../../../../src/scan/plan.js';

const env = { ctx: {} as ProbeContext, bucket: null, deadlines: {} } as unknown as FollowUpEnv;
const reply = Buffer.concat([
  Buffer.from([0, 0, 0x11, 0x11]),
  Buffer.from('name rabbit at port 25672\n'),
]);
const target = { ip: '192.0.2.7', port: 4369 };

describe('the NAMES probe kind', () => {
  it('is registered by its name, and its statuses come first among the built-in ones', () => {
    expect(probeKind('names')).toBe(namesKind as unknown);
    expect(STATUSES.slice(0, 2)).toEqual(['epmd', 'not-epmd']);
    expect(statusesOf(namesKind)).toEqual(
      STATUSES.filter(
        (s) => !['erlang-distribution', 'tls', 'not-erlang-distribution'].includes(s),
      ),
    );
    expect(() => probeKind('nope')).toThrow(/no probe kind 'nope': expected one of names/);
  });
  it('asks NAMES, and reads to EOF', () => {
    const probe = namesKind.probe(resolveProbe({}), env);
    expect(Buffer.from(probe.request(target))).toEqual(encodeNamesRequest());
    expect(probe.complete).toBeUndefined();
  });
  it('classifies a reply and makes the record from it: an exposure with its detail', () => {
    const probe = namesKind.probe(resolveProbe({ severity: 'low' }), env);
    const verdict = probe.classify({ connected: true, bytes: reply, end: 'eof', errno: null });
    expect(verdict).toMatchObject({ status: 'epmd', error: null, epmdPort: 4369 });
    const record = probe.record(target, verdict);
    expect(record).toMatchObject({
      ip: '192.0.2.7',
      port: 4369,
      probe: 'names',
      status: 'epmd',
      exposed: true,
      severity: 'low',
      detail: { epmdPort: 4369, nodes: [{ name: 'rabbit', port: 25672 }], truncated: false },
    });
    expect(kindOf(record)).toBe(namesKind as unknown);
  });
  it('a refusal is no exposure and has no detail', () => {
    const probe = namesKind.probe(resolveProbe({}), env);
    const refused = probe.classify({
      connected: false,
      bytes: Buffer.alloc(0),
      end: 'refused',
      errno: 'ECONNREFUSED',
    });
    expect(probe.record(target, refused)).toMatchObject({
      status: 'refused',
      exposed: false,
      error: 'connection-refused',
      detail: null,
    });
  });
  it('calls a verdict plain exactly when its record is only its status and error (property)', () => {
    const plan = resolveProbe({ severity: 'low' });
    const probe = namesKind.probe(plan, env);
    const ends: ProbeOutcome['end'][] = [
      'eof',
      'refused',
      'reset',
      'unreachable',
      'connect-timeout',
      'io-timeout',
      'truncated',
      'error',
      'aborted',
    ];
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.constantFrom(...ends),
        fc.constantFrom(null, 'ECONNREFUSED', 'ETIMEDOUT', 'EPERM'),
        fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.constant(new Uint8Array(reply))),
        (connected, end, errno, bytes) => {
          const verdict = probe.classify({ connected, bytes: Buffer.from(bytes), end, errno });
          const record = probe.record(target, verdict);
          const plain = probe.plain?.(verdict) ?? null;
          const bare = !record.exposed && record.detail === null && record.risks === undefined;
          expect(plain !== null).toBe(bare);
          if (plain === null) return;
          const { status, error } = plain;
          const made = newRecord({ ...target, probe: plan.kind, status, error, severity: 'low' });
          expect({ ...record, timestamp: 0 }).toEqual({ ...made, timestamp: 0 });
        },
      ),
      { numRuns: 300 },
    );
  });
  it('has follow-ups only when a node check is asked for', () => {
    expect(namesKind.probe(resolveProbe({}), env).followUps).toBeUndefined();
    expect(namesKind.probe(resolveProbe({ nodeInfo: true }), env).followUps).toBeTypeOf('function');
    expect(namesKind.probe(resolveProbe({ checkCookies: true }), env).followUps).toBeTypeOf(
      'function',
    );
  });
});
