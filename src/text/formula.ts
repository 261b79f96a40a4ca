// Spreadsheet formulas in report cells: neutralised on the way out, undone
// exactly on the way back in (a baseline read from an earlier report).

/** What a spreadsheet takes as the start of a formula, full-width forms included, after any `'`s. */
const FORMULA_START = /^'*[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

/**
 * Neutralises a cell a spreadsheet would evaluate (OWASP "CSV injection"): a
 * leading `=`, `+`, `-`, `@`, tab or CR, also in their full-width forms, gets
 * a `'` in front so it is shown as text. So that unguardFormula can undo it
 * exactly, a text that already starts with `'`s before such a character gets
 * one more.
 */
export function neutraliseFormula(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

/** The exact inverse of neutraliseFormula. */
export function unguardFormula(s: string): string {
  return s.startsWith("'") && FORMULA_START.test(s.slice(1)) ? s.slice(1) : s;
}
