// Keyset pages: a query asks for one row more than the page holds, which tells whether another
// page follows; the cursor names the last row shown.

export function keysetPage<Row, Cursor>(rows: readonly Row[], limit: number, cursorOf: (last: Row) => Cursor): { page: Row[]; nextCursor: Cursor | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { page, nextCursor: rows.length > limit && last !== undefined ? cursorOf(last) : null };
}
