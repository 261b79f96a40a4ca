// The CI gate: which exposures are new (neither in the baseline report nor
// allowed), which are gone since the baseline, and whether to fail the build.

import { UsageError } from '../errors.js';
import { MAX_LINE_BYTES, readLines } from '../files/lines.js';
import { openInput, SIZE_LIMITS } from '../files/side-file.js';
import { kindOf } from '../probes/registry.js';
import type { ScanRecord } from '../record.js';
import { hostPort, parseIP } from '../targets/ip.js';
import { parseSpec } from '../targets/spec.js';
import { shown } from '../text/escape.js';

interface AllowEntry {
  family: 4 | 6;
  start: bigint;
  end: bigint;
  port: number | null;
}

/** Accepted exposures: `ip`, `ip:port`, `[v6]:port` or a CIDR per line, `#` comments. */
export async function readAllowList(path: string, signal?: AbortSignal): Promise<AllowEntry[]> {
  const what = 'the allow-list';
  const source = await openInput(path, what, { max: SIZE_LIMITS.allow, signal });
  const entries: AllowEntry[] = [];
  for await (const { text, n } of readLines(source, what, MAX_LINE_BYTES)) {
    const line = text.replace(/#.*/, '').trim();
    if (line === '') continue;
    const origin = `${path}:${n}`;
    let spec = line;
    let port: number | null = null;
    const v6port = /^\[(.+)\]:(\d+)$/.exec(line);
    const v4port = /^([\d.]+(?:\/\d+)?):(\d+)$/.exec(line);
    const m = v6port ?? v4port;
    if (m) {
      spec = m[1] as string;
      port = Number(m[2]);
      if (!(port >= 1 && port <= 65535)) {
        throw new UsageError(
          `${shown(origin, 200)}: '${shown(line)}': the port must be 1 to 65535`,
        );
      }
    }
    const parsed = parseSpec(spec, origin);
    if (parsed.kind !== 'range') {
      throw new UsageError(
        `${shown(origin, 200)}: '${shown(line)}': expected an ip, ip:port or CIDR`,
      );
    }
    entries.push({ ...parsed.range, port });
  }
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
  changed: { key: string; added: string[]; removed: string[]; allowed: boolean }[];
  /** Exposed now but allowed. */
  allowed: number;
  /** Exposures (not allowed) with a node whose distribution port was reached. */
  reachable: { key: string; nodes: string[] }[];
  /** Exposures with a node that accepted a default cookie (never excused by --allow). */
  cookies: { key: string; nodes: string[] }[];
  /** Exposures the baseline holds; null without one. */
  baselineEntries: number | null;
}

/** What the gate makes of one exposure: accepted by --allow, and how it stands against --baseline. */
export interface Verdict {
  allowed: boolean;
  /** SARIF's words: null without a baseline. */
  baseline: 'new' | 'unchanged' | 'updated' | null;
}

/** Compares each record with the baseline and the allow-list as the scan goes. */
export class Gate {
  private readonly result: GateResult;

  constructor(
    private readonly baseline: Map<string, string[]> | null,
    private readonly allow: AllowEntry[],
  ) {
    this.result = {
      fresh: [],
      gone: [],
      changed: [],
      allowed: 0,
      reachable: [],
      cookies: [],
      baselineEntries: baseline ? baseline.size : null,
    };
  }

  /** With a baseline, every record matters: one that is no exposure may be one gone. */
  get everyRecord(): boolean {
    return this.baseline !== null;
  }

  /** True when the record matters to the gate beyond being an exposure: its target is in the baseline. */
  cares(r: ScanRecord): boolean {
    return this.baseline?.has(hostPort(r.ip, r.port)) ?? false;
  }

  /** The verdict on an exposure, counting nothing (observe() counts). */
  verdict(r: ScanRecord): Verdict {
    const isAllowed = allowed(this.allow, r.ip, r.port);
    if (!this.baseline) return { allowed: isAllowed, baseline: null };
    const before = this.baseline.get(hostPort(r.ip, r.port));
    if (!before) return { allowed: isAllowed, baseline: 'new' };
    const was = new Set(before);
    const now = new Set(
      kindOf(r)
        .nodes(r)
        .map((n) => n.name),
    );
    const same = now.size === was.size && [...now].every((name) => was.has(name));
    return { allowed: isAllowed, baseline: same ? 'unchanged' : 'updated' };
  }

  observe(r: ScanRecord): void {
    const key = hostPort(r.ip, r.port);
    const before = this.baseline?.get(key);
    if (!r.exposed) {
      // Only what was probed can be "gone": a baseline from a wider scan stays silent.
      if (before) this.result.gone.push({ key, nodes: before });
      return;
    }
    const shown = kindOf(r).nodes(r);
    const nodes = shown.map((n) => n.name);
    const isAllowed = allowed(this.allow, r.ip, r.port);
    const open = shown.filter((n) => n.acceptedCookie !== null).map((n) => n.name);
    if (open.length > 0) this.result.cookies.push({ key, nodes: open });
    const reached = shown.filter((n) => n.reached).map((n) => n.name);
    if (reached.length > 0 && !isAllowed) this.result.reachable.push({ key, nodes: reached });
    if (before) {
      // Sets: linear in both sides (a reply may list hundreds of thousands of names).
      const was = new Set(before);
      const now = new Set(nodes);
      const added = [...now].filter((n) => !was.has(n));
      const removed = [...was].filter((n) => !now.has(n));
      if (added.length > 0 || removed.length > 0) {
        this.result.changed.push({ key, added, removed, allowed: isAllowed });
      }
      return;
    }
    if (isAllowed) {
      this.result.allowed++;
      return;
    }
    this.result.fresh.push({ key, nodes });
  }

  get summary(): GateResult {
    return this.result;
  }
}
