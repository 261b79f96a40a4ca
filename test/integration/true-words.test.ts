// Words that must be exactly true, run against the built CLI: -q prints
// nothing but errors (no note about the open-file limit or the socket path),
// and --version --verbose names the connect path a scan would really take.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { type FakeServer, rabbitEpmd } from '../helpers/fake-server.js';

let epmd: FakeServer;
beforeAll(async () => {
  epmd = await rabbitEpmd();
});
afterAll(() => epmd?.close());

/** The CLI under a low open-file limit (sh's ulimit), so -c 1024 must be lowered. */
const lowLimit = (args: string[]): Promise<Awaited<ReturnType<typeof runCli>>> =>
  runCli(args, { prefix: ['sh', '-c', 'ulimit -n 200 && exec "$@"', 'sh'] });

describe('-q: nothing on stderr but errors', () => {
  it('no note that -c was lowered to fit the open-file limit (which a run without -q gives)', async () => {
    const args = ['127.0.0.1', '-p', String(epmd.port), '-n', '-c', '1024'];
    const loud = await lowLimit(args);
    expect(loud.stderr).toMatch(/concurrency lowered from 1024 to \d+ to fit the open-file limit/);
    const quiet = await lowLimit([...args, '-q']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    expect(quiet.stdout).toContain('"rabbit,25672"');
  });
  it('no note about the portable socket path when the bare handles are refused', async () => {
    const env = { NODE_OPTIONS: '--pending-deprecation' };
    const args = ['127.0.0.1', '-p', String(epmd.port), '-n'];
    expect((await runCli(args, { env })).stderr).toMatch(/note: connecting with net\.connect/);
    const quiet = await runCli([...args, '-q'], { env });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
  });
  it('an error still reaches stderr', async () => {
    const r = await runCli(['127.0.0.1', '--baseline', '/nonexistent/b.csv', '-q']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot read the baseline/);
  });
});

describe('--version --verbose names the connect path a scan takes', () => {
  it.each([
    [{}, /^sockets: bare tcp_wrap handles/],
    [
      { EPMD_SCAN_PORTABLE_SOCKETS: '1' },
      /^sockets: net\.Socket \(portable path: chosen by EPMD_SCAN_PORTABLE_SOCKETS\)$/,
    ],
    [
      { EPMD_SCAN_PORTABLE: '1' },
      /^sockets: net\.Socket \(portable path: chosen by EPMD_SCAN_PORTABLE\)$/,
    ],
    [
      { NODE_OPTIONS: '--pending-deprecation' },
      /^sockets: net\.Socket \(portable path: .*--pending-deprecation\)$/,
    ],
  ])('%o', async (env, line) => {
    const r = await runCli(['--version', '--verbose'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[2]).toMatch(line);
  });
});
