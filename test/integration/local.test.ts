// @local inside a network namespace this test creates: the namespace's own
// addresses are the only ones listed and scanned.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, csvLines } from '../helpers/cli.js';
import { createNetns, type Netns, netnsOrSkip } from '../helpers/netns.js';
import { EPMD, freePort, HAVE_ERLANG } from '../helpers/real-epmd.js';

const ok = netnsOrSkip('@local tests');

function inNs(ns: Netns, args: string[]): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(
      ns.exec[0] as string,
      [...ns.exec.slice(1), process.execPath, BIN, ...args],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 20_000,
      },
    );
    return { code: 0, stdout, stderr: '' };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { code: e.status, stdout: e.stdout, stderr: e.stderr };
  }
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

  it.runIf(HAVE_ERLANG)('finds an epmd listening on every interface of the host', async () => {
    // Any port is free in a fresh namespace; take an ephemeral one all the same.
    const port = String(await freePort());
    epmd = spawn(ns.exec[0] as string, [...ns.exec.slice(1), EPMD as string, '-port', port], {
      stdio: 'ignore',
    });
    // Wait (bounded) until epmd answers inside the namespace.
    let r = inNs(ns, ['@local', '-p', port, '-n']);
    for (let i = 0; i < 100 && csvLines(r.stdout).length < 5; i++) {
      await new Promise((res) => setTimeout(res, 50));
      r = inNs(ns, ['@local', '-p', port, '-n']);
    }
    expect(r.code).toBe(0);
    const ips = csvLines(r.stdout)
      .slice(1)
      .map((row) => row.split(',')[2]);
    expect(ips.sort()).toEqual(['"10.77.0.1"', '"127.0.0.1"', '"2001:db8:77::1"', '"::1"'].sort());
  });
});
