// A real RabbitMQ broker (Debian's rabbitmq-server) as a test process: its own
// temporary folders, its own epmd on a free loopback port, a free
// distribution port and a free AMQP port, loopback only. Started in its own
// process group and killed by pid afterwards, with its epmd; never the
// system service.
//
// Without rabbitmq-server the tests skip with a message, unless
// EPMD_SCAN_REQUIRE_REAL=1 (CI installs it), where that is a failure.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  killGroup,
  REQUIRE_REAL,
  type RealEpmd,
  startEpmd,
  waitFor,
} from './real-epmd.js';

/** The broker's start script itself (/usr/sbin/rabbitmq-server would switch to the rabbitmq user). */
export const RABBITMQ_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';

/** Call at the top of a test file: explains a skip, or fails in CI. */
export function rabbitOrSkip(): boolean {
  if (existsSync(RABBITMQ_SERVER)) return true;
  if (REQUIRE_REAL) {
    throw new Error(
      `EPMD_SCAN_REQUIRE_REAL=1 but ${RABBITMQ_SERVER} is missing: apt-get install rabbitmq-server`,
    );
  }
  console.warn('SKIPPED the RabbitMQ tests: install rabbitmq-server to run them (CI requires it).');
  return false;
}

export interface Rabbit {
  /** The node's full name: rabbit@localhost. */
  fullName: string;
  distPort: number;
  amqpPort: number;
  epmd: RealEpmd;
  /** What the broker printed so far. */
  log(): string;
  stop(): Promise<void>;
}

/** True when something accepts a TCP connection on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
    s.setTimeout(1000, () => {
      s.destroy();
      resolve(false);
    });
  });
}

export interface RabbitOptions {
  /** The broker's Erlang cookie (its .erlang.cookie); a random one when absent. */
  cookie?: string;
}

/** One attempt: the broker on fresh free ports; rejects if it exits or does not listen in time. */
async function boot(dir: string, epmd: RealEpmd, options: RabbitOptions): Promise<Rabbit> {
  const [distPort, amqpPort] = [await freePort(), await freePort()];
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  if (options.cookie !== undefined) {
    writeFileSync(join(home, '.erlang.cookie'), options.cookie, { mode: 0o400, flag: 'wx' });
  }
  writeFileSync(join(dir, 'rabbitmq.conf'), 'log.console = true\n');
  writeFileSync(join(dir, 'rabbitmq-env.conf'), '');
  const child: ChildProcess = spawn(RABBITMQ_SERVER, [], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      LANG: 'C.UTF-8',
      HOME: home,
      ERL_EPMD_PORT: String(epmd.port),
      RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
      RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
      RABBITMQ_NODENAME: 'rabbit@localhost',
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(amqpPort),
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(dir, 'log'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
      RABBITMQ_PLUGINS_EXPAND_DIR: join(dir, 'plugins'),
      RABBITMQ_PID_FILE: join(dir, 'rabbit.pid'),
      // The distribution port on loopback only, like AMQP.
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    },
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const stop = () => killGroup(child);
  try {
    // Booting takes seconds (about 7 on 2 cores): a bounded poll, not a sleep.
    await waitFor(
      'RabbitMQ to listen on its AMQP and distribution ports',
      async () => {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(
            `rabbitmq-server exited (${child.exitCode ?? child.signalCode}): ${output}`,
          );
        }
        return (await listening(amqpPort)) && (await listening(distPort));
      },
      90_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { fullName: 'rabbit@localhost', distPort, amqpPort, epmd, log: () => output, stop };
}

/**
 * Starts a broker; retries (with new ports and folders) if another process
 * took a port between the choice and the bind.
 */
export async function startRabbit(options: RabbitOptions = {}): Promise<Rabbit> {
  const epmd = await startEpmd();
  let last: unknown = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-rabbit-'));
    try {
      const rabbit = await boot(dir, epmd, options);
      return {
        ...rabbit,
        stop: async () => {
          await rabbit.stop();
          await epmd.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      last = error;
      rmSync(dir, { recursive: true, force: true });
    }
  }
  await epmd.stop();
  throw last;
}
