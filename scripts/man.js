// npm run build: writes the man page, dist/man/epmd-scan.1, from the built
// commander definition and help data (the ones --help prints), so the two
// cannot drift.

import { mkdirSync, writeFileSync } from 'node:fs';
import { flagTable } from '../dist/cli/flags.js';
import { manPage } from '../dist/cli/manpage.js';
import { packageVersion, program } from '../dist/cli/program.js';

const sink = { write: () => true };
const cmd = program({ stdout: sink, stderr: sink });
// The build's date, or SOURCE_DATE_EPOCH's for a reproducible build.
const epoch = process.env.SOURCE_DATE_EPOCH;
const date = new Date(epoch ? Number(epoch) * 1000 : Date.now()).toISOString().slice(0, 10);
const page = manPage(cmd, flagTable(cmd), { version: packageVersion(), date });
mkdirSync(new URL('../dist/man/', import.meta.url), { recursive: true });
writeFileSync(new URL('../dist/man/epmd-scan.1', import.meta.url), page);
