// Node internals behind one door. Three things make a sweep fast and small
// but reach under Node's public API: bare TCP handles
// (process.binding('tcp_wrap'), raw-tcp.ts), a heap trimmer that needs
// --expose-gc set at run time (heap.ts), and Error.stackTraceLimit = 0 (an
// Error per refused connection is made whether anyone reads it or not). The
// bin calls tuneProcess(), each scan worker tuneWorker(); EPMD_SCAN_PORTABLE=1
// turns all three off, for a Node where they misbehave, or for debugging.

import { setFlagsFromString } from 'node:v8';
import { compactHeap, heapTrimActive, keepYoungGenerationSmall, startHeapTrim } from './heap.js';

/** Set to 1 to leave Node alone: net.connect, no heap trimming, full stack traces. */
export const PORTABLE_RUNTIME_ENV = 'EPMD_SCAN_PORTABLE';

/** Set to 1 to keep stack traces while the rest stays tuned. */
export const STACK_TRACES_ENV = 'EPMD_SCAN_STACK_TRACES';

/** Whether `env` asks for an untouched Node (any value but empty or 0). */
export function portableRuntime(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[PORTABLE_RUNTIME_ENV];
  return value !== undefined && value !== '' && value !== '0';
}

/** The tuning a worker thread copies from the thread that starts it. */
export interface RuntimeTuning {
  stackTraceLimit: number;
  trimHeap: boolean;
}

/**
 * The command's process: no stack traces (unless EPMD_SCAN_STACK_TRACES), the
 * heap trimmed; nothing at all under EPMD_SCAN_PORTABLE. Returns a stop function.
 */
export function tuneProcess(env: NodeJS.ProcessEnv = process.env): () => void {
  if (portableRuntime(env)) return () => undefined;
  // Capturing the stack traces nobody reads was a fifth of a sweep's CPU time.
  if (!env[STACK_TRACES_ENV]) Error.stackTraceLimit = 0;
  return startHeapTrim();
}

/**
 * V8's budget for inlining into one optimised function, a quarter of its
 * own 920 bytes of bytecode. Optimising a function with inlining is done in
 * memory V8 then keeps; a sweep's hot path is Node's connect and close, not
 * our calls. Same speed on the refusing and dropping sweeps, peak memory
 * 1-2.5 MB lower (a dropping /18 at --rate 20000: 79 MB instead of 81.4,
 * three runs each); 4,096 replies of 64 KiB, where parsing is the work,
 * took 10.6-11.0 s instead of 9.6-10.3 (still under EPMD_SCAN_PORTABLE=1's
 * 10.6-14.9 in the same runs).
 */
const INLINING_BUDGET = '--max-inlined-bytecode-size-cumulative=230';
/** V8's own budget (V8 11 and 12). */
const INLINING_DEFAULT = '--max-inlined-bytecode-size-cumulative=920';

/**
 * V8's flags are the process's, and so is this: the bin's copy of this
 * module sets the budget, the bundle's copy starts the workers.
 */
interface FlagState {
  /** tuneStart set the inlining budget. */
  budgetSet: boolean;
  /** Worker threads being started now (whileWorkersStart). */
  starting: number;
}
const FLAG_STATE = Symbol.for('epmd-scan.v8-flags');

function flagState(): FlagState {
  const g = globalThis as { [FLAG_STATE]?: FlagState };
  g[FLAG_STATE] ??= { budgetSet: false, starting: 0 };
  return g[FLAG_STATE];
}

/**
 * What the command sets before it loads the rest of its code (the bin calls
 * this, then imports the bundle); nothing under EPMD_SCAN_PORTABLE. The
 * young generation keeps its first size (heap.ts says why): set only once
 * the bundle had loaded, as before, the main thread's had already doubled
 * on the loading's garbage, and stayed at 4 MB for the whole run. The
 * inlining budget is read at each optimisation, so it holds for the worker
 * threads too.
 */
export function tuneStart(env: NodeJS.ProcessEnv = process.env): void {
  if (portableRuntime(env)) return;
  keepYoungGenerationSmall();
  setFlagsFromString(INLINING_BUDGET);
  flagState().budgetSet = true;
}

/**
 * Call as worker threads start; call what it returns once they have (or
 * have failed). V8 checks the compiled code Node keeps for its own modules
 * against a hash of V8's flags, and a worker loads dozens of them as it
 * starts: with the inlining budget set, each was compiled again. Two
 * workers of a tiny scan started 30 ms later and took 50 ms more CPU
 * (25 runs each). So the budget is V8's own while any thread starts.
 */
export function whileWorkersStart(): () => void {
  const state = flagState();
  if (!state.budgetSet) return () => undefined;
  if (state.starting++ === 0) setFlagsFromString(INLINING_DEFAULT);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--state.starting === 0) setFlagsFromString(INLINING_BUDGET);
  };
}

/** This thread's tuning, for the workers it starts. */
export function currentTuning(): RuntimeTuning {
  return { stackTraceLimit: Error.stackTraceLimit, trimHeap: heapTrimActive() };
}

/**
 * A scan worker, once its modules are loaded: the tuning of the thread that
 * started it; its heap compacted (heap.ts) and then trimmed at `trimBytes`,
 * each collection made at once.
 */
export function tuneWorker(
  tuning: RuntimeTuning,
  trimBytes: number,
  env: NodeJS.ProcessEnv = process.env,
): () => void {
  if (portableRuntime(env)) return () => undefined;
  Error.stackTraceLimit = tuning.stackTraceLimit;
  if (!tuning.trimHeap) return () => undefined;
  compactHeap();
  return startHeapTrim(trimBytes, undefined, true);
}
