// The --probe dist kind: the Erlang distribution handshake on each target
// port itself: its registration, and what its records hold.

export { classifyDist, type DistVerdict } from './classify.js';
export {
  DIST,
  DIST_PORTS,
  DIST_STATUSES,
  type DistDetail,
  type DistPortStatus,
  type DistRecord,
  distDetail,
  distRecord,
  isDistDetail,
} from './detail.js';
export { distKind } from './kind.js';
export { DIST_COLUMNS, DIST_LEGEND, DIST_TAG } from './render.js';
