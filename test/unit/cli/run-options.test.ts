// The command line is read once into { targets, probe, pool, report }: what
// each flag becomes there, and the defaults it gets from one place (the
// plan's resolver, which scan()'s options go through too).

import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { normaliseArgv, program } from '../../../src/cli/program.js';
import { runOptions } from '../../../src/cli/run-options.js';
import { DEFAULT_FAIL_ON } from '../../../src/report/fail-on.js';
import { DEFAULTS, resolveProbe } from '../../../src/scan/plan.js';

function read(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const cmd = program({ stdout: new PassThrough(), stderr: new PassThrough() });
  cmd.parse(normaliseArgv(argv), { from: 'user' });
  return runOptions(cmd.opts(), (key) => cmd.getOptionValueSource(key), env);
}

describe('runOptions', () => {
  it('puts each flag in its part, with the scan defaults', () => {
    const run = read([
      '127.0.0.1',
      '-p',
      '4369,14369',
      '--shard',
      '1/2',
      '--rate',
      '50',
      '-c',
      '9',
    ]);
    expect(run.targets).toMatchObject({ port: [4369, 14369], shard: { index: 1, total: 2 } });
    expect(run.pool).toEqual({ concurrency: 9, workers: 'auto' });
    expect(run.probe).toMatchObject({
      rate: 50,
      timeout: DEFAULTS.timeout,
      connectTimeout: DEFAULTS.connectTimeout,
      severity: DEFAULTS.severity,
      followUpTimeout: DEFAULTS.followUpTimeout,
    });
    expect(run.report.outputs).toEqual([{ format: 'csv', path: undefined }]);
    expect(run.report.failOn).toBeUndefined();
  });
  it('resolves the probe settings as scan() resolves its options: one plan, the same defaults', () => {
    const env = { EPMD_SCAN_PORTABLE_SOCKETS: '1' };
    expect(read(['127.0.0.1'], env).probe).toEqual(resolveProbe({ portableSockets: true }));
    expect(
      read(['127.0.0.1', '--timeout', '700', '--check-cookies', '--severity', 'low'], env).probe,
    ).toEqual(
      resolveProbe({ timeout: 700, checkCookies: true, severity: 'low', portableSockets: true }),
    );
  });
  it('leaves the defaults to the plan: a value commander filled in is not passed on', () => {
    const cmd = program({ stdout: new PassThrough(), stderr: new PassThrough() });
    cmd.parse(['127.0.0.1'], { from: 'user' });
    // Were the flag table's default read as given, this timeout would reach the plan.
    const opts = { ...cmd.opts(), timeout: 1, workers: 7, port: [1] };
    const run = runOptions(opts as never, (key) => cmd.getOptionValueSource(key), {});
    expect(run.probe.timeout).toBe(DEFAULTS.timeout);
    expect(run.pool.workers).toBe(DEFAULTS.workers);
    expect(run.targets.port).toEqual([DEFAULTS.port]);
    // -c has no default: without it the rate sets the probes in flight.
    expect(run.pool.concurrency).toBeUndefined();
  });
  it('--fail-on-exposed is --fail-on new-exposure,new-node; --fail-on says its own', () => {
    expect(read(['127.0.0.1', '--fail-on-exposed']).report.failOn).toEqual(DEFAULT_FAIL_ON);
    expect(read(['127.0.0.1', '--fail-on', 'accepted-cookie']).report.failOn).toEqual([
      'accepted-cookie',
    ]);
  });
  it('takes the MaxMind databases from the environment when no flag names them', () => {
    const env = { EPMD_SCAN_CITY_DB: '/c.mmdb', EPMD_SCAN_ASN_DB: '/a.mmdb' };
    expect(read(['127.0.0.1'], env).report.enrich).toMatchObject({
      cityDb: '/c.mmdb',
      asnDb: '/a.mmdb',
    });
    expect(read(['127.0.0.1', '--city-db', '/x.mmdb'], env).report.enrich.cityDb).toBe('/x.mmdb');
  });
  it('stdout gets the -f report when no file is named, or when -f is given with files but no -o', () => {
    expect(read(['127.0.0.1', '--csv', 'a.csv']).report.outputs).toEqual([
      { format: 'csv', path: 'a.csv', flag: '--csv' },
    ]);
    expect(read(['127.0.0.1', '--csv', 'a.csv', '-f', 'table']).report.outputs).toEqual([
      { format: 'csv', path: 'a.csv', flag: '--csv' },
      { format: 'table', path: undefined },
    ]);
  });
});
