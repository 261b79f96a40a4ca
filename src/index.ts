// The public API of epmd-scan, as the README's "Library" section documents
// it: re-exports only. What is not here is internal and may change; the
// command line (bin/epmd-scan.js) is the other public interface.

// --- Scanning ---------------------------------------------------------------

export {
  /** The defaults scan() uses for the options it is not given (port, concurrency, timeouts, ...). */
  DEFAULTS,
  /** A record and its position in the run's sequence. */
  type PositionedRecord,
  /** The per-probe settings part of ScanOptions (timeouts, follow-ups, cookies, rate, -S). */
  type ProbeSettings,
  /** The figures scan() keeps up to date while it runs (probes in flight, worker threads). */
  type ScanGauges,
  /** scan()'s options: targets, ports, order, shard, probe settings, workers, signal, gauges. */
  type ScanOptions,
} from './scan/options.js';
export {
  /** Probes every target; yields one ScanRecord per (address, port) as probes finish. */
  scan,
  /** As scan(), with each record's position in the run's sequence (what a checkpoint counts). */
  scanPositioned,
} from './scan/scan.js';

// --- Records ----------------------------------------------------------------

export {
  /** Why a probe failed: `connection-refused`, `io-timeout`, `short-reply`, ... */
  type ErrorCode,
  /** One node an EPMD lists, with what the follow-ups learnt of it. */
  type NodeEntry,
  /** One target's outcome: a Shadowserver scan_epmd row plus the NDJSON fields. */
  type ScanRecord,
  /** Every Severity, most serious first. */
  SEVERITIES,
  /** A record's Shadowserver severity. */
  type Severity,
  /** Every Status, in the order reports list them. */
  STATUSES,
  /** The outcome of probing one target: `epmd`, `not-epmd`, `refused`, ... */
  type Status,
} from './record.js';

// --- Enrichment -------------------------------------------------------------

export {
  /** What openEnricher() returns. */
  type Enricher,
  /** openEnricher()'s options: cityDb, asnDb, assetMap, resolve, ... */
  type EnricherOptions,
  /**
   * Opens the context sources (City/ASN MMDB files, an asset map, reverse
   * DNS) and returns `{ enrich(record), close() }`; pass `enrich` to scan().
   */
  openEnricher,
} from './enrich/enricher.js';
/** A reverse DNS lookup: an address to its PTR name, or null. */
export type { ReverseLookup } from './enrich/ptr.js';

// --- The EPMD NAMES codec -----------------------------------------------------

export {
  /** The NAMES request's exact bytes: length 1 (2 bytes), then 110 ('n'). */
  encodeNamesRequest,
  /** One node of a NAMES reply. */
  type NamesNode,
  /** parseNamesReply()'s result. */
  type NamesReply,
  /** Why a reply is not an EPMD's. */
  type NotEpmdReason,
  /** parseNamesReply()'s options. */
  type ParseOptions,
  /** Parses a whole NAMES reply: the EPMD's port and its nodes, or why it is not an EPMD. */
  parseNamesReply,
  /** The EPMD's port from a reply's 4-byte header, or null when it cannot be one. */
  readNamesHeader,
} from './epmd/names.js';

// --- Report formatters --------------------------------------------------------

export {
  /** csvFormatter()'s and csvRow()'s options (the node separator). */
  type CsvOptions,
  /** The Shadowserver scan_epmd CSV: a header, then a row per exposed EPMD. */
  csvFormatter,
  /** One record's CSV row. */
  csvRow,
  /** The scan_epmd columns, in order. */
  SCAN_EPMD_COLUMNS,
} from './output/csv.js';
/** What every formatter is: a header, a line per record, a footer. */
export type { Formatter } from './output/formatter.js';
export {
  /** htmlFormatter()'s options. */
  type HtmlOptions,
  /** HTML: one self-contained page, a verdict: the gate, the changes, the scope, each fix once, the exposures. */
  htmlFormatter,
} from './output/html.js';
export {
  /** ndjsonFormatter()'s options. */
  type NdjsonOptions,
  /** NDJSON: one JSON object a line, as schema/record.schema.json describes. */
  ndjsonFormatter,
  /** One record as the JSON object an NDJSON line holds. */
  recordJson,
} from './output/ndjson.js';
export {
  /** sarifFormatter()'s options (the version, the findings' file, the gate's verdict). */
  type SarifOptions,
  /** SARIF 2.1.0 for code scanning: a result per exposed EPMD under a stable rule per risk. */
  sarifFormatter,
} from './output/sarif.js';
export {
  /** tableFormatter()'s options. */
  type TableOptions,
  /** A fixed-width table for people. */
  tableFormatter,
} from './output/table.js';

// --- Targets ------------------------------------------------------------------

/** A bad target spec (a usage error: nothing is scanned). */
export { TargetSpecError } from './errors.js';
export {
  /** expandTargets()'s options (hostname lookup, excludes, ...). */
  type ExpandOptions,
  /** Expands specs (addresses, CIDRs, ranges, hostnames, masscan lines, @local) to a TargetSpace. */
  expandTargets,
  /** A hostname lookup: a name to its addresses. */
  type HostLookup,
  /** A spec and where it came from (a file and line), for error messages. */
  type SourcedSpec,
  /** Specs as strings or SourcedSpecs, synchronous or asynchronous. */
  type SpecSource,
} from './targets/expand.js';
/** Reads target specs from a file (or `-` for stdin), several a line. */
export { readSpecFile } from './targets/input.js';
export {
  /** TargetOrder's options: ports, shuffle seed, shard. */
  type OrderOptions,
  /** Parses `i/n` to a Shard. */
  parseShard,
  /** One shard of n. */
  type Shard,
  /** The probe sequence of a space: every (address, port), in order or shuffled, one shard. */
  TargetOrder,
} from './targets/order.js';
/** A permutation of [0, n) from a seed: the order --shuffle probes in. */
export { Permutation } from './targets/permutation.js';
/** A set of IPv4 and IPv6 addresses as sorted ranges (what expandTargets() returns). */
export { TargetSpace } from './targets/space.js';
export {
  /** A range of addresses of one family. */
  type AddressRange,
  /** parseSpec()'s result. */
  type ParsedSpec,
  /** Parses one target spec to an address range or a hostname. */
  parseSpec,
} from './targets/spec.js';

// --- Checkpoints --------------------------------------------------------------

export {
  /** A checkpoint: the run it belongs to and the positions it counts as done. */
  type Checkpoint,
  /** Reads a --resume checkpoint: null when the file does not exist. */
  readCheckpoint,
} from './resume/checkpoint.js';
