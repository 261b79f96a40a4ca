import { describe, expect, it } from 'vitest';
import { statsInterval } from '../../../src/app/live.js';
import { timeSpan } from '../../../src/cli/options.js';
import { newRecord } from '../../../src/record.js';
import { LIVE_NODES, liveLine } from '../../../src/report/live-lines.js';
import { etaSeconds, statsLine } from '../../../src/report/progress.js';

describe('the ETA', () => {
  it('is sane for a silent sweep before anything completes: counted from what is in flight', () => {
    // 65,536 silent targets, 10,000 in flight, 2 s timeouts: about 13 s in all.
    const early = etaSeconds({ done: 0, inFlight: 10_000, total: 65_536, seconds: 0.25 });
    expect(early).not.toBeNull();
    expect(early as number).toBeLessThan(60);
    // The old estimate from completions alone: the first few refusals promised hours.
    const fromDoneAlone = ((65_536 - 5) * 2) / 5;
    expect(fromDoneAlone).toBeGreaterThan(7 * 3600);
    const firstCompletions = etaSeconds({ done: 5, inFlight: 10_000, total: 65_536, seconds: 2 });
    expect(firstCompletions as number).toBeLessThan(60);
  });
  it('converges on the completion rate in a steady sweep', () => {
    // 5,000 a second for 10 s, 10,000 in flight (2 s each): 13.1 s in all, 3.1 s left.
    const left = etaSeconds({ done: 40_000, inFlight: 10_000, total: 65_536, seconds: 10 });
    expect(left as number).toBeGreaterThan(2);
    expect(left as number).toBeLessThan(5);
  });
  it('is unknown before anything started, and zero when all is done', () => {
    expect(etaSeconds({ done: 0, inFlight: 0, total: 10, seconds: 1 })).toBeNull();
    expect(etaSeconds({ done: 10, inFlight: 0, total: 10, seconds: 1 })).toBe(0);
  });
});

describe('--stats-every', () => {
  it('a line of done/total, elapsed, rate, in flight, exposures and ETA', () => {
    expect(statsLine({ done: 12_288, inFlight: 1024, total: 65_536, seconds: 62 }, 3)).toBe(
      'stats: 12,288 of 65,536 targets (18.8%) after 1m02s, 198/s, 1,024 in flight, exposed 3, ETA 4m15s',
    );
    expect(statsLine({ done: 0, inFlight: 0, total: 5, seconds: 0.1 }, 0)).toMatch(/ETA \?$/);
  });
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['500ms', 500],
    ['1h', 3_600_000],
    ['10', 10_000],
    ['1.5s', 1500],
    ['0', 0],
  ])('takes %s as %i ms', (text, ms) => {
    expect(timeSpan(text)).toBe(ms);
  });
  it.each(['', '5x', '-1s', '50ms', '25h', 's'])('refuses %o', (text) => {
    expect(() => timeSpan(text)).toThrow(/Expected a time such as 30s/);
  });
  it('by default: a line a minute where stderr is not a terminal, none on one, with -q or --no-progress', () => {
    const base = { quiet: false, progress: true, verbose: false };
    expect(statsInterval(base, false)).toBe(60_000);
    expect(statsInterval(base, true)).toBeNull();
    expect(statsInterval({ ...base, quiet: true }, false)).toBeNull();
    expect(statsInterval({ ...base, progress: false }, false)).toBeNull();
    // Given, it is kept, terminal or -q; 0 is none.
    expect(statsInterval({ ...base, quiet: true, statsEvery: 5000 }, true)).toBe(5000);
    expect(statsInterval({ ...base, statsEvery: 0 }, false)).toBeNull();
  });
});

describe('-v', () => {
  const exposure = newRecord({
    ip: '192.0.2.7',
    port: 4369,
    status: 'epmd',
    epmdPort: 4369,
    nodes: [{ name: '\\x1b[31mevil', port: 9 }],
    hostname: 'h\x1b]0;x\x07',
  });
  it('a line per exposure, escaped, and per error; nothing for the rest', () => {
    expect(liveLine(exposure)).toBe(
      'exposed 192.0.2.7:4369 (h\\x1b]0;x\\x07) high: nodes \\x1b[31mevil:9',
    );
    const error = newRecord({
      ip: '2001:db8::1',
      port: 4369,
      status: 'error',
      error: 'connection-reset',
    });
    expect(liveLine(error)).toBe('error [2001:db8::1]:4369: connection-reset');
    expect(liveLine(newRecord({ ip: '192.0.2.8', port: 4369, status: 'refused' }))).toBeNull();
  });
  it('names the first nodes of a long list and counts the rest', () => {
    const nodes = Array.from({ length: 5000 }, (_, i) => ({ name: `n${i}`, port: i + 1 }));
    const line = liveLine({ ...exposure, hostname: '', nodes }) as string;
    expect(line).toMatch(
      new RegExp(`n${LIVE_NODES - 1}:${LIVE_NODES} and ${5000 - LIVE_NODES} more$`),
    );
    expect(line.length).toBeLessThan(300);
  });
});
