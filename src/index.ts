// The public API of epmd-scan, as the README's "Library" section documents
// it: re-exports only. What is not here is internal and may change; the
// command line (bin/epmd-scan.js) is the other public interface.

// --- Scanning ---------------------------------------------------------------

export type {
  /** A record and its position in the run's sequence. */
  PositionedRecord,
  /** The per-probe settings part of ScanOptions (probe kind, timeouts, follow-ups, cookies, rate, -S). */
  ProbeSettings,
  /** The figures scan() keeps up to date while it runs (probes in flight, worker threads). */
  ScanGauges,
  /** scan()'s options: targets, ports, order, shard, probe settings, workers, signal, gauges. */
  ScanOptions,
} from './scan/options.js';
export {
  /** The defaults scan() uses for the options it is not given (probe, port, concurrency, timeouts, ...). */
  DEFAULTS,
} from './scan/plan.js';
export {
  /** Probes every target; yields one ScanRecord per (address, port) as probes finish. */
  scan,
  /** As scan(), with each record's position in the run's sequence (what a checkpoint counts). */
  scanPositioned,
} from './scan/scan.js';

// --- Records ----------------------------------------------------------------

export {
  /** The detail of a --probe dist record: what the port said, the node's full name, version, flags. */
  type DistDetail,
  /** A record of the dist probe. */
  type DistRecord,
  /** A record's dist detail, or null (another kind's record, or no distribution port answered). */
  distDetail,
} from './probes/dist/index.js';
export {
  /** The detail of a NAMES record: the EPMD's port, its nodes, whether the reply was cut. */
  type NamesDetail,
  /** A record of the NAMES probe. */
  type NamesRecord,
  /** One node an EPMD lists, with what the follow-ups learnt of it. */
  type NodeEntry,
  /** A record's NAMES detail, or null (another kind's record, or no EPMD answered). */
  namesDetail,
} from './probes/names/index.js';
export type {
  /** How --check-cookies ended for a node: accepted (which cookie), rejected, inconclusive, not-tried. */
  CookieOutcome,
  /** How the start of a distribution handshake ended: the node's status, tls, or failed. */
  HandshakeOutcome,
} from './probes/outcomes.js';
export {
  /** Why a probe failed: `connection-refused`, `io-timeout`, `short-reply`, ... */
  type ErrorCode,
  /** A record with every enrichment field empty, for a probe kind's record(). */
  newRecord,
  /** One target's outcome: the envelope every report reads, and the probe kind's `detail`. */
  type ScanRecord,
  /** Every Severity, most serious first. */
  SEVERITIES,
  /** A record's Shadowserver severity. */
  type Severity,
} from './record.js';

// --- Probe kinds --------------------------------------------------------------

/** How the probe of one target ended (connected, bytes, end, errno), as classify() is given it. */
export type { ProbeOutcome } from './net/probe.js';
export {
  /** The error code of how a connection ended (`connection-refused`, ...), for a kind's classify(). */
  endError,
  /** The status of a connection never established (`refused`, `timeout`, ...), for a kind's classify(). */
  unconnectedStatus,
} from './probes/connection.js';
export type {
  /** A kind's probing side on one thread: request, classify, record, follow-ups, assess. */
  KindProbe,
  /** What a probe kind registers: its request, classification, follow-ups, statuses, rendering. */
  ProbeKind,
  /** One target as a probe kind sees it. */
  ProbeTarget,
} from './probes/kind.js';
/** How each target is probed, resolved: what a kind's probe() is given. */
export type { ProbePlan } from './probes/plan.js';
export {
  /** The registered probe kinds (`names` and any registerProbe() added). */
  probeKinds,
  /** Adds a probe kind; scan({ probe: name }) then uses it. */
  registerProbe,
  /** Every status of the built-in kinds, in the order reports list them. */
  STATUSES,
  /** A status of a built-in kind: `epmd`, `not-epmd`, `refused`, ... */
  type Status,
} from './probes/registry.js';

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
