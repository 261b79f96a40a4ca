// The built CLI as a subprocess, as users and CI run it.

import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { assertRunNdjson } from './schema.js';

export const BIN = fileURLToPath(new URL('../../bin/epmd-scan.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called once the process has started, e.g. to send it a signal later. */
  onSpawn?: (pid: number, stderr: { text: () => string }) => void;
  timeoutMs?: number;
  /** argv that runs the CLI, e.g. `ip netns exec <ns>` (Netns.exec): the CLI runs inside it. */
  prefix?: string[];
}

export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const [command, ...argv] = [...(options.prefix ?? []), process.execPath, BIN, ...args];
    const child = spawn(command as string, argv, {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`epmd-scan ${args.join(' ')} did not finish in time:\n${stderr}`));
    }, options.timeoutMs ?? 20_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try {
        assertRunNdjson(args, stdout, code, options.cwd);
      } catch (error) {
        reject(error);
        return;
      }
      resolve({ code, signal, stdout, stderr });
    });
    if (child.pid !== undefined) options.onSpawn?.(child.pid, { text: () => stderr });
    child.stdin.end(options.input ?? '');
  });
}

/** Splits CSV output into lines, dropping the trailing newline. */
export function csvLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l !== '');
}

/**
 * An onSpawn hook that sends SIGINT (`times` times at once) when `ready()`
 * holds (polled, bounded to 15 s); `sent()` tells whether it was sent.
 */
export function interruptWhen(
  ready: () => boolean,
  times = 1,
): {
  onSpawn: (pid: number) => void;
  sent: () => boolean;
} {
  let sent = false;
  return {
    sent: () => sent,
    onSpawn: (pid) => {
      const poll = setInterval(() => {
        if (!sent && ready()) {
          sent = true;
          clearInterval(poll);
          // More than once back to back: as timeout(1) does (child, then its group).
          for (let i = 0; i < times; i++) process.kill(pid, 'SIGINT');
        }
      }, 20);
      setTimeout(() => clearInterval(poll), 15_000).unref();
    },
  };
}

/** The CLI started, not awaited: for signals, early readers and runs side by side. */
export function startCli(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; stdin?: 'ignore' | 'pipe' } = {},
): {
  child: import('node:child_process').ChildProcess;
  result: Promise<CliResult>;
  stderr: () => string;
} {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stdout?.on('error', () => undefined);
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const result = new Promise<CliResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`epmd-scan ${args.join(' ')} did not finish in time:\n${stderr}`));
    }, 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      try {
        assertRunNdjson(args, stdout, code);
      } catch (error) {
        reject(error);
        return;
      }
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, result, stderr: () => stderr };
}

/** What the threads of a process wait on in the kernel (Linux /proc), e.g. wait_for_partner for a FIFO's open. */
export function kernelWaits(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map((t) => {
      try {
        return readFileSync(`/proc/${pid}/task/${t}/wchan`, 'utf8');
      } catch {
        return '';
      }
    });
  } catch {
    return [];
  }
}

/** True once the process has `path` open (Linux /proc): e.g. a FIFO it then waits on in its event loop. */
export function holdsOpen(pid: number, path: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === path;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/**
 * True once the process's main thread waits in its event loop with its
 * SIGINT handler set: its script has run. The handler is checked in the
 * kernel's mask of caught signals (SigCgt), since the main thread also waits
 * in epoll while Node is still loading the script's modules.
 */
export function idleInEventLoop(pid: number): boolean {
  try {
    const caught = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    const sigint = caught ? (BigInt(`0x${caught[1]}`) >> 1n) & 1n : 0n;
    return sigint === 1n && readFileSync(`/proc/${pid}/wchan`, 'utf8') === 'do_epoll_wait';
  } catch {
    return false;
  }
}
