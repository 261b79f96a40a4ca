// Node internals behind one door (src/runtime/tuning.ts): the bin and the
// scan workers tune stack traces and the heap through it, and
// EPMD_SCAN_PORTABLE=1 turns off all three internals: tuning, heap trimming
// and the bare TCP handles.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
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

/**
 * The young generation's size after a load that makes V8 grow it, in a node
 * of its own (the setting is process-wide) that calls tuneStart() first, as
 * the bin does.
 */
async function youngGenerationAfterLoad(
  env: NodeJS.ProcessEnv,
): Promise<{ before: number; after: number }> {
  const tuning = new URL('../../../dist/runtime/tuning.js', import.meta.url).href;
  const script = `
    import { getHeapSpaceStatistics } from 'node:v8';
    const { tuneStart } = await import(${JSON.stringify(tuning)});
    const young = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const before = young();
    tuneStart();
    let kept = [];
    for (let i = 0; i < 400000; i++) {
      kept.push({ i, s: 'x' + i });
      if (kept.length > 100000) kept = kept.slice(50000);
    }
    console.log(JSON.stringify({ before, after: young(), kept: kept.length }));`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', script],
    {
      env: { ...process.env, ...env },
    },
  );
  return JSON.parse(stdout);
}

describe('runtime tuning', () => {
  it('the command, before it loads its code: the young generation stays small (EPMD_SCAN_PORTABLE=1: it grows)', async () => {
    const tuned = await youngGenerationAfterLoad({ EPMD_SCAN_PORTABLE: '0' });
    expect(tuned.after).toBeLessThanOrEqual(2 * tuned.before);
    const untouched = await youngGenerationAfterLoad({ EPMD_SCAN_PORTABLE: '1' });
    expect(untouched.after).toBeGreaterThanOrEqual(8 * untouched.before);
  });
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
