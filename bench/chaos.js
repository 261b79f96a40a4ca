// npm run chaos -- --rounds N [--seed S] [--json]
//
// The exactly-once invariant under fire. In a network namespace of its own
// (root, iproute2, iptables, erlang-base), with a real epmd and a real node
// on 127.0.0.1, 256 silent addresses (iptables DROP) and 3,839 refusing ones
// (127.0.0.0/20), it runs one command over and over:
//
//   epmd-scan 127.0.0.0/20 -f ndjson --all -o <tmpfs>/report.ndjson
//             --resume <tmpfs>/scan.ckpt --fail-on-exposed ...
//
// and interrupts it at a random moment with a seeded choice of SIGINT, two
// SIGINTs (the second one forces the exit), SIGTERM, SIGKILL or a full disk
// (the tmpfs shrunk to just above what it holds). After every interruption
// the report's counted bytes must hold exactly the checkpoint's positions,
// once each. When the command exits normally (1: the exposure is new), the
// report must hold exactly one record per target, the gate must have tripped
// and the summary must count the whole run; then a new run starts.
//
// A second, shorter scenario writes to stdout through a pipe whose reader
// goes away (EPIPE) or is killed: nothing may be lost; records the reader may
// have missed are sent again (a pipe cannot tell what its reader read), and
// that number is reported, not hidden.

import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { labAvailable } from './lab.js';

const BIN = fileURLToPath(new URL('../bin/epmd-scan.js', import.meta.url));
const TARGETS = '127.0.0.0/20';
const TOTAL = 4096;
const SILENT = '127.0.8.0/24';
const SILENT_COUNT = 256;
const KINDS = ['SIGINT', 'SIGINT2', 'SIGTERM', 'SIGKILL', 'ENOSPC'];
/** How every run probes: a few at a time and short timeouts, so a run lasts seconds. */
const PROBING = ['-n', '-c', '16', '--timeout', '700', '--connect-timeout', '700'];

const sh = (cmd, args) => execFileSync(cmd, args, { stdio: 'pipe', encoding: 'utf8' });

/** Why the chaos lab cannot run here (it needs a real node too, and a tmpfs), or null. */
export function chaosUnavailable() {
  return labAvailable([['erl', ['-version']]]);
}

/** A small seeded PRNG (mulberry32): the same seed, the same interruptions. */
function prng(seed) {
  let a = 0;
  for (const ch of String(seed)) a = (Math.imul(a ^ ch.charCodeAt(0), 2654435761) + 1) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for a child to end, at most `ms` (then kills it and says so). */
function ended(child, ms = 60_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      // What each thread waits on in the kernel, to say where it hung.
      let waits = '';
      try {
        waits = readdirSync(`/proc/${child.pid}/task`)
          .map((t) => readFileSync(`/proc/${child.pid}/task/${t}/wchan`, 'utf8'))
          .join(' ');
      } catch {
        waits = '(gone)';
      }
      child.kill('SIGKILL');
      reject(new Error(`a run did not end within ${ms} ms (threads waiting in: ${waits})`));
    }, ms);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

class Lab {
  constructor() {
    this.ns = `epmdscan-chaos-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.dir = mkdtempSync(join(tmpdir(), 'epmd-scan-chaos-'));
    this.mnt = join(this.dir, 'disk');
    this.children = [];
  }

  async start() {
    sh('ip', ['netns', 'add', this.ns]);
    sh('ip', ['-n', this.ns, 'link', 'set', 'lo', 'up']);
    this.exec('iptables', ['-A', 'INPUT', '-d', SILENT, '-p', 'tcp', '-j', 'DROP']);
    mkdirSync(this.mnt);
    sh('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', this.mnt]);
    this.spawnIn('epmd', ['-address', '127.0.0.1', '-port', '4369']);
    this.spawnIn('erl', [
      '-sname',
      'chaos',
      '-noshell',
      '-setcookie',
      randomBytes(8).toString('hex'),
    ]);
    for (let i = 0; i < 200; i++) {
      try {
        if (/name chaos at port/.test(this.exec('epmd', ['-names']))) return;
      } catch {
        // epmd not up yet
      }
      await delay(50);
    }
    throw new Error('the real node did not register with epmd within 10 s');
  }

  exec(cmd, args) {
    return sh('ip', ['netns', 'exec', this.ns, cmd, ...args]);
  }

  spawnIn(cmd, args, stdio = 'ignore') {
    const child = spawn('ip', ['netns', 'exec', this.ns, cmd, ...args], { stdio });
    this.children.push(child);
    return child;
  }

  /** The tmpfs shrunk to just above what it holds now, so the next writes fail. */
  shrink(rand) {
    const st = statfsSync(this.mnt);
    const used = (st.blocks - st.bfree) * st.bsize;
    const pages = 1 + Math.floor(rand() * 4);
    sh('mount', ['-o', `remount,size=${used + pages * 4096}`, this.mnt]);
  }

  grow() {
    sh('mount', ['-o', 'remount,size=64m', this.mnt]);
  }

  stop() {
    for (const c of this.children) c.kill('SIGKILL');
    try {
      sh('umount', ['-l', this.mnt]);
    } catch {
      // not mounted
    }
    try {
      sh('ip', ['netns', 'del', this.ns]);
    } catch {
      // already gone
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const keyOf = (r) => `${r.ip}:${r.port}`;

// Every record of a finished report must keep the NDJSON contract (ajv is a devDependency).
const validateRecord = new Ajv2020({ allErrors: true, strict: true }).compile(
  JSON.parse(readFileSync(new URL('../schema/record.schema.json', import.meta.url), 'utf8')),
);

const ajvText = (errors) =>
  (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ');

/** Checks a finished report: one record per target, the right statuses. */
function checkFinal(lines, problems, label) {
  const keys = new Map();
  const statuses = {};
  let invalid = 0;
  for (const line of lines) {
    const r = JSON.parse(line);
    if (!validateRecord(r) && invalid++ === 0) {
      problems.push(`${label}: a record breaks the schema: ${ajvText(validateRecord.errors)}`);
    }
    keys.set(keyOf(r), (keys.get(keyOf(r)) ?? 0) + 1);
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  }
  let duplicates = 0;
  for (const n of keys.values()) duplicates += n - 1;
  const losses = TOTAL - keys.size;
  if (duplicates > 0) problems.push(`${label}: ${duplicates} duplicate records`);
  if (losses > 0) problems.push(`${label}: ${losses} targets missing`);
  if (statuses.epmd !== 1)
    problems.push(`${label}: ${statuses.epmd ?? 0} epmd records, expected 1`);
  if (statuses.timeout !== SILENT_COUNT) {
    problems.push(`${label}: ${statuses.timeout ?? 0} timeouts, expected ${SILENT_COUNT}`);
  }
  return { duplicates, losses, statuses };
}

/** Scenario A: -o on a tmpfs, interrupted by signals and a full disk. */
async function fileScenario(lab, rounds, rand, tally, log) {
  const report = join(lab.mnt, 'report.ndjson');
  const ckpt = join(lab.mnt, 'scan.ckpt');
  let runs = 0;
  const args = (workers) => [
    BIN,
    TARGETS,
    '-f',
    'ndjson',
    '--all',
    '-o',
    report,
    '--resume',
    ckpt,
    '--fail-on-exposed',
    ...PROBING,
    '--workers',
    String(workers),
  ];
  let workers = rand() < 0.5 ? 0 : 2;
  let interruptions = 0;
  let guard = 0;
  while (interruptions < rounds && guard++ < rounds * 4) {
    const kind = KINDS[Math.floor(rand() * KINDS.length)];
    if (kind === 'ENOSPC') lab.shrink(rand);
    const child = lab.spawnIn(process.execPath, args(workers), ['ignore', 'ignore', 'pipe']);
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const end = ended(child);
    if (kind !== 'ENOSPC') {
      await delay(150 + Math.floor(rand() * 1400));
      if (kind === 'SIGINT2') {
        child.kill('SIGINT');
        await delay(250 + Math.floor(rand() * 300));
        child.kill('SIGINT');
      } else child.kill(kind);
    }
    let code;
    let signal;
    try {
      ({ code, signal } = await end);
    } catch (error) {
      throw new Error(
        `${kind} (workers ${workers}): ${error.message}; stderr: ${stderr.slice(-600)}`,
      );
    }
    log(`  ${kind}: exit ${code ?? signal}`);
    if (kind === 'ENOSPC') lab.grow();
    const completed = code === 1 || code === 0;
    const expected = {
      SIGINT: [130],
      SIGINT2: [130],
      SIGTERM: [130],
      SIGKILL: [null],
      // A disk too full for the lock file stops the run before its first packet (2).
      ENOSPC: [2, 3],
    }[kind];
    // A signal that lands before the process has set its handlers ends it
    // the default way: nothing was counted yet, which the check below verifies.
    const early = signal !== null && signal === (kind === 'SIGINT2' ? 'SIGINT' : kind);
    if (!completed && !expected.includes(code) && !early) {
      tally.problems.push(`${kind}: exit ${code} ${signal ?? ''}: ${stderr.trim().slice(0, 400)}`);
    }
    if (!completed) {
      interruptions++;
      tally.kinds[kind] = (tally.kinds[kind] ?? 0) + 1;
      checkCounted(report, ckpt, tally, kind);
      continue;
    }
    // The command ended normally: the whole run is checked, then a new run starts.
    runs++;
    finishRun(readFileSync(report, 'utf8'), stderr, code, tally, `run ${runs}`);
    log(`  run ${runs} complete after ${interruptions} interruptions so far`);
    rmSync(report, { force: true });
    rmSync(ckpt, { force: true });
    rmSync(`${ckpt}.found`, { force: true });
    workers = rand() < 0.5 ? 0 : 2;
  }
  // Finish the run in progress without interruptions.
  for (let i = 0; i < 5; i++) {
    const child = lab.spawnIn(process.execPath, args(workers), ['ignore', 'ignore', 'pipe']);
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const { code } = await ended(child);
    if (code === 0 || code === 1) {
      runs++;
      finishRun(readFileSync(report, 'utf8'), stderr, code, tally, `run ${runs}`);
      break;
    }
    tally.problems.push(`the final run exited ${code}: ${stderr.trim().slice(0, 400)}`);
  }
  tally.interruptions += interruptions;
  tally.runs += runs;
}

/** After an interruption: the counted bytes of the partial hold exactly the counted positions, once each. */
function checkCounted(report, ckpt, tally, kind) {
  let cp;
  try {
    cp = JSON.parse(readFileSync(ckpt, 'utf8'));
  } catch {
    return; // stopped before its first checkpoint: nothing is counted
  }
  const counted = cp.completed + cp.done.reduce((n, [a, b]) => n + b - a, 0);
  const bytes = readFileSync(`${report}.partial`).subarray(0, cp.offsets[0]).toString('utf8');
  const lines = bytes.split('\n').filter((l) => l !== '');
  const keys = new Set(lines.map((l) => keyOf(JSON.parse(l))));
  if (lines.length !== counted || keys.size !== counted || cp.stats.done !== counted) {
    tally.problems.push(
      `after ${kind}: the checkpoint counts ${counted} (stats ${cp.stats.done}), the report holds ${lines.length} records (${keys.size} distinct)`,
    );
  }
}

function finishRun(text, stderr, code, tally, label) {
  const lines = text.split('\n').filter((l) => l !== '');
  const { duplicates, losses } = checkFinal(lines, tally.problems, label);
  tally.records += lines.length;
  tally.duplicates += duplicates;
  tally.losses += losses;
  if (code !== 1) tally.problems.push(`${label}: exit ${code}; the gate should trip (exit 1)`);
  if (!/done: 4,096 of 4,096 targets/.test(stderr)) {
    tally.problems.push(
      `${label}: the summary does not cover the whole run: ${stderr.slice(0, 300)}`,
    );
  }
  const expect = `epmd 1, refused ${TOTAL - 1 - SILENT_COUNT}, timeout ${SILENT_COUNT}`;
  if (!stderr.includes(expect.replace(/(\d)(\d{3})\b/g, '$1,$2'))) {
    tally.problems.push(
      `${label}: the summary's counts are not '${expect}': ${stderr.slice(0, 300)}`,
    );
  }
  if (!/gate tripped \(exit 1\): new exposure 1/.test(stderr))
    tally.problems.push(`${label}: the gate's new exposure is missing`);
}

/** Scenario B: stdout through a pipe whose reader goes away (EPIPE) or is killed. */
async function pipeScenario(lab, rounds, rand, tally) {
  const ckpt = join(lab.mnt, 'pipe.ckpt');
  const args = [BIN, TARGETS, '-f', 'ndjson', '--all', '--resume', ckpt, ...PROBING];
  let collected = '';
  let interruptions = 0;
  const kinds = {};
  for (let guard = 0; guard < rounds * 4; guard++) {
    const kind = interruptions < rounds ? (rand() < 0.7 ? 'EPIPE' : 'SIGKILL') : 'none';
    const child = lab.spawnIn(process.execPath, args, ['ignore', 'pipe', 'pipe']);
    let got = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      got += d;
    });
    child.stdout.on('error', () => undefined);
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const end = ended(child);
    if (kind !== 'none') {
      await delay(150 + Math.floor(rand() * 1400));
      if (kind === 'EPIPE') child.stdout.destroy();
      else child.kill('SIGKILL');
    }
    let code;
    try {
      ({ code } = await end);
    } catch (error) {
      throw new Error(`pipe ${kind}: ${error.message}; stderr: ${stderr.slice(-600)}`);
    }
    // The reader keeps every whole line it read.
    collected += got.slice(0, got.lastIndexOf('\n') + 1);
    if (code === 0) break;
    if (kind === 'none') {
      tally.problems.push(`pipe: an uninterrupted run exited ${code}: ${stderr.slice(0, 300)}`);
      break;
    }
    if (!(kind === 'EPIPE' ? [3] : [null]).includes(code)) {
      tally.problems.push(`pipe ${kind}: exit ${code}: ${stderr.slice(0, 300)}`);
    }
    interruptions++;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  const lines = collected.split('\n').filter((l) => l !== '');
  const records = lines.map((l) => JSON.parse(l));
  const bad = records.find((r) => !validateRecord(r));
  if (bad) tally.problems.push(`pipe: a record breaks the schema: ${JSON.stringify(bad)}`);
  const keys = new Set(records.map(keyOf));
  tally.pipe = {
    interruptions,
    kinds,
    records: lines.length,
    losses: TOTAL - keys.size,
    resent: lines.length - keys.size,
  };
  if (keys.size !== TOTAL)
    tally.problems.push(`pipe: ${TOTAL - keys.size} targets never reached a reader`);
}

/** Runs the chaos lab; resolves to the tally (problems lists every broken promise). */
export async function runChaos({
  rounds = 30,
  seed = 'chaos',
  pipeRounds = 6,
  log = () => undefined,
} = {}) {
  const rand = prng(seed);
  const tally = {
    seed,
    rounds,
    interruptions: 0,
    kinds: {},
    runs: 0,
    records: 0,
    duplicates: 0,
    losses: 0,
    problems: [],
    pipe: null,
  };
  const lab = new Lab();
  try {
    await lab.start();
    log(`chaos: ${rounds} interruptions of ${TOTAL} targets, seed '${seed}'`);
    await fileScenario(lab, rounds, rand, tally, log);
    if (pipeRounds > 0) await pipeScenario(lab, pipeRounds, rand, tally);
  } finally {
    lab.stop();
  }
  return tally;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i === -1 ? fallback : process.argv[i + 1];
  };
  const why = chaosUnavailable();
  if (why) {
    console.error(`chaos: ${why}`);
    process.exit(2);
  }
  const json = process.argv.includes('--json');
  const tally = await runChaos({
    rounds: Number(arg('--rounds', '30')),
    seed: arg('--seed', 'chaos'),
    pipeRounds: Number(arg('--pipe-rounds', '6')),
    log: json ? () => undefined : (line) => console.error(line),
  });
  if (json) console.log(JSON.stringify(tally));
  else {
    console.log(
      `chaos (seed '${tally.seed}'): ${tally.interruptions} interruptions (${Object.entries(
        tally.kinds,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}), ${tally.runs} complete runs, ${tally.records} records checked, ` +
        `${tally.duplicates} duplicates, ${tally.losses} losses`,
    );
    if (tally.pipe) {
      console.log(
        `pipe: ${tally.pipe.interruptions} interruptions (${Object.entries(tally.pipe.kinds)
          .map(([k, v]) => `${k} ${v}`)
          .join(
            ', ',
          )}), ${tally.pipe.losses} losses, ${tally.pipe.resent} records sent again to a later reader`,
      );
    }
    for (const p of tally.problems) console.log(`PROBLEM: ${p}`);
  }
  process.exit(tally.problems.length > 0 ? 1 : 0);
}
