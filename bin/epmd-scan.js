#!/usr/bin/env node
// The installed command: wires the process's streams and signals to the CLI.
import { tuneStart } from '../dist/runtime/tuning.js';

// V8 settings that must come before the code loads (EPMD_SCAN_PORTABLE=1: none).
tuneStart();
// One file (scripts/bundle.js): the scan's modules and packages, bundled.
const { main, tuneProcess } = await import('../dist/cli/entry.bundle.js');

// Stack traces off, heap trimmed (EPMD_SCAN_PORTABLE=1: Node left as it is).
tuneProcess();

const controller = new AbortController();
/** However a run is stopped, the process ends within this time (exit 130). */
const STOP_WITHIN_MS = 2000;
let firstInterrupt = 0;
const onInterrupt = () => {
  const now = Date.now();
  if (firstInterrupt === 0) {
    firstInterrupt = now;
    controller.abort();
    // A phase that cannot be cut short (a FIFO nobody writes, a stuck name
    // lookup) must not keep the process: the checkpoint only ever counts what
    // was written, so leaving now loses nothing it counted.
    setTimeout(() => {
      process.stderr.write('epmd-scan: did not stop in time; leaving now\n');
      process.exit(130);
    }, STOP_WITHIN_MS).unref();
    return;
  }
  // A second Ctrl-C means "now". One arriving at once is the same interrupt
  // delivered twice (timeout(1) signals the child and then its process group).
  if (now - firstInterrupt > 200) process.exit(130);
};
process.on('SIGINT', onInterrupt);
// A reader that goes away (`| head`) must not crash the process: the CLI
// notices the failed write and stops cleanly.
process.stdout.on('error', () => undefined);
process.on('SIGTERM', onInterrupt);

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
    // Work the signal abandoned (an open() of a FIFO in the thread pool, a
    // read of stdin) would keep the process alive.
    if (controller.signal.aborted) process.exit(code);
  },
  (error) => {
    process.stderr.write(`epmd-scan: internal error: ${error?.stack ?? error}\n`);
    process.exitCode = 3;
  },
);
