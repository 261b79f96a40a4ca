// Keeps the command's memory flat during long sweeps. With thousands of
// probes in flight for seconds each, V8 promotes them to the old generation
// and lets it grow long before collecting it: a silent /16 at 10,000 in
// flight peaked at 170 MB. A throttled asynchronous major GC when the heap
// passes a threshold brings that down at no measurable cost in speed. The
// heap size cannot be set after start-up, hence this.
//
// It must never cost more than it saves: when a collection frees little
// (the heap is mostly live data, e.g. thousands of large replies being
// parsed), collecting again at once would free little again. So the next
// collection then waits until the heap has grown to twice what the last one
// left, as V8 does with its own limit; while collections free a good part
// of the heap, they come at the threshold. The heap's size
// is read from V8's statistics: process.memoryUsage() opens /proc/self/stat,
// which fails (and threw) with EMFILE when every descriptor is in use.

import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async' }) => void;

let active = 0;

/** Whether a trimmer runs in this thread (scan workers then start their own). */
export function heapTrimActive(): boolean {
  return active > 0;
}

/**
 * When to collect: past the threshold, as long as collecting pays. A
 * collection that freed a quarter of the heap or more was worth it, and the
 * next comes at the threshold again; one that freed less (the heap is live
 * data) makes the next wait until the heap has doubled from what it left.
 */
export class TrimPolicy {
  private floor: number;
  /** The heap in use when the last collection was asked for; 0: none pending. */
  private before = 0;

  constructor(private readonly threshold: number) {
    this.floor = threshold;
  }

  /** Called every interval with the heap in use; true: collect now. */
  due(used: number): boolean {
    if (this.before > 0) {
      // What the last (asynchronous) collection left, as of this tick.
      this.judge(used, this.threshold);
      return false;
    }
    if (used <= this.floor) return false;
    this.before = used;
    return true;
  }

  /**
   * What a synchronous collection left, read at once. (An asynchronous one
   * is judged at the next tick, by which time the thread may have allocated
   * again, or the collection not have finished.) One that paid lets the
   * heap grow by half of what it left before the next, as V8 does with its
   * own limit: a heap of live replies is not collected at every tick.
   */
  collected(used: number): void {
    this.judge(used, Math.max(this.threshold, 1.5 * used));
  }

  private judge(used: number, ifPaid: number): void {
    const paid = used <= 0.75 * this.before;
    this.before = 0;
    this.floor = paid ? ifPaid : Math.max(this.threshold, 2 * used);
  }
}

/** V8's own factor: the young generation doubles under load, up to its maximum. */
const V8_GROWTH_FACTOR = 2;
let youngCapped = false;

/**
 * The young generation stays at its first size instead of doubling up to 32
 * MB under load: a sweep's probes outlive a scavenge either way (they wait
 * seconds), so a bigger one only holds more garbage. A dropping /18 at
 * --rate 20000 peaked at 92 MB instead of 123, at the same speed (npm run
 * bench). The flag is process-wide and read each time V8 would grow it;
 * workers have their own cap besides (scan/parallel.ts).
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  youngCapped = true;
}

/**
 * A sweep of large replies (the reply budget ran tight): its garbage is
 * parsed lines that die young, and a small young generation promoted them,
 * 4,096 replies of 64 KiB took 13-14 s instead of 10 s (EPMD_SCAN_PORTABLE=1:
 * 9.7-10 s). From here V8 grows it as it would. Once; a no-op unless capped.
 */
export function growYoungGeneration(): void {
  if (!youngCapped) return;
  youngCapped = false;
  setFlagsFromString(`--semi-space-growth-factor=${V8_GROWTH_FACTOR}`);
}

/** This thread's gc(), once fetched (undefined: not yet asked for). */
let fetchedGc: Gc | null | undefined;

/** V8's gc(), exposed at run time once a thread; null where V8 does not allow it. */
function gcFunction(): Gc | null {
  if (fetchedGc !== undefined) return fetchedGc;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as Gc;
    fetchedGc = typeof gc === 'function' ? gc : null;
  } catch {
    fetchedGc = null;
  } finally {
    // The function stays, the flag goes: like the inlining budget
    // (tuning.ts whileWorkersStart), it would make every worker started
    // afterwards compile Node's own modules again.
    setFlagsFromString('--no-expose-gc');
  }
  return fetchedGc;
}

/**
 * One full collection now. A scan worker calls it once it has loaded and
 * before it probes: what loading left behind is garbage, and V8 sizes the
 * old generation's next limit from what a collection leaves. With the early
 * young-generation cap (tuning.ts tuneStart), a refusing /16 at --rate
 * 100000 peaked at 80-82 MB instead of 86-91, at the same speed (five runs
 * each). It is gc() without options: on Node 20, gc({ type: 'major' }) run
 * synchronously freed nothing. A no-op where V8 does not allow it.
 */
export function compactHeap(): void {
  gcFunction()?.();
}

/**
 * Starts the trimmer; returns a stop function. A no-op where V8 does not
 * allow it. The main thread collects asynchronously (it writes the
 * records, and a large heap of live replies would stall it); a scan
 * worker's heap is a few MB, and it collects at once (`sync`) and judges
 * the collection by what it left right then. Judged a tick later, a
 * worker busy promoting its in-flight probes sometimes looked as if its
 * collection had freed nothing, and its heap was let grow to twice: a
 * refusing /16 at --rate 100000 peaked at 90-91 MB in about one run in
 * thirty instead of 79-80 (one worker's heap at 19 MB).
 */
export function startHeapTrim(
  thresholdBytes = 32 * 1024 * 1024,
  everyMs = 250,
  sync = false,
): () => void {
  const gc = gcFunction();
  if (!gc) return () => undefined;
  keepYoungGenerationSmall();
  const policy = new TrimPolicy(thresholdBytes);
  const timer = setInterval(() => {
    if (!policy.due(getHeapStatistics().used_heap_size)) return;
    if (!sync) {
      gc({ type: 'major', execution: 'async' });
      return;
    }
    gc(); // without options: see compactHeap
    policy.collected(getHeapStatistics().used_heap_size);
  }, everyMs);
  timer.unref();
  active++;
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    active--;
    clearInterval(timer);
  };
}
