// Shell completion, loaded the way the help and README say (source <(...) in
// bash and zsh, `| source` in fish) into real shells, with `epmd-scan` on PATH.

import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flagTable } from '../../src/cli/flags.js';
import { main } from '../../src/cli/main.js';
import { program } from '../../src/cli/program.js';
import { BIN } from '../helpers/cli.js';
import { toolOrSkip } from '../helpers/tools.js';

const run = promisify(execFile);
const ZSH = toolOrSkip('zsh', 'zsh', 'the zsh completion test');
const FISH = toolOrSkip('fish', 'fish', 'the fish completion test');
const sink = new PassThrough();
const ALL_FLAGS = flagTable(program({ stdout: sink, stderr: sink })).flatMap((f) => f.names);

let dir: string;
let env: NodeJS.ProcessEnv;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'epmd-scan-completion-'));
  // `epmd-scan` on PATH, as after an install.
  writeFileSync(join(dir, 'epmd-scan'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(dir, 'epmd-scan'), 0o755);
  writeFileSync(join(dir, 'report.csv'), '');
  env = { ...process.env, PATH: `${dir}:${process.env.PATH}`, HOME: dir };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What bash's completion function offers for the words typed (the last one being completed). */
async function bashOffers(words: string[]): Promise<string[]> {
  const script = `
source <(epmd-scan completion bash)
complete -p epmd-scan
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMPREPLY=()
_epmd_scan
printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await run('bash', ['--norc', '--noprofile', '-c', script, 'bash', ...words], {
    env,
    cwd: dir,
  });
  const [registered, ...offered] = stdout.split('\n').filter((l) => l !== '');
  expect(registered).toBe('complete -o default -F _epmd_scan epmd-scan');
  return offered;
}

describe('bash', () => {
  it('offers every flag for -', async () => {
    expect((await bashOffers(['epmd-scan', '-'])).sort()).toEqual([...ALL_FLAGS].sort());
  });
  it('completes a flag from its start', async () => {
    expect(await bashOffers(['epmd-scan', '192.0.2.0/24', '--con'])).toEqual([
      '--concurrency',
      '--connect-timeout',
    ]);
  });
  it('offers the values of -f and --severity, files for -o, nothing for a number', async () => {
    expect(await bashOffers(['epmd-scan', '-f', ''])).toEqual([
      'csv',
      'ndjson',
      'table',
      'html',
      'sarif',
    ]);
    expect(await bashOffers(['epmd-scan', '--severity', 'h'])).toEqual(['high']);
    expect(await bashOffers(['epmd-scan', '-o', 'rep'])).toEqual(['report.csv']);
    expect(await bashOffers(['epmd-scan', '--rate', ''])).toEqual([]);
  });
  it('offers the completion command and its shells', async () => {
    expect(await bashOffers(['epmd-scan', 'comp'])).toEqual(['completion']);
    expect(await bashOffers(['epmd-scan', 'completion', ''])).toEqual(['bash', 'zsh', 'fish']);
  });
});

describe.skipIf(!ZSH)('zsh', () => {
  it('loads with compinit and registers _epmd_scan', async () => {
    const script =
      'autoload -U compinit && compinit -u -D && source <(epmd-scan completion zsh) && print -r -- $_comps[epmd-scan]';
    const { stdout, stderr } = await run('zsh', ['-f', '-c', script], { env, cwd: dir });
    expect(stderr).toBe('');
    expect(stdout.trim()).toBe('_epmd_scan');
  });
  it('completes flags and their values at an interactive prompt (zpty)', async () => {
    // Each read waits for the completed word to appear (the typed text never
    // holds it); a completion that fails leaves the read waiting until the
    // timeout kills the shell, and the test fails.
    const script = `
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z 'autoload -U compinit && compinit -u -D && source <(epmd-scan completion zsh)'
zpty -wn z $'epmd-scan --conc\t'
zpty -r z out '*--concurrency*' && print got --concurrency
zpty -wn z $' -f nd\t'
zpty -r z out '*ndjson*' && print got ndjson
zpty -wn z $' --sev\t'
zpty -r z out '*--severity*' && print got --severity
zpty -wn z $' cr\t'
zpty -r z out '*critical*' && print got critical
zpty -d z`;
    const { stdout } = await run('zsh', ['-f', '-c', script], { env, cwd: dir, timeout: 20_000 });
    expect(stdout.split('\n').filter((l) => l.startsWith('got '))).toEqual([
      'got --concurrency',
      'got ndjson',
      'got --severity',
      'got critical',
    ]);
  });
});

describe.skipIf(!FISH)('fish', () => {
  /** fish's own answer to `complete -C`: what it would offer on the command line. */
  async function fishOffers(line: string): Promise<string[]> {
    const script = `epmd-scan completion fish | source; complete -C ${JSON.stringify(line)}`;
    const { stdout } = await run('fish', ['--no-config', '-c', script], { env, cwd: dir });
    return stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split('\t')[0] as string);
  }
  it('offers flags, their values and the shells', async () => {
    expect(await fishOffers('epmd-scan --con')).toEqual(['--concurrency', '--connect-timeout']);
    expect(await fishOffers('epmd-scan -f ')).toEqual(['csv', 'html', 'ndjson', 'sarif', 'table']);
    expect(await fishOffers('epmd-scan completion ')).toEqual(['bash', 'fish', 'zsh']);
    expect(await fishOffers('epmd-scan -i')).toContain('-iL');
  });
});

describe('the completion command', () => {
  it('refuses an unknown shell with exit 2 and a hint', async () => {
    const r = await run(BIN, ['completion', 'tcsh']).catch((e) => e);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/usage: epmd-scan completion bash\|zsh\|fish/);
    expect(r.stderr).toMatch(/epmd-scan -- completion/);
  });
  it('after --, completion is a target like any other', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const code = await main(['--list-targets', '--', 'completion'], {
      stdout,
      stderr,
      lookup: async (name) => (name === 'completion' ? ['127.0.0.9'] : []),
    });
    expect(code).toBe(0);
    expect(out).toBe('127.0.0.9\n');
  });
});
