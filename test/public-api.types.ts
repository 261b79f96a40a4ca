// The public types as a user imports them from the built package: tsc
// (npm test, tsconfig.test.json) resolves 'epmd-scan' through package.json's
// exports to dist/index.d.ts, so a type the README documents but the index
// does not export fails the type check. test/integration/library.test.ts reads
// this list for the names that exist only as types.

export type {
  Checkpoint,
  CsvOptions,
  Enricher,
  EnricherOptions,
  ErrorCode,
  Formatter,
  NamesNode,
  NamesReply,
  NodeEntry,
  PositionedRecord,
  ScanOptions,
  ScanRecord,
  Severity,
  Shard,
  Status,
} from 'epmd-scan';
