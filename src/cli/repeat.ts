// Options given more than once. A list (-p) accumulates, as in nmap and
// naabu; a single value (--shard, -o, ...) given twice is a mistake, and
// silently keeping the last one would scan what nobody asked for.

import { InvalidArgumentError } from 'commander';
import { FAIL_ON, type FailOn } from '../report/fail-on.js';

/** `4369`, `4369,14369`, `4360-4370`, or a mix: TCP ports 1..65535, order kept, duplicates dropped. */
export function parsePorts(value: string, into: number[] = []): number[] {
  const ports = [...into];
  const seen = new Set(ports);
  for (const part of value.split(',')) {
    const m = /^\s*(\d{1,5})(?:\s*-\s*(\d{1,5}))?\s*$/.exec(part);
    const from = Number(m?.[1]);
    const to = m?.[2] === undefined ? from : Number(m[2]);
    if (!m || from < 1 || to > 65535 || to < from) {
      throw new InvalidArgumentError(
        `'${part.slice(0, 40)}' is not a TCP port or range: expected 1 to 65535, e.g. 4369,4370-4375.`,
      );
    }
    for (let p = from; p <= to; p++) {
      if (!seen.has(p)) {
        seen.add(p);
        ports.push(p);
      }
    }
  }
  return ports;
}

/** A -p parser for one command line: repeats add to the list; the default is replaced, not added to. */
export function portsOption(): (value: string) => number[] {
  let ports: number[] | null = null;
  return (value) => {
    ports = parsePorts(value, ports ?? []);
    return ports;
  };
}

/** A parser that refuses a second value for `flag`, naming both. */
export function singleValued<T>(flag: string, parse: (value: string) => T = (v) => v as T) {
  let first: string | null = null;
  return (value: string): T => {
    if (first !== null && first !== value) {
      throw new InvalidArgumentError(
        `Given twice ('${first.slice(0, 40)}' and '${value.slice(0, 40)}'): ${flag} takes one value.`,
      );
    }
    first = value;
    return parse(value);
  };
}

/** `--fail-on new-exposure,new-node`: kinds from FAIL_ON, order kept, duplicates dropped. */
export function failOnList(value: string): FailOn[] {
  const kinds: FailOn[] = [];
  for (const part of value.split(',')) {
    const k = part.trim();
    if (!(FAIL_ON as readonly string[]).includes(k)) {
      throw new InvalidArgumentError(`'${k.slice(0, 40)}' is not one of ${FAIL_ON.join(', ')}.`);
    }
    if (!kinds.includes(k as FailOn)) kinds.push(k as FailOn);
  }
  return kinds;
}
