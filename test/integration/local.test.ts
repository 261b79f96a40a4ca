// @local inside a network namespace this test creates: the namespace's own
// addresses are the only ones listed and scanned.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, csvLines } from '../helpers/cli.js';
import { createNetns, type Netns, netnsOrSkip } from '../helpers/netns.js';
import { EPMD, freePort, HAVE_ERLANG } from '../helpers/real-epmd.js';

const ok = netnsOrSkip('@local tests');

function inNs(ns: Netns, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(ns.exec[0] as string, [...ns.exec.slice(1), process.execPath, BIN, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe.runIf(ok)('@local in a private network namespace', () => {
  let ns: Netns;
  let epmd: ChildProcess | null = null;
  beforeAll(() => {
    ns = createNetns();
    // Extra addresses on the namespace's own loopback (no dummy/veth driver needed).
    ns.ip('addr', 'add', '10.77.0.1/32', 'dev', 'lo');
    ns.ip('addr', 'add', '2001:db8:77::1/128', 'dev', 'lo');
  });
  afterAll(() => {
    if (epmd?.pid) process.kill(epmd.pid, 'SIGKILL');
    ns?.remove();
  });

  it("lists exactly the namespace's addresses", () => {
    const r = inNs(ns, ['@local', '--list-targets']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(
      ['10.77.0.1', '127.0.0.1', '2001:db8:77::1', '::1'].sort(),
    );
  });

  it.runIf(HAVE_ERLANG)(
    'finds an epmd listening on every interface; its loopback answers are local-only',
    async () => {
      // Any port is free in a fresh namespace; take an ephemeral one all the same.
      const port = String(await freePort());
      epmd = spawn(ns.exec[0] as string, [...ns.exec.slice(1), EPMD as string, '-port', port], {
        stdio: 'ignore',
      });
      // Wait (bounded) until epmd answers inside the namespace.
      let r = inNs(ns, ['@local', '-p', port, '-n']);
      for (let i = 0; i < 100 && csvLines(r.stdout).length < 3; i++) {
        await new Promise((res) => setTimeout(res, 50));
        r = inNs(ns, ['@local', '-p', port, '-n']);
      }
      expect(r.code).toBe(0);
      const ips = csvLines(r.stdout)
        .slice(1)
        .map((row) => row.split(',')[2]);
      // Rows for the addresses other hosts can reach; loopback is not an exposure.
      expect(ips.sort()).toEqual(['"10.77.0.1"', '"2001:db8:77::1"'].sort());
      const all = inNs(ns, ['@local', '-p', port, '-n', '-f', 'ndjson', '--all']);
      const statuses = Object.fromEntries(
        csvLines(all.stdout).map((l) => {
          const j = JSON.parse(l) as { ip: string; status: string };
          return [j.ip, j.status];
        }),
      );
      expect(statuses).toEqual({
        '10.77.0.1': 'epmd',
        '2001:db8:77::1': 'epmd',
        '127.0.0.1': 'local-only',
        '::1': 'local-only',
      });
      if (epmd?.pid) process.kill(epmd.pid, 'SIGKILL');
      epmd = null;
    },
  );

  it.runIf(HAVE_ERLANG)(
    'the README fix works: epmd bound to loopback, @local shows no exposure and says so',
    async () => {
      const port = String(await freePort());
      epmd = spawn(
        ns.exec[0] as string,
        [...ns.exec.slice(1), EPMD as string, '-port', port, '-address', '127.0.0.1,::1'],
        { stdio: 'ignore' },
      );
      let r = inNs(ns, ['@local', '-p', port, '-n', '--fail-on-exposed']);
      for (let i = 0; i < 100 && !/local-only 2/.test(r.stderr); i++) {
        await new Promise((res) => setTimeout(res, 50));
        r = inNs(ns, ['@local', '-p', port, '-n', '--fail-on-exposed']);
      }
      expect(r.code).toBe(0);
      expect(csvLines(r.stdout)).toHaveLength(1); // the header only
      expect(r.stderr).toContain('exposed EPMDs 0');
      expect(r.stderr).toMatch(
        /epmd answers on loopback only \(127\.0\.0\.1:\d+, \[::1\]:\d+\): no other host reaches it/,
      );
      expect(r.stderr).not.toContain('how to fix');
    },
  );
});
