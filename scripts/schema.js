// npm run build: the enums of the NDJSON schema, schema/record.schema.json,
// generated from the closed tables they describe (the built-in probe kinds
// and their statuses, severities, follow-ups, hostname sources, cookie
// outcomes, the distribution statuses --probe dist reports), so that the
// schema cannot drift from the code. The rest of the schema (descriptions, shapes) is written by hand; only the values below
// are set here. The file is rewritten when the tables changed (commit it);
// with --check, or under CI=true, a stale schema fails the build instead.

import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { HOSTNAME_SOURCES } from '../dist/enrich/enricher.js';
import { HANDSHAKE_STATUSES } from '../dist/epmd/dist-reply.js';
import { DIST, DIST_STATUSES } from '../dist/probes/dist/index.js';
import { FOLLOW_UPS, NAMES } from '../dist/probes/names/index.js';
import { cookieTextPattern } from '../dist/probes/outcomes.js';
import { BUILT_IN_KINDS, probeKind, STATUSES } from '../dist/probes/registry.js';
import { CONNECTION_STATUSES, SEVERITIES } from '../dist/record.js';

export const SCHEMA = new URL('../schema/record.schema.json', import.meta.url);

/** The built-in kinds' statuses that are no exposure and carry no detail. */
function withoutDetail() {
  const kinds = BUILT_IN_KINDS.map((name) => probeKind(name));
  const own = kinds.flatMap((k) => k.statuses.filter((s) => !s.exposed).map((s) => s.name));
  return [...own, ...CONNECTION_STATUSES];
}

/** Sets `value` at `path` in `object`; the path must exist (the hand-written part). */
function set(object, path, value) {
  let at = object;
  for (const key of path.slice(0, -1)) {
    if (at?.[key] === undefined) throw new Error(`schema: no ${path.join('.')}`);
    at = at[key];
  }
  at[path.at(-1)] = value;
}

/** The schema with every generated value set from the tables. */
export function generate(schema) {
  const out = structuredClone(schema);
  const tags = BUILT_IN_KINDS.map((name) => probeKind(name).tag);
  set(out, ['properties', 'probe', 'enum'], [...BUILT_IN_KINDS]);
  set(out, ['properties', 'status', 'enum'], [...STATUSES]);
  set(out, ['properties', 'severity', 'enum'], [...SEVERITIES, null]);
  set(out, ['properties', 'tag', 'enum'], [...tags, null]);
  set(out, ['properties', 'hostname_source', 'enum'], [...HOSTNAME_SOURCES, null]);
  set(out, ['properties', 'follow_ups_cut', 'items', 'enum'], [...FOLLOW_UPS]);
  set(out, ['allOf', 0, 'then', 'properties', 'severity', 'enum'], [...SEVERITIES]);
  set(out, ['allOf', 1, 'if', 'properties', 'status', 'enum'], withoutDetail());
  set(out, ['$defs', 'node', 'properties', 'cookie', 'oneOf', 0, 'pattern'], cookieTextPattern());
  // --probe dist: its fields, its exposed statuses and its tag (allOf 3 to 5).
  set(out, ['properties', 'dist_status', 'enum'], [...HANDSHAKE_STATUSES, 'tls', null]);
  set(out, ['properties', 'cookie', 'oneOf', 0, 'pattern'], cookieTextPattern());
  set(out, ['allOf', 3, 'if', 'properties', 'probe', 'const'], NAMES);
  set(out, ['allOf', 4, 'if', 'properties', 'probe', 'const'], DIST);
  const distExposed = DIST_STATUSES.filter((s) => s.exposed).map((s) => s.name);
  set(out, ['allOf', 5, 'if', 'properties', 'status', 'enum'], distExposed);
  set(out, ['allOf', 5, 'then', 'properties', 'severity', 'enum'], [...SEVERITIES]);
  set(out, ['allOf', 5, 'then', 'properties', 'tag', 'const'], probeKind(DIST).tag);
  return out;
}

/** Writes the schema as JSON, then in the project's one format (Biome's), where Biome is installed. */
function write(path, schema) {
  writeFileSync(path, `${JSON.stringify(schema, null, 2)}\n`);
  const biome = fileURLToPath(new URL('../node_modules/.bin/biome', import.meta.url));
  spawnSync(biome, ['format', '--write', path], { stdio: 'ignore' });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // --file <path>: another copy of the schema (the tests' temporary ones).
  const at = process.argv.indexOf('--file');
  const path = at > 0 ? (process.argv[at + 1] ?? '') : fileURLToPath(SCHEMA);
  const committed = JSON.parse(readFileSync(path, 'utf8'));
  const generated = generate(committed);
  if (!isDeepStrictEqual(committed, generated)) {
    if (process.argv.includes('--check') || process.env.CI === 'true') {
      console.error(
        `${path} is stale: its enums differ from the tables (npm run build rewrites it; commit that)`,
      );
      process.exit(1);
    }
    write(path, generated);
    console.error(`${path}: enums regenerated from the tables; commit it`);
  }
}
