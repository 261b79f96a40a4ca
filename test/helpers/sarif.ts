// SARIF 2.1.0, checked against the SARIF TC's JSON schema for 2.1.0 (its
// rtm.5 revision, draft-04), as @microsoft/jest-sarif (microsoft/sarif-js-sdk,
// MIT) ships it in its package: a dev dependency, read from node_modules,
// never copied into this repository. Compiled with ajv's draft-04 class and
// ajv-formats (uri, uri-reference, date-time are checked, not ignored).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';

const require = createRequire(import.meta.url);
export const SARIF_SCHEMA_FILE = require.resolve(
  '@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json',
);
export const sarifSchema = JSON.parse(readFileSync(SARIF_SCHEMA_FILE, 'utf8')) as {
  title: string;
};

// CommonJS packages: their default export is module.exports, with .default beside it.
const Ajv04 = ajvDraft04.default ?? ajvDraft04;
const addFormats = ajvFormats.default ?? ajvFormats;
// The schema's language pattern (`...{2}]?$`) is not valid with the u flag; it is with ECMAScript's own.
const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(sarifSchema);

/** The schema's complaints about a SARIF log, in words; empty when it is valid. */
export function sarifErrors(log: unknown): string[] {
  if (validate(log)) return [];
  return (validate.errors ?? []).map(
    (e: { instancePath: string; message?: string }) =>
      `${e.instancePath || '/'} ${e.message ?? ''}`,
  );
}
