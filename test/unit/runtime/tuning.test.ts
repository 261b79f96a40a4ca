// Node internals behind one door (src/runtime/tuning.ts): the bin and the
// scan workers tune stack traces and the heap through it, and
// EPMD_SCAN_PORTABLE=1 turns off all three internals: tuning, heap trimming
// and the bare TCP handles.
import { afterEach, describe, expect, it } from 'vitest';
import { heapTrimActive } from '../../../src/runtime/heap.js';
import { socketPath } from '../../../src/runtime/raw-tcp.js';
import { tuneProcess, tuneWorker } from '../../../src/runtime/tuning.js';
import { runCli } from '../../helpers/cli.js';

const limit = Error.stackTraceLimit;
let stop: () => void = () => undefined;
afterEach(() => {
  stop();
  Error.stackTraceLimit = limit;
});

describe('runtime tuning', () => {
  it('the command: stack traces off and the heap trimmed', () => {
    stop = tuneProcess({});
    expect(Error.stackTraceLimit).toBe(0);
    expect(heapTrimActive()).toBe(true);
  });
  it('EPMD_SCAN_STACK_TRACES=1 keeps stack traces, and the trimming', () => {
    stop = tuneProcess({ EPMD_SCAN_STACK_TRACES: '1' });
    expect(Error.stackTraceLimit).toBe(limit);
    expect(heapTrimActive()).toBe(true);
  });
  it('a worker copies the tuning of the thread that started it', () => {
    stop = tuneWorker({ stackTraceLimit: 0, trimHeap: true }, 8 << 20, {});
    expect(Error.stackTraceLimit).toBe(0);
    expect(heapTrimActive()).toBe(true);
  });
  it('EPMD_SCAN_PORTABLE=1 turns all three off: no tuning, no trimming, no bare handles', () => {
    const env = { EPMD_SCAN_PORTABLE: '1' };
    stop = tuneProcess(env);
    expect(Error.stackTraceLimit).toBe(limit);
    expect(heapTrimActive()).toBe(false);
    tuneWorker({ stackTraceLimit: 0, trimHeap: true }, 8 << 20, env)();
    expect(Error.stackTraceLimit).toBe(limit);
    expect(heapTrimActive()).toBe(false);
    expect(socketPath(env)).toEqual({
      portable: true,
      path: 'forced',
      note: null,
      reason: 'chosen by EPMD_SCAN_PORTABLE',
    });
    expect(socketPath({ EPMD_SCAN_PORTABLE: '0' }).path).toBe('bare');
  });
  it('the installed command goes through it: EPMD_SCAN_PORTABLE=1 connects with net.Socket', async () => {
    const r = await runCli(['--version', '--verbose'], { env: { EPMD_SCAN_PORTABLE: '1' } });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[2]).toMatch(/^sockets: net\.Socket/);
  });
});
