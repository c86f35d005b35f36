// CSV (RFC 4180) cells for every export. A spreadsheet reads a cell that begins with =, +, -, @,
// a tab or a carriage return as a formula (CSV/formula injection, OWASP): such a cell gets a
// leading apostrophe, which spreadsheets show as text and do not evaluate.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: neutralised when it could be read as a formula, then quoted when it must be. */
export function csvCell(value: string | number): string {
  const raw = String(value);
  const text = typeof value === 'string' && FORMULA_START.test(raw) ? `'${raw}` : raw;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line (without its CRLF). */
export function csvLine(values: readonly (string | number)[]): string {
  return values.map(csvCell).join(',');
}
