// The NAMES probe through the probe seam (src/probes/kind.ts): its request,
// its verdict on a reply, its record, and follow-ups only when asked for.
import { describe, expect, it } from 'vitest';
import { encodeNamesRequest } from '../../../src/epmd/names.js';
import type { ProbeContext } from '../../../src/net/probe.js';
import type { Verdict } from '../../../src/probes/classify.js';
import type { ProbeKind } from '../../../src/probes/kind.js';
import { namesProbe } from '../../../src/probes/names-probe.js';
import type { FollowUpEnv } from '../../../src/probes/node-checks.js';

const env = { ctx: {} as ProbeContext, bucket: null, deadlines: {} } as unknown as FollowUpEnv;
const reply = Buffer.concat([
  Buffer.from([0, 0, 0x11, 0x11]),
  Buffer.from('name rabbit at port 25672\n'),
]);

describe('the NAMES probe as a ProbeKind', () => {
  it('asks NAMES, and reads to EOF', () => {
    const kind: ProbeKind<Verdict> = namesProbe({}, env);
    expect(kind.name).toBe('epmd-names');
    expect(Buffer.from(kind.request)).toEqual(encodeNamesRequest());
    expect(kind.complete).toBeUndefined();
  });
  it('classifies a reply and makes the record from it', () => {
    const kind = namesProbe({}, env);
    const verdict = kind.classify({ connected: true, bytes: reply, end: 'eof', errno: null });
    expect(verdict).toMatchObject({ status: 'epmd', error: null, epmdPort: 4369 });
    const record = kind.record({ ip: '192.0.2.7', port: 4369 }, verdict, 'high');
    expect(record).toMatchObject({
      ip: '192.0.2.7',
      port: 4369,
      status: 'epmd',
      epmdPort: 4369,
      nodes: [{ name: 'rabbit', port: 25672 }],
      severity: 'high',
    });
  });
  it('has follow-ups only when a node check is asked for', () => {
    expect(namesProbe({}, env).followUps).toBeUndefined();
    expect(namesProbe({ nodeInfo: true }, env).followUps).toBeTypeOf('function');
    expect(namesProbe({ checkCookies: true }, env).followUps).toBeTypeOf('function');
  });
});
