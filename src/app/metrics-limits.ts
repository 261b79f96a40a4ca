// How much of the process the --metrics endpoint may hold, so that nobody who
// reaches its port can take the scan's descriptors: a few connections at
// once, each dropped when idle or slow.

/** Connections served at once; more are closed as they are accepted. */
export const METRICS_MAX_CONNECTIONS = 16;
/** A connection that sends nothing for this long is closed (ms). */
export const METRICS_IDLE_MS = 5000;
/** A request must arrive whole within this time (ms). */
export const METRICS_REQUEST_MS = 5000;
