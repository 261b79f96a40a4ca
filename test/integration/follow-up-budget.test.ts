// --follow-up-timeout: all of one EPMD's follow-ups end within one budget,
// however many nodes it lists and however slow they are. A fake epmd lists 40
// nodes whose ports accept and never answer, and never answers PORT_PLEASE2.
// What shows the cut is what the peers saw and what the record says, never
// the wall clock (timings belong to npm run bench).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type FakeServer, fakeServer, header } from '../helpers/fake-server.js';

describe('the follow-up budget', () => {
  let silent: FakeServer;
  let epmd: FakeServer;
  /** Connections the nodes' silent port has taken so far. */
  let reached = 0;
  beforeAll(async () => {
    silent = await fakeServer(() => {
      reached++;
    });
    epmd = await fakeServer(async (socket, request) => {
      const req = await request;
      if (req.subarray(0, 3).toString('hex') !== '00016e') return; // PORT_PLEASE2: silence
      const lines = Array.from({ length: 40 }, (_, i) => `name n${i} at port ${silent.port}\n`);
      socket.end(Buffer.concat([header(4369), Buffer.from(lines.join(''))]));
    });
  });
  afterAll(async () => {
    await epmd.close();
    await silent.close();
  });

  it('40 silent nodes with --node-info --handshake: cut at the budget, and the record says so', async () => {
    const nd = await runCli([
      '127.0.0.1',
      '-p',
      String(epmd.port),
      '--node-info',
      '--handshake',
      '--timeout',
      '1000',
      '--follow-up-timeout',
      '2000',
      '-f',
      'ndjson',
      '-q',
      '-n',
    ]);
    expect(nd.code).toBe(0);
    const rec = JSON.parse(nd.stdout);
    expect(rec.status).toBe('epmd');
    expect(rec.nodes).toHaveLength(40);
    expect(rec.follow_ups_cut).toEqual(['node-info', 'handshake']);
    // The nodes reached before the cut say what they found; the rest say nothing.
    const timedOut = rec.nodes.filter((n: { node_info_error?: string }) => n.node_info_error);
    expect(timedOut.length).toBeGreaterThan(0);
    expect(timedOut.length).toBeLessThan(32);
    expect(timedOut[0].node_info_error).toBe('io-timeout');
  });

  it('a wait for a --rate token ends with the budget too', async () => {
    const before = reached;
    const nd = await runCli([
      '127.0.0.1',
      '-p',
      String(epmd.port),
      '--check-dist',
      '--rate',
      '1',
      '--follow-up-timeout',
      '500',
      '-f',
      'ndjson',
      '-q',
      '-n',
    ]);
    expect(nd.code).toBe(0);
    expect(JSON.parse(nd.stdout).follow_ups_cut).toEqual(['check-dist']);
    // At one connection a second, the 500 ms budget ends the wait for tokens
    // long before the 32 checked nodes are reached: most never are.
    expect(reached - before).toBeLessThan(4);
  });

  it('a budget that is enough cuts nothing', async () => {
    const nd = await runCli([
      '127.0.0.1',
      '-p',
      String(epmd.port),
      '--check-dist',
      '-f',
      'ndjson',
      '-q',
      '-n',
    ]);
    const rec = JSON.parse(nd.stdout);
    expect(rec.nodes.filter((n: { dist_reachable?: boolean }) => n.dist_reachable)).toHaveLength(
      32,
    );
    expect(rec.follow_ups_cut).toEqual([]);
  });
});
