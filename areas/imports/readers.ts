// Reading a register file as it arrives (issue 21.2): CSV through csv-parse, XLSX through
// ExcelJS's streaming reader, so a large file is never held in memory whole. Each yields the rows
// of the first sheet as column name -> text, the header row naming the columns in English or
// Chinese (api/messages.ts).
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { parse } from 'csv-parse';
import ExcelJS from 'exceljs';
import type { RegisterRow } from './rules.ts';
import { columnOfHeader } from '../../platform/http/messages.ts';

export const importFormats = ['csv', 'xlsx'] as const;
export type ImportFormat = (typeof importFormats)[number];

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The format a request's content type names; undefined for any other. */
export function formatOf(contentType: string | undefined): ImportFormat | undefined {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type === 'text/csv' || type === 'application/csv') return 'csv';
  if (type === XLSX_TYPE) return 'xlsx';
  return undefined;
}

/** A file that cannot be read as its format (not CSV, a broken workbook): the caller answers 400. */
export class UnreadableFile extends Error {
  override name = 'UnreadableFile';
}

export interface ReadRow {
  /** The row's number in the file, the header being row 1. */
  row: number;
  values: RegisterRow;
}

/** The header's column names, then every row, read as the body arrives. */
export async function* readRegister(body: ReadableStream<Uint8Array> | Readable, format: ImportFormat): AsyncGenerator<{ columns: string[] } | ReadRow> {
  const input = body instanceof Readable ? body : Readable.fromWeb(body as WebReadableStream<Uint8Array>);
  try {
    yield* format === 'csv' ? readCsv(input) : readXlsx(input);
  } catch (error) {
    if (error instanceof UnreadableFile) throw error;
    // csv-parse and ExcelJS report a malformed file with errors of their own (and unzip's).
    throw new UnreadableFile(error instanceof Error ? error.message : String(error), { cause: error });
  }
}

async function* readCsv(input: Readable): AsyncGenerator<{ columns: string[] } | ReadRow> {
  const parser = input.pipe(parse({ bom: true, trim: true, skip_empty_lines: true, relax_column_count: true }));
  input.on('error', (error) => parser.destroy(error));
  let columns: string[] | undefined;
  let row = 0;
  for await (const record of parser as AsyncIterable<string[]>) {
    row += 1;
    if (!columns) {
      columns = record.map(columnOfHeader);
      yield { columns };
      continue;
    }
    yield { row, values: Object.fromEntries(columns.map((column, index) => [column, record[index]])) };
  }
  if (!columns) yield { columns: [] };
}

/** A cell's value as the text a CSV would hold; dates as YYYY-MM-DD. */
function cellText(value: ExcelJS.CellValue): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('text' in value) return String(value.text);
    if ('error' in value) return undefined;
  }
  return String(value).trim();
}

async function* readXlsx(input: Readable): AsyncGenerator<{ columns: string[] } | ReadRow> {
  // Styles are read so that a date cell arrives as a date, not as its serial number.
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore' });
  for await (const sheet of workbook) {
    let columns: string[] | undefined;
    for await (const row of sheet) {
      // row.values is 1-based, with holes for empty cells.
      const cells = (row.values as ExcelJS.CellValue[]).slice(1);
      if (!columns) {
        columns = Array.from(cells, (cell) => columnOfHeader(cellText(cell) ?? ''));
        yield { columns };
        continue;
      }
      const values = Object.fromEntries(columns.map((column, index) => [column, cellText(cells[index])]));
      if (Object.values(values).every((value) => value === undefined || value === '')) continue;
      yield { row: row.number, values };
    }
    if (!columns) yield { columns: [] };
    // Only the first sheet is the register.
    return;
  }
  yield { columns: [] };
}
