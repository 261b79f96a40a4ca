// Sweeps in the lab (two namespaces joined by a veth pair, lab.js), as users
// deploy a scanner: epmd-scan against the C epoll loop (the kernel-socket
// limit) at the same in-flight, zmap where installed, and nmap's epmd-info,
// on the same targets in one run. The figures are ratios within the run.
//
// BENCH_ONLY=refusing,dropping,replies,mixed,slash8,pipeline runs a subset
// (for development; the README's table is a whole run).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createLab,
  EPMD_IP,
  EPMD_NET,
  FARM,
  labAvailable,
  REFUSING,
  SILENT,
  SILENT_1K,
  SILENT_18,
  SLASH8,
  zmapArgs,
  zmapAvailable,
  zmapFiles,
} from './lab.js';
import { fmt, measure } from './measure.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = `${ROOT}bin/epmd-scan.js`;
const CLOOP = `${ROOT}.bench/connect-loop`;
const ONLY = process.env.BENCH_ONLY ? new Set(process.env.BENCH_ONLY.split(',')) : null;
const wanted = (part) => !ONLY || ONLY.has(part);

function buildCLoop() {
  mkdirSync(`${ROOT}.bench`, { recursive: true });
  execFileSync('cc', ['-O2', '-o', CLOOP, `${ROOT}bench/c/connect-loop.c`]);
}

/** epmd-scan on `targets`, no reverse DNS, `flags` as given (nothing else: the defaults). */
const ours = (targets, ...flags) => [process.execPath, BIN, ...targets, '-n', ...flags];
const nmap = (targets) => [
  'nmap',
  '-Pn',
  '-n',
  '-T4',
  '-p',
  '4369',
  '--script',
  'epmd-info',
  ...targets,
];
const cloop = (range, c, timeout) => [
  CLOOP,
  range.first,
  String(range.count),
  '4369',
  String(c),
  String(timeout),
];

/** The counts epmd-scan's summary gives, e.g. "epmd 1, refused 65536". */
function counts(stderr) {
  const head = /^(done|interrupted): ([\d,]+) of/m.exec(stderr);
  const c = /^\s+(epmd \d+.*)$/m.exec(stderr)?.[1] ?? '?';
  return head?.[1] === 'interrupted' ? `interrupted after ${head[2]}: ${c}` : c;
}

/** The in-flight ceiling the summary gives, shortly: "in flight <= 19,956 (open-file limit)". */
function ceiling(stderr) {
  const m = /in flight: at most ([\d,]+) \(set by (-c|--rate|the open-file limit)/m.exec(stderr);
  return m ? `in flight <= ${m[1]} (${m[2].replace('the ', '')})` : '';
}

export async function benchEngine({ withNmapMixed = true } = {}) {
  const why = labAvailable();
  if (why) return `### Scan engine\n\nSkipped: the lab ${why}.`;
  const noZmap = zmapAvailable();
  buildCLoop();
  const lab = createLab();
  const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-bench-'));
  const rows = [];
  const run = async (sweep, tool, argv, env) => {
    const r = await measure(lab.inScanner(argv), { timeoutMs: 1_800_000, env });
    const note = tool.startsWith('epmd-scan')
      ? [counts(r.stderr), ceiling(r.stderr)].filter(Boolean).join('; ')
      : tool.startsWith('C epoll loop')
        ? r.stdoutTail.trim()
        : tool.startsWith('zmap')
          ? `${r.stdoutTail.split('\n').filter(Boolean).length} open`
          : '';
    rows.push({ sweep, tool, ...r, note });
    return r;
  };
  const zmap = (cidr, rate, cooldown) =>
    zmapArgs(lab, { rate, cooldown, files: zmapFiles(mkdtempSync(join(dir, 'z-')), cidr) });
  try {
    await lab.startEpmd(['rabbit', 'couchdb', 'ejabberd']);
    if (wanted('refusing')) {
      const sweep = '65,536 refusing';
      await run(sweep, 'epmd-scan (defaults)', ours([REFUSING.cidr]));
      await run(sweep, 'epmd-scan --rate 100000', ours([REFUSING.cidr], '--rate', '100000'));
      await run(sweep, 'C epoll loop (1,000 in flight)', cloop(REFUSING, 1000, 2000));
      if (!noZmap) await run(sweep, 'zmap -r 100000', zmap(REFUSING.cidr, 100_000, 2));
      await run(sweep, 'nmap epmd-info', nmap([REFUSING.cidr]));
    }
    if (wanted('dropping')) {
      const sweep = '16,384 dropping (2 s timeouts)';
      await run(sweep, 'epmd-scan (defaults)', ours([SILENT_18.cidr]));
      await run(sweep, 'epmd-scan --rate 20000', ours([SILENT_18.cidr], '--rate', '20000'));
      await run(sweep, 'C epoll loop (16,384 in flight)', cloop(SILENT_18, 16384, 2000));
      if (!noZmap) await run(sweep, 'zmap -r 20000', zmap(SILENT_18.cidr, 20_000, 2));
      // What a silent /16 takes at the defaults (the README says it).
      await run('65,536 dropping (2 s timeouts)', 'epmd-scan (defaults)', ours([SILENT.cidr]));
    }
    if (wanted('replies')) {
      // 4,096 fake EPMDs, each replying 64 KiB of node lines (under --max-reply's 64 KiB).
      await lab.startFarm(1, 64 * 1024 - 64);
      const sweep = '4,096 EPMDs x 64 KiB replies';
      const farm = ours([FARM.cidr], '-p', String(FARM.port));
      await run(sweep, 'epmd-scan (defaults)', farm);
      await run(sweep, 'epmd-scan, EPMD_SCAN_PORTABLE=1', farm, {
        EPMD_SCAN_PORTABLE: '1',
      });
    }
    if (wanted('mixed')) {
      const mixed = [REFUSING.cidr, SILENT_1K.cidr, EPMD_IP];
      const sweep = 'mixed (65,536 refusing + 1,024 silent + 1 epmd)';
      await run(sweep, 'epmd-scan (defaults)', ours(mixed));
      if (withNmapMixed) await run(sweep, 'nmap epmd-info', nmap(mixed));
    }
    if (wanted('pipeline') && !noZmap) {
      const z = zmap(EPMD_NET, 10_000, 1)
        .map((a) => `'${a}'`)
        .join(' ');
      await run(`zmap -p 4369 ${EPMD_NET} \\| epmd-scan -iL -`, 'epmd-scan -iL - (fed by zmap)', [
        'sh',
        '-c',
        `${z} | ${ours(['-iL', '-']).join(' ')}`,
      ]);
    }
    if (wanted('slash8')) {
      // Flat memory: the first 30 s of a /8, then Ctrl-C (SIGINT; exit 130, results written).
      const slash8 = ['timeout', '--foreground', '-s', 'INT', '30', ...ours([SLASH8.cidr])];
      await run('a /8 (refusing), first 30 s then SIGINT', 'epmd-scan (defaults)', slash8);
    }
  } finally {
    lab.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
  return table(rows);
}

function table(rows) {
  const find = (sweep, prefix) => rows.find((r) => r.sweep === sweep && r.tool.startsWith(prefix));
  const lines = [
    '### Scan engine (lab: two network namespaces, veth; real epmd with 3 nodes on 3 addresses)',
    '',
    '| sweep | tool | time (s) | peak RSS (MB) | vs C loop | vs zmap | vs PORTABLE | result |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const ratio = (r, base) => (base && base !== r ? `${fmt(r.seconds / base.seconds)}x` : '');
  for (const r of rows) {
    const c = find(r.sweep, 'C epoll loop');
    const z = find(r.sweep, 'zmap');
    const p = find(r.sweep, 'epmd-scan, EPMD_SCAN_PORTABLE');
    lines.push(
      `| ${r.sweep} | ${r.tool} | ${fmt(r.seconds)} | ${fmt(r.maxRssMB, 1)} | ${ratio(r, c)} | ${ratio(r, z)} | ${ratio(r, p)} | ${r.note} |`,
    );
  }
  return lines.join('\n');
}
