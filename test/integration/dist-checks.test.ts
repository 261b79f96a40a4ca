// The distribution checks against real OTP nodes behind a real epmd that
// listens on several loopback addresses (one host reached through many):
// concurrent handshakes, a TLS distribution node, and --check-cookies on a
// node with CouchDB's default cookie and on one with a random cookie. The
// cookie nodes print their process count on request and every nodeup and
// nodedown they see, so the test can tell that the scanner ran nothing there.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NodeEntry, nodesOf } from '../../src/probes/names/index.js';
import type { ScanRecord } from '../../src/record.js';
import { scan } from '../../src/scan/scan.js';
import { runCli } from '../helpers/cli.js';
import {
  type ErlNode,
  type RealEpmd,
  realPeersOrSkip,
  startEpmd,
  waitFor,
} from '../helpers/real-epmd.js';
import { startTlsNode, tlsOrSkip } from '../helpers/tls-node.js';

const real = realPeersOrSkip();

const tls = tlsOrSkip(real);

/** Ten loopback addresses: the same host (and the same nodes) reached ten ways. */
const ADDRESSES = ['127.0.0.1', ...Array.from({ length: 9 }, (_, i) => `127.13.0.${i + 2}`)];

/**
 * Prints `ready`; then every nodeup/nodedown (hidden nodes included) and, for
 * each line read on stdin, `processes <count>`.
 */
const WATCHER = [
  'spawn(fun() -> net_kernel:monitor_nodes(true, [{node_type, all}]),',
  '  (fun L() -> receive {E, N, _} -> io:format("~s ~s~n", [E, N]) end, L() end)() end),',
  'spawn(fun() -> (fun L() -> case io:get_line("") of eof -> ok;',
  '  _ -> io:format("processes ~p~n", [length(erlang:processes())]), L() end end)() end),',
  'io:format("ready~n").',
].join(' ');

/** Asks a watcher node for its process count. */
async function processCount(node: ErlNode): Promise<number> {
  const before = node.log().match(/processes \d+/g)?.length ?? 0;
  node.process.stdin?.write('count\n');
  let count = -1;
  await waitFor(`process count of ${node.name}`, async () => {
    const all = [...node.log().matchAll(/processes (\d+)/g)];
    if (all.length <= before) return false;
    count = Number(all.at(-1)?.[1]);
    return true;
  });
  return count;
}

/** Waits (bounded) until the node's process count is back to `expected`; returns the last count. */
async function settlesAt(node: ErlNode, expected: number): Promise<number> {
  let last = -1;
  try {
    await waitFor(
      `${node.name} back to ${expected} processes`,
      async () => {
        last = await processCount(node);
        return last === expected;
      },
      10_000,
    );
  } catch {
    // The assertion on the returned count says what went wrong.
  }
  return last;
}

async function records(options: Parameters<typeof scan>[0]): Promise<ScanRecord[]> {
  const out: ScanRecord[] = [];
  for await (const r of scan(options)) out.push(r);
  return out;
}

const byName = (r: ScanRecord) => new Map<string, NodeEntry>(nodesOf(r).map((n) => [n.name, n]));

describe.runIf(real)('distribution checks on real OTP nodes', () => {
  let epmd: RealEpmd;
  let couch: ErlNode;
  let secret: ErlNode;
  let dir: string;
  const host = hostname().split('.')[0];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'epmd-scan-dist-'));
    epmd = await startEpmd(ADDRESSES);
    const tlsNode = tls ? startTlsNode(epmd, dir) : Promise.resolve(null);
    [, couch, secret] = await Promise.all([
      epmd.startNode('rabbit'),
      epmd.startNode('couchdb', [], { cookie: 'monster', eval: WATCHER, stdin: true }),
      epmd.startNode('secret', [], {
        cookie: randomBytes(16).toString('hex'),
        eval: WATCHER,
        stdin: true,
      }),
      tlsNode,
    ]);
  }, 60_000);
  afterAll(async () => {
    await epmd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('40 concurrent handshakes (10 addresses x 4 nodes): every one ok with its full name', async () => {
    const rs = await records({
      targets: ADDRESSES,
      ports: [epmd.port],
      handshake: true,
      workers: 0,
    });
    expect(rs).toHaveLength(ADDRESSES.length);
    for (const r of rs) {
      expect(r.status, r.ip).toBe('epmd');
      const nodes = byName(r);
      for (const name of ['rabbit', 'couchdb', 'secret']) {
        expect(nodes.get(name), `${r.ip} ${name}`).toMatchObject({
          handshake: { outcome: 'status', status: 'ok' },
          fullName: `${name}@${host}`,
        });
        expect(nodes.get(name)?.flags).toMatch(/^0x[0-9a-f]+$/);
      }
    }
  });

  it.runIf(tls)('a TLS distribution node is tls, with the verify_peer risk', async () => {
    const [r] = await records({ targets: ['127.0.0.1'], ports: [epmd.port], handshake: true });
    const tls = r ? byName(r).get('tlsnode') : undefined;
    expect(tls).toMatchObject({ handshake: { outcome: 'tls' }, distReachable: true });
    expect(tls?.fullName).toBeUndefined();
    expect(r?.risks).toContain(
      `distribution over TLS: a cookie alone may not be enough; check verify_peer (tlsnode:${tls?.port})`,
    );
  });

  it('--check-cookies: monster is accepted on couchdb, the random cookie rejected; nothing runs there', async () => {
    const couchBefore = await processCount(couch);
    const secretBefore = await processCount(secret);
    const nd = await runCli([
      '127.0.0.1',
      '-p',
      String(epmd.port),
      '--check-cookies',
      '-f',
      'ndjson',
      '-n',
    ]);
    expect(nd.code).toBe(0);
    expect(nd.stderr).toContain('warning: --check-cookies authenticates');
    const rec = JSON.parse(nd.stdout);
    const nodes = new Map<string, Record<string, unknown>>(
      rec.nodes.map((n: { name: string }) => [n.name, n]),
    );
    expect(nodes.get('couchdb')).toMatchObject({ dist_status: 'ok', cookie: 'accepted: monster' });
    expect(nodes.get('secret')).toMatchObject({ dist_status: 'ok', cookie: 'rejected' });
    expect(nodes.get('rabbit')).toMatchObject({ cookie: 'rejected' });
    if (tls)
      expect(nodes.get('tlsnode')).toMatchObject({ dist_status: 'tls', cookie: 'not-tried' });
    expect(rec.severity).toBe('critical');
    expect(rec.follow_ups_cut).toEqual([]);
    expect(rec.risks[0]).toBe(
      `default cookie 'monster' accepted: remote code execution on couchdb:${nodes.get('couchdb')?.port}`,
    );

    // couchdb saw our hidden node come up and go down, and nothing else.
    await waitFor('nodedown on couchdb', async () => /nodedown epmd-scan-/.test(couch.log()));
    const events = couch.log().match(/^node(up|down) .*$/gm) ?? [];
    expect(events).toHaveLength(2);
    expect(events[0]).toMatch(/^nodeup epmd-scan-[0-9a-f]{12}@scanner$/);
    expect(events[1]).toBe(events[0]?.replace('nodeup', 'nodedown'));
    // secret refused three digests (monster, the empty cookie, its name) and let no one in.
    await waitFor('three refusals logged on secret', async () => {
      return (secret.log().match(/Invalid challenge reply/g) ?? []).length === 3;
    });
    expect(secret.log()).not.toMatch(/nodeup/);
    // No process the scanner could have started is left on either node.
    expect(await settlesAt(couch, couchBefore)).toBe(couchBefore);
    expect(await settlesAt(secret, secretBefore)).toBe(secretBefore);
  });

  it('the CSV row of a node that took a default cookie is critical', async () => {
    const csv = await runCli(['127.0.0.1', '-p', String(epmd.port), '--check-cookies', '-q', '-n']);
    const row = csv.stdout.trim().split('\n')[1] ?? '';
    expect(row).toMatch(/^"[^"]+","critical","127\.0\.0\.1","tcp",/);
  });

  it('a cookie from a file is tried and reported by its position, never by its value', async () => {
    const file = join(dir, 'cookies.txt');
    execFileSync('sh', ['-c', `printf 'wrong-one\\nmonster\\n' > '${file}'`]);
    const nd = await runCli([
      '127.0.0.1',
      '-p',
      String(epmd.port),
      '--check-cookies',
      file,
      '-f',
      'ndjson',
      '-q',
      '-n',
    ]);
    const rec = JSON.parse(nd.stdout);
    const couchdb = rec.nodes.find((n: { name: string }) => n.name === 'couchdb');
    expect(couchdb.cookie).toBe('accepted: file entry #2');
    expect(nd.stdout).not.toContain('monster');
    expect(nd.stdout).not.toContain('wrong-one');
  });
});
