// Issue #22, case 15: one escaping step per output. A record's names, full
// names and risks are safe text from parse time; CSV, NDJSON, the table and
// HTML must all show them as they are (`esc\x1b[31m`), none escape them again.

import { describe, expect, it } from 'vitest';
import { csvFormatter } from '../../../src/output/csv.js';
import { htmlFormatter } from '../../../src/output/html.js';
import { ndjsonFormatter } from '../../../src/output/ndjson.js';
import { tableFormatter } from '../../../src/output/table.js';
import { newRecord } from '../../../src/record.js';
import { escapeWireBytes } from '../../../src/text/escape.js';

const safe = (raw: string): string => escapeWireBytes(Buffer.from(raw, 'latin1')).text;
const name = safe('esc\x1b[31m');
const fullName = safe('esc\x1b[31m@h\x9bost');
const record = newRecord({
  ip: '192.0.2.7',
  port: 4369,
  status: 'epmd',
  epmdPort: 4369,
  nodes: [{ name, port: 25672, fullName, distStatus: 'ok' }],
  risks: [`node ${name}: distribution port reachable`],
});

function outputs(): Record<string, string> {
  const one = (f: { header(): string; format(r: typeof record): string; footer(): string }) =>
    f.header() + f.format(record) + f.footer();
  return {
    csv: one(csvFormatter()),
    ndjson: JSON.stringify(JSON.parse(one(ndjsonFormatter()))),
    table: one(tableFormatter()),
    html: one(htmlFormatter({ now: () => new Date(0) })),
  };
}

describe('the four formats on the same hostile names', () => {
  it('show the name, the full name and the risk escaped once', () => {
    expect(name).toBe('esc\\x1b[31m');
    for (const [format, text] of Object.entries(outputs())) {
      const plain = format === 'ndjson' ? text.replaceAll('\\\\', '\\') : text;
      expect(plain, format).toContain('esc\\x1b[31m');
      expect(text, format).not.toContain('x5cx1b');
      expect(text, format).not.toContain('\x1b');
      if (format !== 'csv' && format !== 'table') {
        expect(plain, format).toContain('esc\\x1b[31m@h\\x9bost');
      }
      if (format !== 'csv') expect(plain, format).toContain(`node esc\\x1b[31m: distribution`);
    }
  });
});
