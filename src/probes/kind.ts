// A probe kind: everything one kind of probe is, in one registration
// (src/probes/registry.ts holds them). Its probing side asks each target
// and decides what the answer means; its reporting side tells every report
// what its records show, so that no report, gate or ledger asks which kind
// made a record (zgrab2's modules around one envelope).
//
// The scan (prober() in src/scan/scan.ts, on every thread) connects to each
// target, sends request(target), reads until complete() says the reply is
// whole (or EOF, a deadline or --max-reply), hands how it ended to
// classify() and makes the record with record(); an exposure then gets the
// kind's follow-ups, its risks and severity (assess) and enrichment before
// it is yielded. src/net/ knows bytes and sockets only.

import type { ProbeOutcome } from '../net/probe.js';
import type { ErrorCode, ScanRecord } from '../record.js';
import type { AbortHolder, FollowUpEnv } from './follow-up-group.js';
import type { NodeCheck, ProbePlan } from './plan.js';

/** One target as the scan probes it. */
export interface ProbeTarget {
  ip: string;
  port: number;
}

/** A kind's probing side on one thread, built from the plan (ProbeKind.probe). */
export interface KindProbe<V = unknown, D extends object = object> {
  /** The bytes sent once connected; built per target where it must be (a fresh name). */
  request(target: ProbeTarget): Uint8Array;
  /** Whether the bytes so far are a whole reply (the read then ends); absent: read until EOF. */
  readonly complete?: (bytes: Buffer) => boolean;
  /** How the probe ended, and what it read, to a verdict. Pure: no sockets. */
  classify(outcome: ProbeOutcome): V;
  /** The target's record from its verdict: the envelope (exposed or not) and the detail. */
  record(target: ProbeTarget, verdict: V): ScanRecord<D>;
  /**
   * The status and error of a verdict whose record is nothing more: not an
   * exposure, no detail, the plan's probe and severity (a refusal, a
   * timeout), or null. A scan worker sends such a record as numbers
   * without making it (scan/record-batch.ts). Absent: every record is made.
   */
  readonly plain?: (verdict: V) => PlainVerdict | null;
  /**
   * Further connections for an exposure (e.g. --node-info, --handshake): they
   * fill the record in place and resolve to the follow-ups their time budget
   * cut short. Absent: none.
   */
  readonly followUps?: (
    target: ProbeTarget,
    verdict: V,
    record: ScanRecord<D>,
    holder: AbortHolder,
  ) => Promise<string[]>;
  /** An exposure's risks and severity, from what it and its follow-ups learnt. */
  readonly assess?: (record: ScanRecord<D>) => void;
}

/** What a plain record is (KindProbe.plain): its status and its error. */
export interface PlainVerdict {
  readonly status: string;
  readonly error: ErrorCode | null;
}

/** One of a kind's own statuses. */
export interface KindStatus {
  readonly name: string;
  /** A record with this status is an exposure. */
  readonly exposed: boolean;
}

/**
 * A node an exposure shows, as the gate, the summary and the fixes see it:
 * its name, port, and the node-level outcomes --fail-on can trip on.
 */
export interface NodeView {
  name: string;
  port: number;
  /** Its distribution port took a TCP connection. */
  reached: boolean;
  /** The label of a cookie it accepted, or null. */
  acceptedCookie: string | null;
}

/** A fix in words that hold for every exposure it is for: a report says it once, for its rows. */
export interface FixStep {
  /** Its place among the kind's fixes, most urgent first: the same number on every report. */
  rank: number;
  text: string;
}

/** How to fix one exposure. */
export interface Remediation {
  /** The specific step: firewall this port and these distribution ports. */
  first: string;
  /** The summary's firewall line, the same for every exposure of its shape. */
  firewall: string;
  /** What applies to every exposure of the kind. */
  general: readonly string[];
  /** Steps for the products its nodes show (CouchDB, RabbitMQ), naming them, urgent ones first. */
  product: string[];
  /** The fixes it needs in words that name no row (the HTML report's numbered list), most urgent first. */
  steps: FixStep[];
}

/** A CSV cell as written: text (escaped and formula-guarded already), a number, or empty. */
export type CsvCell = string | number | null;

/**
 * The kind's CSV: its header, and its own cells of a row by column name. The
 * envelope's columns (timestamp, severity, ip, protocol, port, hostname,
 * asn, geo, region, city, naics, hostname_source, sector) are filled by the
 * formatter; every other column of `columns` by `cells`.
 */
export interface CsvRender<D extends object> {
  readonly columns: readonly string[];
  cells(record: ScanRecord<D>, options: { nodeSeparator: string }): Record<string, CsvCell>;
}

/**
 * The kind's columns of the table: those of a fixed width between TARGET
 * and HOSTNAME, one without a width (its list of nodes) last, after WHERE.
 */
export interface TableRender<D extends object> {
  /** The line above the table that says what its markers mean. */
  readonly legend: string;
  readonly columns: readonly {
    head: string;
    /** Padded to this width; absent: the last column, as wide as it is. */
    width?: number;
    /** Drawn in the warning colour. */
    warn?: boolean;
  }[];
  /** Escaped text for each column. */
  cells(record: ScanRecord<D>): string[];
  /** Indented lines under the row, e.g. why its reply is incomplete; escaped text. */
  notes?(record: ScanRecord<D>): string[];
}

/**
 * An HTML cell as safe text (escaped as node names are at parse time: the
 * formatter adds only HTML's entities), or a list of code items with notes.
 */
export type HtmlCell = string | { items: { code: string; notes: string[] }[]; empty: string };

/** The kind's columns of the HTML report, between severity and hostname. */
export interface HtmlRender<D extends object> {
  readonly columns: readonly string[];
  cells(record: ScanRecord<D>): HtmlCell[];
}

/** A code-scanning rule (SARIF's reportingDescriptor): a stable id, so a finding matches run to run. */
export interface SarifRule {
  id: string;
  /** PascalCase, as SARIF's reportingDescriptor.name. */
  name: string;
  short: string;
  full: string;
  /** GitHub's security-severity: 9.0+ critical, 7.0+ high, 4.0+ medium. */
  securitySeverity: string;
  /** How to fix what it finds, most urgent first. */
  help: readonly string[];
}

/** The kind's code-scanning rules (SARIF), and which one an exposure is reported under. */
export interface SarifRender<D extends object> {
  /** Every rule, in a fixed order. */
  readonly rules: readonly SarifRule[];
  /** The tags of its rules: `erlang`, `epmd`. */
  readonly tags: readonly string[];
  /** The id of the rule an exposure is reported under (its most serious risk's). */
  ruleOf(record: ScanRecord<D>): string;
}

/** One kind of probe: its registration. */
export interface ProbeKind<D extends object = object, V = unknown> {
  /** Its name: `--probe <name>`, NDJSON's `probe`. */
  readonly name: string;
  /** For --help: what it asks. */
  readonly describe: string;
  /**
   * The URL of a module that registers this kind when imported: a worker
   * thread imports it to have the kind too. Absent (a kind only this thread
   * knows): the scan stays on the calling thread. Built-in kinds need none.
   */
  readonly module?: string;
  /** Its own statuses, the exposure's first (connection statuses and local-only are everyone's). */
  readonly statuses: readonly KindStatus[];
  /** The ports probed when none are given (`-p` absent); absent: 4369. */
  readonly ports?: readonly number[];
  /**
   * The node follow-ups it takes (--node-info, ...); asking for another is a
   * usage error. Absent: every one.
   */
  readonly checks?: readonly NodeCheck[];
  /** Shadowserver's tag of its exposures (CSV `tag`, NDJSON `tag`). */
  readonly tag: string;
  /** Its exposures in words: `exposed EPMD`, `exposed EPMDs`. */
  readonly noun: readonly [one: string, many: string];
  /** Its probing side for one thread. */
  probe(plan: ProbePlan, env: FollowUpEnv): KindProbe<V, D>;
  /** Whether a value read back (a found-log line) is one of its details. */
  isDetail(value: unknown): value is D;
  /** The nodes an exposure shows. */
  nodes(record: ScanRecord<D>): NodeView[];
  /** How to fix an exposure. */
  fixes(record: ScanRecord<D>): Remediation;
  readonly csv: CsvRender<D>;
  /** Its NDJSON fields (the detail's), placed after `exposed`; present on every record of the kind. */
  ndjson(record: ScanRecord<D>): Record<string, unknown>;
  readonly table: TableRender<D>;
  readonly html: HtmlRender<D>;
  /** Its code-scanning rules; absent: one rule, `exposed-<name>`, for every exposure. */
  readonly sarif?: SarifRender<D>;
}
