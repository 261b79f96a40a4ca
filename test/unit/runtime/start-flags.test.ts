// What tuneStart() (the bin's first call) asks of V8, with setFlagsFromString
// recorded instead of applied: the settings are process-wide.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const flags: string[] = [];
vi.mock('node:v8', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:v8')>();
  return { ...real, setFlagsFromString: (flag: string) => flags.push(flag) };
});
const { tuneStart } = await import('../../../src/runtime/tuning.js');

beforeEach(() => {
  flags.length = 0;
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
