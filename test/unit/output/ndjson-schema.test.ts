// The NDJSON contract: every status and every follow-up gives a record that
// schema/record.schema.json accepts, with one shape (every field present,
// null for absent values), and the schema refuses the old mixed shapes.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ndjsonFormatter, recordJson } from '../../../src/output/ndjson.js';
import { DIST_STATUSES, distRecord } from '../../../src/probes/dist/index.js';
import { assess } from '../../../src/probes/names/risk.js';
import { STATUSES, type Status } from '../../../src/probes/registry.js';
import type { ScanRecord } from '../../../src/record.js';
import { names } from '../../helpers/records.js';
import { SCHEMA_PATH, schemaErrors } from '../../helpers/schema.js';

const schema = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as {
  required: string[];
  $defs: { node: { required: string[] } };
};
const when = new Date(Date.UTC(2026, 10, 23, 1, 2, 3));

/** The fields of each kind beyond the envelope's. */
const KIND_FIELDS: Record<string, string[]> = {
  names: ['epmd_port', 'nodes', 'truncated'],
  dist: ['dist_status', 'full_name', 'version', 'flags', 'hidden', 'cookie', 'cookie_error'],
};

const ERROR_OF: Record<Status, string | null> = {
  epmd: null,
  'not-epmd': 'bad-header',
  'erlang-distribution': null,
  tls: null,
  'not-erlang-distribution': 'bad-frame',
  refused: 'connection-refused',
  timeout: 'connection-timeout',
  unreachable: 'host-unreachable',
  error: 'eaddrnotavail',
  'local-only': null,
};

/** A dist record of one of the dist kind's own statuses, as the probe makes it. */
function distOf(status: Status): ScanRecord {
  const handshake =
    status === 'tls'
      ? ({ outcome: 'tls' } as const)
      : ({ outcome: 'status', status: 'ok' } as const);
  const ok = status === 'erlang-distribution';
  return distRecord({
    ip: '192.0.2.7',
    port: 25672,
    status,
    timestamp: when,
    error: ERROR_OF[status],
    severity: 'high',
    detail:
      status === 'not-erlang-distribution'
        ? null
        : {
            handshake,
            fullName: ok ? 'rabbit@db1' : null,
            version: ok ? 6 : null,
            flags: ok ? '0xd07df7fbd' : null,
            hidden: ok ? false : null,
            cookie: null,
          },
  });
}

/** A record of each status as the probe makes it, not enriched. */
function ofStatus(status: Status): ScanRecord {
  if (DIST_STATUSES.some((s) => s.name === status)) return distOf(status);
  return names({
    ip: status === 'timeout' ? '2001:db8::7' : '192.0.2.7',
    port: 4369,
    status,
    timestamp: when,
    error: ERROR_OF[status],
    ...(status === 'epmd' || status === 'local-only'
      ? { epmdPort: 4369, nodes: [{ name: 'rabbit', port: 25672 }] }
      : {}),
  });
}

/** An exposure with every follow-up answered, enriched, and cut short by the budget. */
function everything(): ScanRecord {
  const r = names({
    ip: '216.160.83.56',
    port: 4369,
    status: 'epmd',
    timestamp: when,
    epmdPort: 4369,
    error: 'io-timeout',
    truncated: true,
    hostname: 'mq.milton.example',
    hostnameSource: 'ptr',
    asn: 209,
    geo: 'US',
    region: 'Washington',
    city: 'Milton',
    naics: 221122,
    sector: 'Energy',
    nodes: [
      {
        name: 'couchdb',
        port: 9100,
        type: 'normal',
        protocol: 0,
        highestVersion: 6,
        lowestVersion: 5,
        distReachable: true,
        handshake: { outcome: 'status', status: 'ok' },
        fullName: 'couchdb@db1',
        flags: '0x3499ffffd',
        cookie: { outcome: 'accepted', cookie: 'monster' },
      },
      {
        name: 'rabbit',
        port: 25672,
        nodeInfoError: 'unknown-node',
        distReachable: true,
        handshake: { outcome: 'status', status: 'ok' },
        cookie: { outcome: 'inconclusive', error: 'io-timeout' },
      },
      { name: 'hidden\\x00c', port: 4000, type: 'hidden', distReachable: false },
      {
        name: 'tls',
        port: 4001,
        handshake: { outcome: 'tls' },
        cookie: { outcome: 'not-tried' },
      },
    ],
    followUpsCut: ['handshake', 'check-cookies'],
  });
  assess(r);
  return r;
}

describe('the NDJSON record schema', () => {
  it.each(STATUSES)('accepts a %s record, and it has one shape', (status) => {
    const r = ofStatus(status);
    const j = recordJson(r);
    expect(schemaErrors(j)).toEqual([]);
    expect(Object.keys(j).sort()).toEqual(
      [...schema.required, ...(KIND_FIELDS[r.probe] as string[])].sort(),
    );
    expect(j.risks).toEqual([]);
    expect(j.follow_ups_cut).toEqual([]);
    for (const k of ['hostname', 'hostname_source', 'geo', 'region', 'city', 'sector', 'asn']) {
      expect(j[k], k).toBeNull();
    }
    if (r.probe === 'dist') {
      const exposed = status !== 'not-erlang-distribution';
      expect(j).toMatchObject({ exposed, tag: exposed ? 'erlang-dist' : null });
      const answer: Record<string, string> = { tls: 'tls', 'erlang-distribution': 'ok' };
      expect(j.dist_status).toBe(answer[status] ?? null);
      return;
    }
    expect(j).toMatchObject({ probe: 'names', exposed: status === 'epmd' });
    if (status === 'epmd') {
      expect(j).toMatchObject({ severity: 'high', tag: 'epmd', epmd_port: 4369 });
    } else if (status === 'local-only') {
      // Its reply is kept (port and nodes), but it is no exposure.
      expect(j).toMatchObject({ severity: null, tag: null, epmd_port: 4369 });
    } else {
      expect(j).toMatchObject({ severity: null, tag: null, epmd_port: null, nodes: [] });
    }
  });

  it('every line --all writes validates, whatever the status', () => {
    const f = ndjsonFormatter({ all: true });
    // It asks for every record: the CLI then makes even the refusals it would only count.
    expect(f.everyRecord).toBe(true);
    expect(ndjsonFormatter({ all: false }).everyRecord).toBe(false);
    for (const status of STATUSES) {
      const line = f.format(ofStatus(status));
      expect(schemaErrors(JSON.parse(line)), status).toEqual([]);
    }
  });

  it('accepts an exposure with every follow-up, risks, enrichment and a cut budget', () => {
    const j = recordJson(everything());
    expect(schemaErrors(j)).toEqual([]);
    expect(j.severity).toBe('critical');
    expect((j.risks as string[]).length).toBeGreaterThan(0);
    expect(j.follow_ups_cut).toEqual(['handshake', 'check-cookies']);
    const nodes = j.nodes as Record<string, unknown>[];
    for (const n of nodes)
      expect(Object.keys(n).sort()).toEqual([...schema.$defs.node.required].sort());
    expect(nodes[0]).toMatchObject({
      type: 'normal',
      highest_version: 6,
      full_name: 'couchdb@db1',
      cookie: 'accepted: monster',
      cookie_error: null,
      node_info_error: null,
    });
    expect(nodes[1]).toMatchObject({ cookie: 'inconclusive', cookie_error: 'io-timeout' });
    expect(nodes[2]).toMatchObject({ type: 'hidden', dist_reachable: false, dist_status: null });
    expect(nodes[3]).toMatchObject({ dist_status: 'tls', cookie: 'not-tried' });
  });

  it('a node no follow-up was asked for has every follow-up field, null', () => {
    const j = recordJson(ofStatus('epmd'));
    expect((j.nodes as unknown[])[0]).toEqual({
      name: 'rabbit',
      port: 25672,
      type: null,
      protocol: null,
      highest_version: null,
      lowest_version: null,
      node_info_error: null,
      dist_reachable: null,
      dist_status: null,
      full_name: null,
      flags: null,
      cookie: null,
      cookie_error: null,
    });
  });

  it('refuses the shapes of before: "" for absent text, severity on a refusal, missing risks', () => {
    const ok = recordJson(ofStatus('refused'));
    expect(schemaErrors({ ...ok, geo: '' })).not.toEqual([]);
    expect(schemaErrors({ ...ok, sector: '' })).not.toEqual([]);
    expect(schemaErrors({ ...ok, severity: 'high', tag: 'epmd' })).not.toEqual([]);
    const { risks: _r, ...noRisks } = ok;
    expect(schemaErrors(noRisks)).not.toEqual([]);
    const { follow_ups_cut: _c, ...noCut } = ok;
    expect(schemaErrors(noCut)).not.toEqual([]);
    expect(schemaErrors({ ...ok, surprise: 1 })).not.toEqual([]);
    const exposed = recordJson(ofStatus('epmd'));
    expect(schemaErrors({ ...exposed, severity: null })).not.toEqual([]);
    expect(schemaErrors({ ...exposed, epmd_port: null })).not.toEqual([]);
    const nodes = exposed.nodes as Record<string, unknown>[];
    const { cookie: _k, ...nodeWithout } = nodes[0] as Record<string, unknown>;
    expect(schemaErrors({ ...exposed, nodes: [nodeWithout] })).not.toEqual([]);
  });

  it('ships in the package', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'));
    expect(pkg.files).toContain('schema');
  });
});
