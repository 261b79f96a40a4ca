import { describe, expect, it } from 'vitest';
import { versionText } from '../../../src/cli/version.js';
import { rawTcp } from '../../../src/runtime/raw-tcp.js';
import { MIN_PARALLEL_TARGETS, workerCount } from '../../../src/scan/parallel.js';

describe('--version', () => {
  it('is the version alone without --verbose', () => {
    expect(versionText('1.2.3', false)).toBe('1.2.3\n');
  });
  it('with --verbose: Node, the connect path and what --workers auto picks', () => {
    const lines = versionText('1.2.3', true, {}).trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('1.2.3');
    expect(lines[1]).toBe(`node: ${process.version}`);
    expect(lines[2]).toMatch(
      rawTcp() ? /^sockets: bare tcp_wrap handles/ : /^sockets: net\.Socket/,
    );
    const auto = workerCount({ workers: 'auto', rate: 10_000 }, MIN_PARALLEL_TARGETS, 1024);
    const fast = workerCount({ workers: 'auto', rate: 25_000 }, MIN_PARALLEL_TARGETS, 1024);
    expect(lines[3]).toMatch(
      new RegExp(
        `^workers: auto = ${auto} for scans of 8,192\\+ targets at the default rate, ${fast} from --rate 25,000 \\(`,
      ),
    );
    // The ceiling and what set it: at the default rate, the rate or the open-file limit.
    expect(lines[4]).toMatch(
      /^in flight: at most [\d,]+ \(set by (--rate 10,000\/s x 2 s connect timeout|the open-file limit: [\d,]+ descriptors left for sockets; ulimit -n raises it)\) at the defaults \(open-file limit ([\d,]+|none)\)$/,
    );
  });
  it.each([
    ['EPMD_SCAN_PORTABLE_SOCKETS', '1'],
    ['EPMD_SCAN_PORTABLE', '1'],
  ])('with --verbose under %s=%s: the path a scan takes, net.Socket, and why', (name, value) => {
    const line = versionText('1.2.3', true, { [name]: value }).split('\n')[2];
    expect(line).toBe(`sockets: net.Socket (portable path: chosen by ${name})`);
  });
});
