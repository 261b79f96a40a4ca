// Every probe kind by name: the built-in ones, and any a program registers
// (registerProbe). A scan's plan names its kind; each thread looks it up
// here (a worker imports the kind's module first, when it has one), and
// every report finds the kind of a record by its `probe` field.

import { CONNECTION_STATUSES, LOCAL_ONLY, type ScanRecord } from '../record.js';
import { DIST_STATUSES, distKind } from './dist/index.js';
import type { ProbeKind } from './kind.js';
import { NAMES_STATUSES, namesKind } from './names/index.js';

/** The built-in kinds; adding one is one folder and one line here. */
const BUILT_IN: readonly ProbeKind[] = [
  namesKind as unknown as ProbeKind,
  distKind as unknown as ProbeKind,
];

/**
 * Every status of the built-in kinds, in the order reports list them: the
 * kinds' own, then the connection statuses, then `local-only`.
 */
export const STATUSES = [
  ...NAMES_STATUSES,
  ...DIST_STATUSES.map((s) => s.name),
  ...CONNECTION_STATUSES,
  LOCAL_ONLY,
] as const;

/** A status of a built-in kind (a registered kind may add others). */
export type Status = (typeof STATUSES)[number];

const kinds = new Map<string, ProbeKind>(BUILT_IN.map((k) => [k.name, k]));

/** The names of the built-in kinds (what the NDJSON schema lists). */
export const BUILT_IN_KINDS: readonly string[] = BUILT_IN.map((k) => k.name);

/**
 * Adds a probe kind. Its name must be new and its statuses its own: every
 * status means one thing in every report. Registering the same object again
 * does nothing (a module imported twice).
 */
export function registerProbe<D extends object, V>(kind: ProbeKind<D, V>): void {
  const k = kind as unknown as ProbeKind;
  const known = kinds.get(k.name);
  if (known === k) return;
  if (known) throw new Error(`a probe kind named '${k.name}' is registered already`);
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(k.name)) {
    throw new Error(`probe kind name '${k.name}': expected a-z, 0-9 and -, at most 32`);
  }
  const taken = new Set(allStatuses());
  for (const s of k.statuses) {
    if (taken.has(s.name)) throw new Error(`probe kind '${k.name}': status '${s.name}' is taken`);
  }
  kinds.set(k.name, k);
}

/** The kind registered under `name`; an Error naming the known ones otherwise. */
export function probeKind(name: string): ProbeKind {
  const kind = kinds.get(name);
  if (!kind) {
    throw new Error(`no probe kind '${name}': expected one of ${[...kinds.keys()].join(', ')}`);
  }
  return kind;
}

/** Whether a worker thread can have the kind: a built-in one, or one registered with its module. */
export function inWorkers(name: string): boolean {
  const kind = kinds.get(name);
  return kind !== undefined && (BUILT_IN.includes(kind) || kind.module !== undefined);
}

/** Whether a kind of that name is registered. */
export function hasProbeKind(name: string): boolean {
  return kinds.has(name);
}

/** The kind of a record. */
export function kindOf(record: ScanRecord): ProbeKind {
  return probeKind(record.probe);
}

/** Every registered kind, the built-in ones first. */
export function probeKinds(): ProbeKind[] {
  return [...kinds.values()];
}

/**
 * Every status of a kind, in the order reports list them (its own, the
 * connection statuses, local-only): what a worker's compact records index.
 */
export function statusesOf(kind: Pick<ProbeKind, 'statuses'>): string[] {
  return [...kind.statuses.map((s) => s.name), ...CONNECTION_STATUSES, LOCAL_ONLY];
}

/** Every status of every registered kind, in the order reports list them. */
export function allStatuses(): string[] {
  return [
    ...[...kinds.values()].flatMap((k) => k.statuses.map((s) => s.name)),
    ...CONNECTION_STATUSES,
    LOCAL_ONLY,
  ];
}

/** Whether records of a status are exposures (over every registered kind). */
export function isExposedStatus(status: string): boolean {
  for (const k of kinds.values()) {
    for (const s of k.statuses) if (s.name === status) return s.exposed;
  }
  return false;
}
