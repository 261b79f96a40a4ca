// A real epmd with real Erlang nodes, for integration tests. epmd listens on
// a free port on loopback only; nodes register through ERL_EPMD_PORT. Every
// process is started in its own process group and killed by pid afterwards.
//
// Without Erlang the tests skip with a message, unless EPMD_SCAN_REQUIRE_REAL=1
// (CI), where a missing epmd is a failure.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import net from 'node:net';

function which(cmd: string): string | null {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

export const EPMD = which('epmd');
export const ERL = which('erl');
export const HAVE_ERLANG = EPMD !== null && ERL !== null;
export const REQUIRE_REAL = process.env.EPMD_SCAN_REQUIRE_REAL === '1';

/** Call at the top of a real-peer test file: explains a skip, or fails in CI. */
export function realPeersOrSkip(): boolean {
  if (HAVE_ERLANG) return true;
  if (REQUIRE_REAL) {
    throw new Error(
      'EPMD_SCAN_REQUIRE_REAL=1 but epmd/erl are not on PATH: install erlang-base (apt-get install erlang-base)',
    );
  }
  console.warn(
    'SKIPPED real-epmd tests: epmd/erl not found. Install erlang-base to run them (CI requires them).',
  );
  return false;
}

/** A port nothing listens on right now, from the kernel's ephemeral range. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Sends NAMES and returns the raw reply (to EOF), or null if nothing listens. */
export function rawNames(port: number, host = '127.0.0.1'): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const s = net.connect({ host, port }, () => s.write(Buffer.from([0, 1, 0x6e])));
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('end', () => resolve(Buffer.concat(chunks)));
    s.on('error', () => resolve(null));
    s.setTimeout(2000, () => {
      s.destroy();
      resolve(null);
    });
  });
}

/** Polls `check` until it returns true, at most `ms` in all; a bounded wait for a condition. */
export async function waitFor(what: string, check: () => Promise<boolean>, ms = 20_000) {
  const until = Date.now() + ms;
  for (let i = 0; i < 10_000 && Date.now() < until; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

export interface ErlNode {
  name: string;
  process: ChildProcess;
  /** Everything the node printed on stdout and stderr so far (its log). */
  log(): string;
}

export interface NodeOptions {
  /** The node's cookie (default `epmd-scan-test`). */
  cookie?: string;
  /** Erlang expressions run after start instead of printing `ready` (they must print it). */
  eval?: string;
  /** Give the node a stdin pipe (for an eval that reads commands). */
  stdin?: boolean;
}

export interface RealEpmd {
  port: number;
  nodes: ErlNode[];
  /** What `epmd -names` says: node name -> port. */
  names(): Map<string, number>;
  startNode(name: string, extraArgs?: string[], options?: NodeOptions): Promise<ErlNode>;
  stop(): Promise<void>;
}

/** Kills a child started with `detached: true` and its whole process group, by pid; resolves when it has exited. */
export function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
    return Promise.resolve();
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    process.kill(-child.pid, 'SIGKILL'); // the whole group: erl, beam.smp, erl_child_setup
  } catch {
    child.kill('SIGKILL');
  }
  return exited;
}

/**
 * Starts epmd on a free loopback port; retries if another process takes the
 * port first. `addresses`: the loopback addresses it listens on (127.0.0.1 first).
 */
export async function startEpmd(addresses = ['127.0.0.1']): Promise<RealEpmd> {
  if (!EPMD || !ERL) throw new Error('epmd/erl not installed');
  const epmdPath = EPMD;
  const erlPath = ERL;
  let port = 0;
  let epmd: ChildProcess | null = null;
  for (let attempt = 0; attempt < 5 && epmd === null; attempt++) {
    port = await freePort();
    const child = spawn(epmdPath, ['-port', String(port), '-address', addresses.join(',')], {
      detached: true,
      stdio: 'ignore',
    });
    try {
      await waitFor(
        `epmd on port ${port}`,
        async () => {
          if (child.exitCode !== null) throw new Error(`epmd exited with ${child.exitCode}`);
          return (await rawNames(port)) !== null;
        },
        10_000,
      );
      epmd = child;
    } catch {
      await killGroup(child);
    }
  }
  if (epmd === null) throw new Error('could not start epmd on a free port');
  const epmdProcess = epmd;
  const nodes: ErlNode[] = [];

  const names = (): Map<string, number> => {
    const out = execFileSync(epmdPath, ['-port', String(port), '-names'], { encoding: 'utf8' });
    const map = new Map<string, number>();
    for (const m of out.matchAll(/^name (.+) at port (\d+)$/gm))
      map.set(m[1] as string, Number(m[2]));
    return map;
  };

  const startNode = async (
    name: string,
    extraArgs: string[] = [],
    options: NodeOptions = {},
  ): Promise<ErlNode> => {
    const child = spawn(
      erlPath,
      [
        '-sname',
        name,
        '-noshell',
        '-setcookie',
        options.cookie ?? 'epmd-scan-test',
        ...extraArgs,
        '-eval',
        options.eval ?? 'io:format("ready~n")',
      ],
      {
        detached: true,
        stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        env: { ...process.env, ERL_EPMD_PORT: String(port) },
      },
    );
    let output = '';
    const node = { name, process: child, log: () => output };
    nodes.push(node);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`node ${name} did not start: ${output}`)),
        30_000,
      );
      child.stdout?.on('data', (d: Buffer) => {
        output += d.toString();
        if (output.includes('ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.stderr?.on('data', (d: Buffer) => {
        output += d.toString();
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`node ${name} exited with ${code}: ${output}`));
      });
    });
    return node;
  };

  return {
    port,
    nodes,
    names,
    startNode,
    stop: async () => {
      await Promise.all(nodes.map((n) => killGroup(n.process)));
      await killGroup(epmdProcess);
    },
  };
}
