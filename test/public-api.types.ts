// The public types as a user imports them from the built package: tsc
// (npm test, tsconfig.test.json) resolves 'epmd-scan' through package.json's
// exports to dist/index.d.ts, so a type the README documents but the index
// does not export fails the type check. test/integration/library.test.ts reads
// this list for the names that exist only as types.

export type {
  Checkpoint,
  CookieOutcome,
  CsvOptions,
  DistDetail,
  DistRecord,
  Enricher,
  EnricherOptions,
  ErrorCode,
  Formatter,
  HandshakeOutcome,
  KindProbe,
  NamesDetail,
  NamesNode,
  NamesRecord,
  NamesReply,
  NodeEntry,
  PositionedRecord,
  ProbeKind,
  ProbeOutcome,
  ProbePlan,
  ProbeTarget,
  ScanOptions,
  ScanRecord,
  Severity,
  Shard,
  Status,
} from 'epmd-scan';
