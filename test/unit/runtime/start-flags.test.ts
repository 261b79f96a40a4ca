// What tuneStart() (the bin's first call) asks of V8, with setFlagsFromString
// recorded instead of applied: the settings are process-wide.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const flags: string[] = [];
vi.mock('node:v8', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:v8')>();
  return { ...real, setFlagsFromString: (flag: string) => flags.push(flag) };
});
const { tuneStart, whileWorkersStart } = await import('../../../src/runtime/tuning.js');
const { compactHeap } = await import('../../../src/runtime/heap.js');

beforeEach(() => {
  flags.length = 0;
});

describe('whileWorkersStart', () => {
  it('changes nothing when tuneStart set no budget', () => {
    expect(whileWorkersStart()).toBeTypeOf('function');
    expect(flags).toEqual([]);
  });
});

describe('tuneStart', () => {
  it('keeps the young generation at its first size and a quarter of the inlining budget', () => {
    tuneStart({});
    expect(flags).toEqual([
      '--semi-space-growth-factor=1',
      '--max-inlined-bytecode-size-cumulative=230',
    ]);
  });
  it('sets nothing under EPMD_SCAN_PORTABLE=1', () => {
    tuneStart({ EPMD_SCAN_PORTABLE: '1' });
    expect(flags).toEqual([]);
  });
});

describe('starting workers after tuneStart', () => {
  it('gives V8 its own inlining budget while any start, and the tuned one back after the last', async () => {
    tuneStart({});
    flags.length = 0;
    const first = whileWorkersStart();
    const second = whileWorkersStart();
    expect(flags).toEqual(['--max-inlined-bytecode-size-cumulative=920']);
    first();
    first(); // once only
    expect(flags).toHaveLength(1);
    // The bundle's own copy of the module sees what the bin's copy set.
    vi.resetModules();
    const copy = await import('../../../src/runtime/tuning.js');
    const third = copy.whileWorkersStart();
    second();
    expect(flags).toHaveLength(1);
    third();
    expect(flags).toEqual([
      '--max-inlined-bytecode-size-cumulative=920',
      '--max-inlined-bytecode-size-cumulative=230',
    ]);
  });
});

describe('gc() fetched at run time', () => {
  it('asks for --expose-gc only while it fetches the function', () => {
    compactHeap();
    expect(flags).toEqual(['--expose-gc', '--no-expose-gc']);
    compactHeap(); // fetched once a thread, found or not
    expect(flags).toHaveLength(2);
  });
});
