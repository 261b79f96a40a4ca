// The NDJSON schema's enums are generated from the tables they describe
// (scripts/schema.js, run by npm run build): the committed schema is what
// the generator makes of it, a stale copy is put right, and a check of a
// stale copy (what CI's build does) fails.

import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { HANDSHAKE_STATUSES } from '../../src/epmd/dist-reply.js';
import { FOLLOW_UPS } from '../../src/probes/names/index.js';
import { STATUSES } from '../../src/probes/registry.js';
import { SEVERITIES } from '../../src/record.js';
import { SCHEMA_PATH } from '../helpers/schema.js';

const run = promisify(execFile);
const SCRIPT = new URL('../../scripts/schema.js', import.meta.url);
const { generate } = (await import(SCRIPT.href)) as {
  generate: (schema: unknown) => Record<string, unknown>;
};
type Enum = { enum?: unknown[]; items?: { enum: unknown[] } };
type Schema = {
  properties: Record<'status' | 'probe' | 'severity' | 'follow_ups_cut', Enum>;
  $defs: { node: { properties: { cookie: { oneOf: { pattern?: string }[] } } } };
};
const committed = (): Schema => JSON.parse(readFileSync(SCHEMA_PATH, 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'epmd-scan-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the schema whose enums have fallen behind the tables. */
function stale(): Schema {
  const s = committed();
  s.properties.status.enum = ['epmd', 'not-epmd', 'refused'];
  (s.properties.follow_ups_cut.items as { enum: unknown[] }).enum = ['node-info'];
  (s.$defs.node.properties.cookie.oneOf[0] as { pattern: string }).pattern = '^(rejected)$';
  return s;
}

describe('the NDJSON schema and the tables', () => {
  it('the committed schema is what the generator makes of it', () => {
    expect(generate(committed())).toEqual(committed());
  });
  it('its enums are the tables', () => {
    const s = committed();
    expect(s.properties.status.enum).toEqual([...STATUSES]);
    expect(s.properties.probe.enum).toEqual(['names', 'dist']);
    expect((s.properties as Record<string, Enum>).dist_status?.enum).toEqual([
      ...HANDSHAKE_STATUSES,
      'tls',
      null,
    ]);
    expect(s.properties.severity.enum).toEqual([...SEVERITIES, null]);
    expect(s.properties.follow_ups_cut.items?.enum).toEqual([...FOLLOW_UPS]);
    expect(s.$defs.node.properties.cookie.oneOf[0]?.pattern).toBe(
      '^(accepted: .+|rejected|inconclusive|not-tried)$',
    );
  });
  it('puts a stale copy right, and its check fails until then', async () => {
    const path = join(dir, 'stale.schema.json');
    writeFileSync(path, JSON.stringify(stale(), null, 2));
    const env = { ...process.env, CI: '' };
    const check = run(process.execPath, [SCRIPT.pathname, '--check', '--file', path], { env });
    await expect(check).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/stale/) });
    await run(process.execPath, [SCRIPT.pathname, '--file', path], { env });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(committed());
    await run(process.execPath, [SCRIPT.pathname, '--check', '--file', path], { env });
  });
  it('leaves an up-to-date copy as it is, byte for byte', async () => {
    const path = join(dir, 'fresh.schema.json');
    copyFileSync(SCHEMA_PATH, path);
    await run(process.execPath, [SCRIPT.pathname, '--file', path], { env: { ...process.env } });
    expect(readFileSync(path, 'utf8')).toBe(readFileSync(SCHEMA_PATH, 'utf8'));
  });
});
