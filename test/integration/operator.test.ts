// The three kinds of users: a terminal, a cron job, a CI gate. The built CLI
// as a subprocess, every exit code, and the progress line in a real terminal.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, csvLines, interruptWhen, runCli } from '../helpers/cli.js';
import { type FakeServer, startPeers, stopPeers } from '../helpers/fake-server.js';

const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-operator-'));
let epmd: FakeServer;
let silent: FakeServer;
let closed: number;
beforeAll(async () => {
  ({ epmd, silent, closed } = await startPeers());
});
afterAll(() => stopPeers({ epmd, silent }));

// biome-ignore lint/suspicious/noControlCharactersInRegex: escape codes are what is looked for
const ESC = /\x1b/;

describe('exit codes', () => {
  it('0: done, with a summary on stderr and no escape code when stderr is not a terminal', async () => {
    const r = await runCli(['127.0.0.1', '-p', `${epmd.port},${closed}`], {
      env: { FORCE_COLOR: undefined, NO_COLOR: undefined },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^done: 2 of 2 targets in [\d.]+s/);
    expect(r.stderr).toContain('epmd 1, refused 1');
    expect(r.stderr).toContain('exposed EPMDs 1, listing 1 nodes');
    expect(r.stderr).not.toMatch(ESC);
  });
  it('-q: nothing on stderr when all is well', async () => {
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '-q']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(csvLines(r.stdout)).toHaveLength(2);
  });
  it('1: --fail-on-exposed with a new exposure; the gate line survives -q', async () => {
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '--fail-on-exposed', '-q']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`epmd-scan: 1 new exposure(s): 127.0.0.1:${epmd.port}\n`);
  });
  it('0: --fail-on-exposed with nothing exposed', async () => {
    const r = await runCli(['127.0.0.1', '-p', String(closed), '--fail-on-exposed']);
    expect(r.code).toBe(0);
  });
  it('2: a usage error', async () => {
    expect((await runCli(['--all', '127.0.0.1'])).code).toBe(2);
    expect((await runCli(['127.0.0.1', '--baseline', join(dir, 'nope.csv')])).stderr).toMatch(
      /cannot read the baseline/,
    );
  });
  it('2: an -o whose folder does not exist is refused before scanning', async () => {
    // Exit 3 (a write that fails mid-scan) is in exactly-once.test.ts, on a full device.
    expect((await runCli(['127.0.0.1', '-o', join(dir, 'no', 'such', 'dir.csv')])).code).toBe(2);
  });
  it('130: interrupted (the signal delivered twice at once), results so far written, summary says so', async () => {
    const out = join(dir, 'interrupted.csv');
    const interrupt = interruptWhen(() => silent.received.length > 0, 2);
    const r = await runCli(
      [
        '127.0.0.1',
        '-p',
        `${epmd.port},${silent.port}`,
        '-c',
        '1',
        '--timeout',
        '60000',
        '-o',
        out,
      ],
      { onSpawn: interrupt.onSpawn },
    );
    expect(interrupt.sent()).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^interrupted: 1 of 2 targets/);
    expect(csvLines(readFileSync(out, 'utf8'))).toHaveLength(2);
  });
});

describe('the CI gate against a baseline and an allow-list', () => {
  it('exposures in the baseline do not trip it; new and gone ones are listed', async () => {
    const baseline = join(dir, 'yesterday.csv');
    const today = await runCli(['127.0.0.1', '-p', String(epmd.port), '-o', baseline, '-q']);
    expect(today.code).toBe(0);
    // Add a line for an exposure that has since gone away (its port now refuses).
    writeFileSync(
      baseline,
      `${readFileSync(baseline, 'utf8')}"2026-11-22 00:00:00","high","127.0.0.1","tcp",${closed},,"epmd",,,,,,,,"old,1"\n`,
    );
    const r = await runCli([
      '127.0.0.1',
      '-p',
      `${epmd.port},${closed}`,
      '--baseline',
      baseline,
      '--fail-on-exposed',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`- 127.0.0.1:${closed} old`);
    expect(r.stderr).toContain('baseline: 2 exposures read; new 0, gone 1, changed 0');
    expect(r.stderr).toContain('gate passed');
  });
  it('an allow-list entry (ip:port) accepts an exposure', async () => {
    const allow = join(dir, 'allow.txt');
    writeFileSync(allow, `# the dev broker\n127.0.0.1:${epmd.port}\n`);
    const r = await runCli([
      '127.0.0.1',
      '-p',
      String(epmd.port),
      '--allow',
      allow,
      '--fail-on-exposed',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('gate: new 0, gone 0, changed 0, allowed 1');
    expect(r.stderr).toContain('gate passed (new-exposure, new-node)');
    writeFileSync(allow, '127.0.0.0/8:1\n');
    expect(
      (await runCli(['127.0.0.1', '-p', String(epmd.port), '--allow', allow, '--fail-on-exposed']))
        .code,
    ).toBe(1);
  });
});

describe('formats', () => {
  it('ndjson --all gives one line per target with its status', async () => {
    const r = await runCli([
      '127.0.0.1',
      '-p',
      `${epmd.port},${closed}`,
      '-f',
      'ndjson',
      '--all',
      '-q',
    ]);
    const records = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records.map((x) => x.status).sort()).toEqual(['epmd', 'refused']);
    expect(records.find((x) => x.status === 'epmd')).toMatchObject({
      epmd_port: 4369,
      nodes: [{ name: 'rabbit', port: 25672 }],
    });
  });
  it('table for people, plain when piped', async () => {
    const r = await runCli(['127.0.0.1', '-p', String(epmd.port), '-f', 'table', '-q']);
    expect(r.stdout.split('\n')[0]).toMatch(/^legend: /);
    expect(r.stdout.split('\n')[1]).toMatch(/^TARGET\s+EPMD\s+HOSTNAME\s+NODES/);
    expect(r.stdout).toContain('rabbit:25672');
    expect(r.stdout).not.toMatch(ESC);
  });
});

function haveTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const tmux = haveTmux();
if (!tmux) {
  if (process.env.EPMD_SCAN_REQUIRE_REAL === '1')
    throw new Error('tmux is needed for the terminal tests');
  console.warn('SKIPPED progress-in-a-terminal test: tmux not installed');
}

describe.runIf(tmux)('in a real terminal (tmux)', () => {
  it('draws a progress line while scanning, then replaces it with the summary', async () => {
    const session = `epmdscan-${process.pid}`;
    const capture = () =>
      execFileSync('tmux', ['capture-pane', '-p', '-S', '-200', '-t', session], {
        encoding: 'utf8',
      });
    const cmd = `${process.execPath} ${BIN} 127.0.0.1 -p ${silent.port},${epmd.port} -c 1 --timeout 4000 -o ${join(dir, 'tty.csv')}`;
    execFileSync(
      'tmux',
      [
        'new-session',
        '-d',
        '-s',
        session,
        '-x',
        '150',
        '-y',
        '10',
        'sh',
        '-c',
        `${cmd}; echo EXIT=$?; read x`,
      ],
      {
        env: { ...process.env, NO_COLOR: '1', TERM: 'xterm' },
      },
    );
    try {
      let screen = '';
      const seen: string[] = [];
      for (let i = 0; i < 400 && !screen.includes('EXIT='); i++) {
        screen = capture();
        if (/\d+\/2 \([\d.]+%\)/.test(screen)) seen.push(screen);
        await new Promise((r) => setTimeout(r, 25));
      }
      expect(seen.length).toBeGreaterThan(0);
      expect(seen[0]).toMatch(/0\/2 \(0\.0%\)\s+\d+\/s\s+exposed 0\s+ETA/);
      expect(screen, screen).toMatch(/done: 2 of 2 targets/);
      expect(screen).toContain('EXIT=0');
      expect(screen).not.toMatch(/ETA/); // the progress line was erased
    } finally {
      execFileSync('tmux', ['kill-session', '-t', session]);
    }
  });
});
