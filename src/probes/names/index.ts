// The EPMD NAMES probe kind: its registration, and what its records hold.

export {
  FOLLOW_UPS,
  type FollowUp,
  isNamesDetail,
  NAMES,
  NAMES_STATUSES,
  type NamesDetail,
  type NamesRecord,
  type NodeEntry,
  namesDetail,
  namesRecord,
  nodesOf,
} from './detail.js';
export { namesKind } from './kind.js';
export { formatNodes, SCAN_EPMD_COLUMNS, SEPARATOR_CHARS, TABLE_LEGEND } from './render.js';
