// Runs a command and measures its wall time and peak RSS with GNU time.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export const HAVE_GNU_TIME = existsSync('/usr/bin/time');

/** { seconds, maxRssMB, code, stdoutBytes, stdoutTail, stderr } of one run; stdout is counted, its tail kept. */
export function measure(argv, { env, cwd, timeoutMs = 600_000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', '@@time %e %M', ...argv], {
      env: { ...process.env, ...env },
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdoutBytes = 0;
    let stdoutTail = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdoutBytes += d.length;
      stdoutTail = (stdoutTail + d.toString()).slice(-300);
    });
    child.stderr.on('data', (d) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const m = /@@time ([\d.]+) (\d+)/.exec(stderr);
      if (!m) return reject(new Error(`no timing for ${argv.join(' ')}:\n${stderr.slice(-2000)}`));
      resolve({
        seconds: Number(m[1]),
        maxRssMB: Number(m[2]) / 1024,
        code,
        stdoutBytes,
        stdoutTail,
        stderr,
      });
    });
  });
}

export const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
