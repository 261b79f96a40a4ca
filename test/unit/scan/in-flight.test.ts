// The in-flight ceiling, from the plan's resolved settings (inFlightFor in
// src/scan/plan.ts: the defaults are applied there, not here).
import { describe, expect, it } from 'vitest';
import { describeCeiling } from '../../../src/scan/in-flight.js';
import type { ProbeSettings } from '../../../src/scan/options.js';
import { inFlightFor, resolveProbe } from '../../../src/scan/plan.js';

const planFor = (o: ProbeSettings & { concurrency?: number; sockets: number }) =>
  inFlightFor(resolveProbe(o), o.concurrency, o.sockets);

describe('the in-flight ceiling', () => {
  it('--rate alone: what the rate needs on silent space, rate x connect timeout', () => {
    const plan = planFor({ rate: 20_000, connectTimeout: 2000, sockets: 100_000 });
    expect(plan.setBy).toBe('rate');
    // 20,000/s x 2.1 s: every probe waits its 2 s, with 0.1 s of room for timers running late.
    expect(plan.ceiling).toBe(42_000);
    expect(describeCeiling(plan, 2000)).toBe(
      'in flight: at most 42,000 (set by --rate 20,000/s x 2 s connect timeout)',
    );
  });
  it('the default rate drives it too; a short --timeout bounds the wait', () => {
    expect(planFor({ sockets: 1e6 })).toMatchObject({ rate: 10_000, ceiling: 21_000 });
    expect(planFor({ rate: 1000, timeout: 500, sockets: 1e6 }).ceiling).toBe(600);
    expect(planFor({ rate: 1, sockets: 1e6 }).ceiling).toBe(16);
  });
  it('-c sets it when given', () => {
    const plan = planFor({ concurrency: 100, rate: 200, sockets: 1000 });
    expect(plan).toMatchObject({ ceiling: 100, setBy: 'concurrency', rate: 200 });
    expect(describeCeiling(plan, 2000)).toBe('in flight: at most 100 (set by -c)');
  });
  it('never above the descriptor budget, and says so', () => {
    const plan = planFor({ rate: 100_000, sockets: 960 });
    expect(plan).toMatchObject({ ceiling: 960, setBy: 'open-file limit' });
    expect(planFor({ concurrency: 5000, sockets: 960 }).setBy).toBe('open-file limit');
    expect(describeCeiling(plan, 2000)).toMatch(/open-file limit: 960 descriptors left/);
  });
  it('each thread ramps up to a ceiling the rate or the budget set, never to one -c set', () => {
    expect(planFor({ sockets: 1e6 }).ramp).toBe(true);
    expect(planFor({ rate: 0, sockets: 5000 }).ramp).toBe(true);
    expect(planFor({ concurrency: 100, sockets: 1000 }).ramp).toBe(false);
    // -c lowered to fit the budget is still the number asked for.
    expect(planFor({ concurrency: 5000, sockets: 960 }).ramp).toBe(false);
  });
  it('unpaced (--rate 0): the budget is the ceiling', () => {
    expect(planFor({ rate: 0, sockets: 5000 })).toMatchObject({
      ceiling: 5000,
      setBy: 'open-file limit',
      rate: 0,
    });
  });
});
