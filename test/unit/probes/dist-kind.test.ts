// The dist kind's records, risks, fixes and how they show in each report,
// from the bytes of real nodes (no sockets).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProbeOutcome } from '../../../src/net/probe.js';
import { recordJson } from '../../../src/output/ndjson.js';
import { type DistRecord, isDistDetail } from '../../../src/probes/dist/detail.js';
import { distKind } from '../../../src/probes/dist/kind.js';
import { assessDist } from '../../../src/probes/dist/risk.js';
import type { FollowUpEnv } from '../../../src/probes/follow-up-group.js';
import type { CookieOutcome } from '../../../src/probes/outcomes.js';
import { resolveProbe } from '../../../src/scan/plan.js';
import { validateRecord } from '../../helpers/schema.js';

const fixture = (name: string) =>
  Buffer.from(
    readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8').trim(),
    'hex',
  );
const got = (bytes: Buffer): ProbeOutcome => ({ connected: true, bytes, end: 'eof', errno: null });

/** The record the kind makes of these bytes on 192.0.2.7:port, assessed, with an optional cookie outcome. */
function recordOf(bytes: Buffer, port = 25672, cookie: CookieOutcome | null = null): DistRecord {
  const probe = distKind.probe(resolveProbe({ probe: 'dist' }), {} as FollowUpEnv);
  const r = probe.record({ ip: '192.0.2.7', port }, probe.classify(got(bytes))) as DistRecord;
  if (r.detail) r.detail.cookie = cookie;
  assessDist(r);
  return r;
}

describe('dist records', () => {
  it('a node that says ok: exposed, critical, its name, version, flags; the open-port risk', () => {
    const r = recordOf(fixture('otp25-hs-v6-rabbit.hex'));
    expect(r).toMatchObject({
      probe: 'dist',
      status: 'erlang-distribution',
      exposed: true,
      severity: 'critical',
    });
    expect(r.detail).toEqual({
      handshake: { outcome: 'status', status: 'ok' },
      fullName: 'rabbit@vm',
      version: 6,
      flags: '0xd07df7fbd',
      hidden: false,
      cookie: null,
    });
    expect(r.risks).toEqual([
      'Erlang distribution port open: rabbit@vm takes connections from anyone who reaches port 25672 (its cookie is all that stands in the way of remote code execution)',
    ]);
  });
  it('not_allowed and tls keep --severity, with their own risk', () => {
    const refused = recordOf(fixture('otp27-hs-otp25flags-otp27a.hex'), 9100);
    expect(refused).toMatchObject({ exposed: true, severity: 'high' });
    expect(refused.risks).toEqual([
      'Erlang distribution port 9100 reachable; the node answered not_allowed',
    ]);
    const tls = recordOf(fixture('otp25-hs-v6-tlsdist.hex'), 9100);
    expect(tls).toMatchObject({ status: 'tls', exposed: true, severity: 'high' });
    expect(tls.detail?.handshake).toEqual({ outcome: 'tls' });
    expect(tls.risks).toEqual([
      'distribution over TLS: a cookie alone may not be enough; check verify_peer (port 9100)',
    ]);
  });
  it('an accepted cookie comes first; CouchDB gets the CVE risk until a cookie answers', () => {
    const name = Buffer.from('couchdb@db1');
    const body = Buffer.alloc(19);
    body[0] = 0x4e;
    body.writeBigUInt64BE(0xd07df7fbdn, 1);
    body.writeUInt16BE(name.length, 17);
    const challenge = Buffer.concat([body, name]);
    const bytes = Buffer.concat([
      Buffer.from('0003736f6b', 'hex'),
      Buffer.from([challenge.length >> 8, challenge.length & 255]),
      challenge,
    ]);
    expect(recordOf(bytes, 9100).risks?.[0]).toBe(
      'CouchDB node couchdb@db1 with a reachable distribution port 9100: check the default cookie (CVE-2022-24706)',
    );
    const taken = recordOf(bytes, 9100, { outcome: 'accepted', cookie: 'monster' });
    expect(taken.risks?.[0]).toBe(
      "default cookie 'monster' accepted: remote code execution on couchdb@db1:9100",
    );
    expect(taken.risks?.join('\n')).not.toContain('CVE-2022-24706');
    expect(distKind.fixes(taken).product).toEqual([
      'now: give couchdb@db1 a new long random cookie and restart it (anyone reaching its port can run code)',
      'CouchDB: upgrade to 3.2.2 or later and set a unique -setcookie in vm.args',
    ]);
    expect(distKind.nodes(taken)).toEqual([
      { name: 'couchdb@db1', port: 9100, reached: true, acceptedCookie: 'monster' },
    ]);
  });
  it('AMQP: no exposure, no detail, no risk', () => {
    const r = recordOf(fixture('rabbitmq-3.10-amqp-reply.hex'), 5672);
    expect(r).toMatchObject({
      status: 'not-erlang-distribution',
      exposed: false,
      detail: null,
      error: 'bad-frame',
    });
    expect(r.risks).toBeUndefined();
    expect(distKind.nodes(r)).toEqual([]);
  });
  it('a detail survives a JSON round trip (the found log) and garbage is no detail', () => {
    const r = recordOf(fixture('otp27-hs-v6-otp27b.hex'), 9100, { outcome: 'rejected' });
    expect(isDistDetail(JSON.parse(JSON.stringify(r.detail)))).toBe(true);
    for (const bad of [null, 1, {}, { handshake: 'ok' }, { ...r.detail, version: 7 }]) {
      expect(isDistDetail(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('how a dist record shows', () => {
  it('CSV: scan_epmd cells, then dist_status, version, flags, cookie', () => {
    const r = recordOf(fixture('otp27-hs-v6-otp27b.hex'), 9100, {
      outcome: 'accepted',
      cookie: 'monster',
    });
    expect(distKind.csv.columns.slice(-5)).toEqual([
      'nodes',
      'dist_status',
      'version',
      'flags',
      'cookie',
    ]);
    expect(distKind.csv.cells(r, { nodeSeparator: ';' })).toEqual({
      tag: 'erlang-dist',
      nodes: 'otp27b@127.5.0.1,9100',
      dist_status: 'ok',
      version: 6,
      flags: '0xd07df7fbc',
      cookie: 'accepted: monster',
    });
  });
  it('a hostile full name: the separator escaped, a formula guarded', () => {
    const name = Buffer.from('=cmd;x@h');
    const body = Buffer.alloc(19);
    body[0] = 0x4e;
    body.writeUInt16BE(name.length, 17);
    const ch = Buffer.concat([body, name]);
    const r = recordOf(
      Buffer.concat([Buffer.from('0003736f6b', 'hex'), Buffer.from([0, ch.length]), ch]),
      9100,
    );
    expect(distKind.csv.cells(r, { nodeSeparator: ';' }).nodes).toBe("'=cmd\\x3bx@h,9100");
  });
  it('NDJSON: the dist fields after exposed, valid against the schema', () => {
    for (const [file, port] of [
      ['otp25-hs-v6-rabbit.hex', 25672],
      ['otp25-hs-v6-tlsdist.hex', 9100],
      ['rabbitmq-3.10-amqp-reply.hex', 5672],
    ] as const) {
      const json = recordJson(recordOf(fixture(file), port));
      expect(validateRecord(json), `${file}: ${JSON.stringify(validateRecord.errors)}`).toBe(true);
      expect(Object.keys(json).slice(4, 14)).toEqual([
        'probe',
        'status',
        'exposed',
        'dist_status',
        'full_name',
        'version',
        'flags',
        'hidden',
        'cookie',
        'cookie_error',
      ]);
    }
  });
  it('table and HTML: the answer and the node', () => {
    const r = recordOf(fixture('otp27-hs-v6-otp27b.hex'), 9100);
    expect(distKind.table.cells(r)).toEqual(['ok', 'otp27b@127.5.0.1(hidden)']);
    expect(distKind.html.cells(r)).toEqual([
      'ok',
      {
        items: [
          {
            code: 'otp27b@127.5.0.1:9100',
            notes: ['distribution version 6', 'flags 0xd07df7fbc', 'hidden'],
          },
        ],
        empty: '(no name)',
      },
    ]);
    const tls = recordOf(fixture('otp25-hs-v6-tlsdist.hex'), 9100);
    expect(distKind.table.cells(tls)).toEqual(['tls', '(no name)']);
  });
});
