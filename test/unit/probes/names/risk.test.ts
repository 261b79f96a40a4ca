import { describe, expect, it } from 'vitest';
import { remediationFor } from '../../../../src/probes/names/fixes.js';
import type { NodeEntry } from '../../../../src/probes/names/index.js';
import { assess } from '../../../../src/probes/names/risk.js';
import type { CookieOutcome } from '../../../../src/probes/outcomes.js';
import { names } from '../../../helpers/records.js';

const exposure = (nodes: NodeEntry[]) =>
  names({ ip: '192.0.2.7', port: 4369, status: 'epmd', epmdPort: 4369, nodes });

describe('risks from the distribution checks', () => {
  it('an accepted default cookie is critical, first among the risks, with a fix', () => {
    const r = exposure([
      { name: 'couchdb', port: 9100, cookie: { outcome: 'accepted', cookie: 'monster' } },
    ]);
    assess(r);
    expect(r.severity).toBe('critical');
    expect(r.risks?.[0]).toBe(
      "default cookie 'monster' accepted: remote code execution on couchdb:9100",
    );
    expect(remediationFor(r).product[0]).toMatch(/^now: give couchdb a new long random cookie/);
  });
  it('a cookie from a file is named by its position only', () => {
    const r = exposure([
      { name: 'rabbit', port: 25672, cookie: { outcome: 'accepted', cookie: 'file entry #2' } },
    ]);
    assess(r);
    expect(r.risks?.[0]).toBe(
      'cookie file entry #2 accepted: remote code execution on rabbit:25672',
    );
  });
  it("once the cookies were tried, CouchDB's 'check the default cookie' gives way to the answer", () => {
    const couch = (cookie?: CookieOutcome) => {
      const r = exposure([{ name: 'couchdb', port: 9100, distReachable: true, cookie }]);
      assess(r);
      return (r.risks ?? []).filter((x) => x.includes('check the default cookie'));
    };
    expect(couch()).toHaveLength(1);
    expect(couch({ outcome: 'inconclusive', error: 'io-timeout' })).toHaveLength(1);
    expect(couch({ outcome: 'rejected' })).toHaveLength(0);
    expect(couch({ outcome: 'accepted', cookie: 'monster' })).toHaveLength(0);
  });
  it('a rejected cookie on an unreached node changes nothing', () => {
    const r = exposure([{ name: 'rabbit', port: 25672, cookie: { outcome: 'rejected' } }]);
    assess(r);
    expect(r.severity).toBe('high');
    expect(r.risks).toBeUndefined();
  });
  it('TLS distribution says that a cookie alone may not be enough', () => {
    const r = exposure([
      { name: 'tlsnode', port: 4000, handshake: { outcome: 'tls' }, distReachable: true },
    ]);
    assess(r);
    expect(r.risks).toContain(
      'distribution over TLS: a cookie alone may not be enough; check verify_peer (tlsnode:4000)',
    );
    expect(r.severity).toBe('critical'); // its port is reachable, as before
  });
  it('ejabberd gets its own advice: cookie file, INET_DIST_INTERFACE, ERLANG_NODE', () => {
    const fix = remediationFor(exposure([{ name: 'ejabberd', port: 37299 }]));
    const advice = fix.product.find((p) => p.startsWith('ejabberd:'));
    expect(advice).toContain('.erlang.cookie');
    expect(advice).toContain('INET_DIST_INTERFACE=127.0.0.1');
    expect(advice).toContain('ERLANG_NODE');
    expect(remediationFor(exposure([{ name: 'rabbit', port: 1 }])).product.join()).not.toContain(
      'ejabberd',
    );
  });
});
