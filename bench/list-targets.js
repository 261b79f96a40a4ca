// --list-targets over a /8 (16,777,216 addresses) against nmap -sL -n on the
// same range: time per address and peak RSS. Sends no packet.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { fmt, measure } from './measure.js';

const BIN = fileURLToPath(new URL('../bin/epmd-scan.js', import.meta.url));
const RANGE = '10.0.0.0/8';
const COUNT = 2 ** 24;

function haveNmap() {
  try {
    execFileSync('nmap', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export async function benchListTargets() {
  const rows = [];
  const ours = await measure([process.execPath, BIN, '--list-targets', RANGE]);
  rows.push({ what: 'epmd-scan --list-targets', ...ours });
  const shuffled = await measure([
    process.execPath,
    BIN,
    '--list-targets',
    RANGE,
    '--shuffle',
    'bench',
  ]);
  rows.push({ what: 'epmd-scan --list-targets --shuffle', ...shuffled });
  let nmap = null;
  if (haveNmap()) {
    nmap = await measure(['nmap', '-sL', '-n', RANGE]);
    rows.push({ what: 'nmap -sL -n', ...nmap });
  }
  const lines = [
    `### Listing a /8 (${COUNT.toLocaleString('en')} addresses), no packets`,
    '',
    '| command | time (s) | ns per address | peak RSS (MB) | vs nmap -sL |',
    '|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const ratio = nmap ? fmt(r.seconds / nmap.seconds, 3) : 'n/a';
    lines.push(
      `| ${r.what} | ${fmt(r.seconds)} | ${fmt((r.seconds * 1e9) / COUNT, 0)} | ${fmt(r.maxRssMB, 0)} | ${ratio} |`,
    );
  }
  if (!nmap) lines.push('', 'nmap not installed: no comparison (apt-get install nmap).');
  return lines.join('\n');
}
