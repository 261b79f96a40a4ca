// The GitHub Action (action.yml) run the way a runner runs a composite
// action: its `run:` steps in order, with bash -e -o pipefail, the inputs
// (defaults filled in) passed through each step's env, and RUNNER_TEMP,
// GITHUB_PATH, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY as files of a temp
// folder. `uses:` steps (setup-node) are the runner's; Node is here already.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { type FakeServer, fakeServer, header, rabbitEpmd } from '../helpers/fake-server.js';
import { type Packed, pack, ROOT } from '../helpers/pack.js';
import { sarifErrors } from '../helpers/sarif.js';

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  with?: Record<string, string>;
  run?: string;
  shell?: string;
  env?: Record<string, string>;
}
interface Action {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;

/** `${{ inputs.x }}` and `${{ github.action_path }}`; anything else is an error. */
function expand(value: string, inputs: Record<string, string>): string {
  return value.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
    const input = /^inputs\.([a-z-]+)$/.exec(expr);
    if (input) {
      const name = input[1] as string;
      if (!(name in action.inputs)) throw new Error(`action.yml uses an undeclared input: ${name}`);
      return inputs[name] ?? '';
    }
    if (expr === 'github.action_path') return ROOT;
    throw new Error(`the test runner does not know \${{ ${expr} }}`);
  });
}

interface Run {
  /** The exit code of the step that ended the run (the last one when all passed). */
  code: number | null;
  failedStep: string | null;
  summary: string;
  outputs: Record<string, string>;
  log: string;
}

async function runAction(given: Record<string, string>, dir: string): Promise<Run> {
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) inputs[name] = spec.default ?? '';
  Object.assign(inputs, given);
  const temp = join(dir, 'runner-temp');
  mkdirSync(temp, { recursive: true });
  const files = {
    GITHUB_PATH: join(dir, 'path'),
    GITHUB_OUTPUT: join(dir, 'output'),
    GITHUB_STEP_SUMMARY: join(dir, 'summary.md'),
  };
  for (const f of Object.values(files)) writeFileSync(f, '');
  let log = '';
  for (const step of action.runs.steps) {
    if (!step.run) continue;
    expect(step.shell).toBe('bash');
    const paths = readFileSync(files.GITHUB_PATH, 'utf8').split('\n').filter(Boolean);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FORCE_COLOR: '3',
      ...files,
      RUNNER_TEMP: temp,
      PATH: [...paths.reverse(), process.env.PATH].join(':'),
    };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expand(String(v), inputs);
    const script = join(dir, 'step.sh');
    writeFileSync(script, step.run);
    // What a runner runs for `shell: bash` (async: the fake epmd answers from this process).
    const r = await bash(script, env);
    log += `== ${step.name}\n${r.output}`;
    if (r.status !== 0) {
      return { code: r.status, failedStep: step.name ?? null, ...read(files), log };
    }
  }
  return { code: 0, failedStep: null, ...read(files), log };
}

function bash(
  script: string,
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { env });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

function read(files: { GITHUB_OUTPUT: string; GITHUB_STEP_SUMMARY: string }) {
  const outputs: Record<string, string> = {};
  for (const line of readFileSync(files.GITHUB_OUTPUT, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) outputs[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { summary: readFileSync(files.GITHUB_STEP_SUMMARY, 'utf8'), outputs };
}

let base: string;
let packed: Packed;
let epmd: FakeServer;
let n = 0;
const fresh = (): string => {
  const dir = join(base, `run-${++n}`);
  mkdirSync(dir);
  return dir;
};
beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'epmd-scan-action-'));
  packed = await pack(base);
  epmd = await rabbitEpmd();
}, 120_000);
afterAll(async () => {
  await epmd?.close();
  rmSync(base, { recursive: true, force: true });
});

describe('action.yml', () => {
  it('declares the inputs; its scripts take them from env only', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining([
        'targets',
        'targets-file',
        'allow',
        'baseline',
        'fail-on',
        'format',
        'sarif',
      ]),
    );
    for (const step of action.runs.steps) expect(step.run ?? '').not.toContain('${{');
  });

  it('trips on an exposure: exit 1, the table in the step summary', async () => {
    const r = await runAction(
      { package: packed.file, targets: '127.0.0.1', args: `-p ${epmd.port} -n` },
      fresh(),
    );
    expect(r.failedStep, r.log).toBe('Scan');
    expect(r.code).toBe(1);
    expect(r.outputs['exit-code']).toBe('1');
    expect(r.summary).toMatch(/\*\*Failed: an exposed EPMD/);
    expect(r.summary).toMatch(/TARGET\s+EPMD\s+HOSTNAME\s+NODES/);
    expect(r.summary).toContain(`127.0.0.1:${epmd.port}`);
    expect(r.summary).toMatch(/rabbit:25672/);
    expect(r.summary).not.toContain('\x1b');
  }, 240_000);

  it('passes on an allowed exposure, still listing it', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'allowed.txt'), `# the staging broker\n127.0.0.1:${epmd.port}\n`);
    writeFileSync(join(dir, 'targets.txt'), '127.0.0.1\n');
    const r = await runAction(
      {
        package: packed.file,
        'targets-file': join(dir, 'targets.txt'),
        allow: join(dir, 'allowed.txt'),
        args: `-p ${epmd.port} -n`,
      },
      dir,
    );
    expect(r.code, r.log).toBe(0);
    expect(r.outputs['exit-code']).toBe('0');
    expect(r.summary).toMatch(/Passed: no exposure that is new or not allowed/);
    expect(r.summary).toContain(`127.0.0.1:${epmd.port}`);
    // The allowed exposure is marked as such in the table.
    expect(r.summary).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${epmd.port} .*\\n  = allowed \\(--allow\\)`),
    );
  }, 240_000);

  it('writes SARIF for upload-sarif, valid against the schema, its findings on targets-file', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'targets.txt'), '127.0.0.1\n');
    const sarif = join(dir, 'epmd-scan.sarif');
    const r = await runAction(
      {
        package: packed.file,
        'targets-file': join(dir, 'targets.txt'),
        sarif,
        'fail-on': 'never',
        args: `-p ${epmd.port} -n`,
      },
      dir,
    );
    expect(r.code, r.log).toBe(0);
    expect(r.outputs.sarif).toBe(sarif);
    const log = JSON.parse(readFileSync(sarif, 'utf8'));
    expect(sarifErrors(log)).toEqual([]);
    expect(log.runs[0].results).toHaveLength(1);
    expect(log.runs[0].results[0].message.text).toContain(`127.0.0.1:${epmd.port}`);
  }, 240_000);

  it('keeps the step summary under 1 MiB when the report is larger, and says where the rest is', async () => {
    const dir = fresh();
    // One exposure listing 60,000 nodes: a table row of about 2 MB.
    const big = await fakeServer(async (socket, request) => {
      await request;
      const lines = Array.from(
        { length: 60_000 },
        (_, i) => `name a-rather-long-node-name-${i} at port ${1 + (i % 65000)}\n`,
      );
      socket.end(Buffer.concat([header(4369), Buffer.from(lines.join(''))]));
    });
    try {
      const r = await runAction(
        {
          package: packed.file,
          targets: '127.0.0.1',
          'fail-on': 'never',
          args: `-p ${big.port} -n --max-reply 4194304`,
        },
        dir,
      );
      expect(r.code, r.log).toBe(0);
      expect(statSync(r.outputs.report as string).size).toBeGreaterThan(1 << 20);
      expect(Buffer.byteLength(r.summary)).toBeLessThan(1 << 20);
      expect(r.summary).toMatch(/The report is \d+ bytes; its first lines are above/);
    } finally {
      await big.close();
    }
  }, 240_000);

  it('a node name with backticks cannot end the code fence of the step summary', async () => {
    const dir = fresh();
    const evil = await fakeServer(async (socket, request) => {
      await request;
      socket.end(
        Buffer.concat([
          header(4369),
          Buffer.from('name ```![x](https://example.invalid/t.png) at port 9\n'),
        ]),
      );
    });
    try {
      const r = await runAction(
        {
          package: packed.file,
          targets: '127.0.0.1',
          'fail-on': 'never',
          args: `-p ${evil.port} -n`,
        },
        dir,
      );
      expect(r.code, r.log).toBe(0);
      const fence = /^(`{4,})$/m.exec(r.summary)?.[1] as string;
      expect(fence).toBeDefined();
      // The name sits between two fences longer than its own backticks.
      const inside = r.summary.split(`${fence}\n`)[1] ?? '';
      expect(inside).toContain('```');
    } finally {
      await evil.close();
    }
  }, 240_000);

  it('a CSV report as the baseline of the next run: passes; fail-on never only reports', async () => {
    const first = await runAction(
      {
        package: packed.file,
        targets: '127.0.0.1',
        args: `-p ${epmd.port} -n`,
        format: 'csv',
        'fail-on': 'never',
      },
      fresh(),
    );
    expect(first.code, first.log).toBe(0);
    const report = first.outputs.report as string;
    expect(readFileSync(report, 'utf8')).toMatch(/"rabbit,25672"/);
    const second = await runAction(
      {
        package: packed.file,
        targets: '127.0.0.1',
        baseline: report,
        args: `-p ${epmd.port} -n`,
      },
      fresh(),
    );
    expect(second.code, second.log).toBe(0);
  }, 240_000);

  it('refuses a fail-on it does not know, naming the kinds it takes', async () => {
    const r = await runAction(
      { package: packed.file, targets: '127.0.0.1', 'fail-on': 'new' },
      fresh(),
    );
    expect(r.code).toBe(2);
    expect(r.log).toMatch(
      /'new' is not one of new-exposure, new-node, reachable-node, accepted-cookie/,
    );
  }, 240_000);
});

describe("the README's CI recipes", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  it('the GitHub recipes use this action with inputs it declares; SARIF goes to upload-sarif', () => {
    const recipes = blocks.filter((b) => b.includes('uses: epmd-scan/epmd-scan@'));
    expect(recipes.length).toBe(2);
    for (const recipe of recipes) {
      const steps = parse(recipe) as Step[];
      const gate = steps.find((s) => s.uses?.startsWith('epmd-scan/epmd-scan@'));
      expect(Object.keys(gate?.with ?? {}).length).toBeGreaterThan(0);
      for (const input of Object.keys(gate?.with ?? {}))
        expect(action.inputs).toHaveProperty(input);
      const upload = steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'));
      if (gate?.with?.sarif) expect(upload?.with?.sarif_file).toBe(gate.with.sarif);
    }
  });
  it('the GitLab job installs with --ignore-scripts and runs the gate', () => {
    const job = parse(blocks.find((b) => b.startsWith('epmd-gate:')) as string)['epmd-gate'];
    expect(job.image).toBe('node:20-slim');
    expect(job.script[0]).toMatch(
      /^npm install --global --ignore-scripts epmd-scan@\d+\.\d+\.\d+$/,
    );
    expect(job.script[1]).toMatch(/^epmd-scan .*--fail-on-exposed/);
  });
});
