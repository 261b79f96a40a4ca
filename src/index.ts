// The public API of epmd-scan: re-exports only.

export { type CliIO, EXIT, main as runCli } from './cli/main.js';
export {
  Batches,
  type PoolOptions,
  type PoolSource,
  runPool,
  type StartTask,
  type Task,
} from './engine.js';
export {
  encodeNamesRequest,
  MAX_NAME_BYTES,
  MAX_NAME_CHARS,
  type NamesNode,
  type NamesReply,
  type NotEpmdReason,
  type ParseOptions,
  parseNamesReply,
  readNamesHeader,
} from './epmd/names.js';
export { TargetSpecError, UsageError } from './errors.js';
export { classify, type Verdict } from './net/classify.js';
export type { ProbeEnd, ProbeOutcome } from './net/probe.js';
export {
  type CsvOptions,
  csvFormatter,
  csvRow,
  neutraliseFormula,
  SCAN_EPMD_COLUMNS,
  shadowserverTimestamp,
} from './output/csv.js';
export type { Formatter } from './output/formatter.js';
export { ndjsonFormatter, recordJson } from './output/ndjson.js';
export { OutputError } from './output/report-output.js';
export { tableFormatter } from './output/table.js';
export {
  type ErrorCode,
  type NodeEntry,
  newRecord,
  type ScanRecord,
  SEVERITIES,
  type Severity,
  STATUSES,
  type Status,
} from './record.js';
export { Gate, readAllowList, readBaseline } from './report/gate.js';
export { renderSummary, Stats } from './report/summary.js';
export { type Checkpoint, readCheckpoint } from './resume/checkpoint.js';
export { DEFAULTS, type PositionedRecord, type ScanOptions, scan, scanPositioned } from './scan.js';
export { DoneSet, type Range } from './targets/done-set.js';
export {
  type ExpandOptions,
  expandTargets,
  type HostLookup,
  type SourcedSpec,
  type SpecSource,
  systemLookup,
} from './targets/expand.js';
export { readSpecFile, specsOfLine } from './targets/input.js';
export { formatIPv4, formatIPv6, parseIP, parseIPv4, parseIPv6 } from './targets/ip.js';
export { localAddresses } from './targets/local.js';
export {
  listLines,
  type OrderedTarget,
  type OrderOptions,
  parseShard,
  type Shard,
  TargetOrder,
} from './targets/order.js';
export { Permutation } from './targets/permutation.js';
export { TargetSpace } from './targets/space.js';
export { type AddressRange, type ParsedSpec, parseSpec } from './targets/spec.js';
export { escapeText, escapeWireBytes } from './text/escape.js';
