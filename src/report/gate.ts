// The CI gate: which exposures are new (neither in the baseline report nor
// allowed), which are gone since the baseline, and whether to fail the build.

import { parse } from 'csv-parse/sync';
import { readInputFile, UsageError } from '../errors.js';
import type { ScanRecord } from '../record.js';
import { hostPort, parseIP } from '../targets/ip.js';
import { parseSpec } from '../targets/spec.js';

/** Exposures of an earlier scan_epmd CSV: ip:port -> node names. */
export async function readBaseline(path: string, separator = ';'): Promise<Map<string, string[]>> {
  const text = await readInputFile(path, 'the baseline');
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, relax_column_count: true });
  } catch (error) {
    throw new UsageError(`the baseline '${path}' is not a CSV file: ${(error as Error).message}`);
  }
  const out = new Map<string, string[]>();
  if (text.trim() === '') return out;
  const first = rows[0];
  if (first && !('ip' in first && 'port' in first)) {
    throw new UsageError(
      `the baseline '${path}' has no ip and port columns`,
      'give an earlier epmd-scan (or Shadowserver scan_epmd) CSV report',
    );
  }
  rows.forEach((row, i) => {
    const ip = parseIP(row.ip ?? '');
    const port = Number(row.port);
    if (!ip || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new UsageError(
        `${path}:${i + 2}: not an exposure row (ip '${row.ip}', port '${row.port}')`,
      );
    }
    // Undo the formula guard of our own CSV writer before splitting.
    const field = /^'[=+\-@\t\r]/.test(row.nodes ?? '')
      ? (row.nodes as string).slice(1)
      : (row.nodes ?? '');
    const nodes = field
      .split(separator)
      .filter((n) => n !== '')
      .map((n) => n.slice(0, n.lastIndexOf(',') === -1 ? n.length : n.lastIndexOf(',')));
    const addr = ip.family === 4 ? (row.ip as string) : (row.ip as string).toLowerCase();
    out.set(hostPort(addr, port), nodes);
  });
  return out;
}

interface AllowEntry {
  family: 4 | 6;
  start: bigint;
  end: bigint;
  port: number | null;
}

/** Accepted exposures: `ip`, `ip:port`, `[v6]:port` or a CIDR per line, `#` comments. */
export async function readAllowList(path: string): Promise<AllowEntry[]> {
  const text = await readInputFile(path, 'the allow-list');
  const entries: AllowEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const origin = `${path}:${i + 1}`;
    let spec = line;
    let port: number | null = null;
    const v6port = /^\[(.+)\]:(\d+)$/.exec(line);
    const v4port = /^([\d.]+(?:\/\d+)?):(\d+)$/.exec(line);
    const m = v6port ?? v4port;
    if (m) {
      spec = m[1] as string;
      port = Number(m[2]);
      if (port < 1 || port > 65535) {
        throw new UsageError(`${origin}: '${line}': the port must be 1 to 65535`);
      }
    }
    const parsed = parseSpec(spec, origin);
    if (parsed.kind !== 'range') {
      throw new UsageError(`${origin}: '${line}': expected an ip, ip:port or CIDR`);
    }
    entries.push({ ...parsed.range, port });
  });
  return entries;
}

function allowed(entries: AllowEntry[], ip: string, port: number): boolean {
  const addr = parseIP(ip);
  if (!addr) return false;
  return entries.some(
    (e) =>
      e.family === addr.family &&
      addr.value >= e.start &&
      addr.value <= e.end &&
      (e.port === null || e.port === port),
  );
}

export interface GateResult {
  /** Exposed now, not in the baseline, not allowed: these trip --fail-on-exposed. */
  fresh: { key: string; nodes: string[] }[];
  /** In the baseline, probed now and no longer exposed. */
  gone: { key: string; nodes: string[] }[];
  /** Exposed now and in the baseline, with node names added or removed. */
  changed: { key: string; added: string[]; removed: string[] }[];
  /** Exposed now but allowed. */
  allowed: number;
}

/** Compares each record with the baseline and the allow-list as the scan goes. */
export class Gate {
  private readonly result: GateResult = { fresh: [], gone: [], changed: [], allowed: 0 };

  constructor(
    private readonly baseline: Map<string, string[]> | null,
    private readonly allow: AllowEntry[],
  ) {}

  /** True when the record matters to the gate beyond being an exposure: its target is in the baseline. */
  cares(r: ScanRecord): boolean {
    return this.baseline?.has(hostPort(r.ip, r.port)) ?? false;
  }

  observe(r: ScanRecord): void {
    const key = hostPort(r.ip, r.port);
    const before = this.baseline?.get(key);
    if (r.status !== 'epmd') {
      // Only what was probed can be "gone": a baseline from a wider scan stays silent.
      if (before) this.result.gone.push({ key, nodes: before });
      return;
    }
    const nodes = r.nodes.map((n) => n.name);
    if (before) {
      const added = nodes.filter((n) => !before.includes(n));
      const removed = before.filter((n) => !nodes.includes(n));
      if (added.length > 0 || removed.length > 0) this.result.changed.push({ key, added, removed });
      return;
    }
    if (allowed(this.allow, r.ip, r.port)) {
      this.result.allowed++;
      return;
    }
    this.result.fresh.push({ key, nodes });
  }

  get summary(): GateResult {
    return this.result;
  }
}
