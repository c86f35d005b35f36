// Card content in the customer list (issue 21.2): where the list has columns for the parts of the
// company's card format (CUS-3: basic data, characteristics, business status, trading activity),
// each row's card is judged by the customer archive's own schema, and written as the card's first
// version by the customer archive (importCard), so its history starts with the import.
import { cardContentSchema, cardGroups, type CardContent } from '../customer-archive/index.ts';
import { registerDate, type RegisterRow, type RowProblem } from './rules.ts';

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/**
 * The card columns: each field of the card format by its name in snake case (`legal_representative`,
 * `annual_sales`) or its Chinese label, whole or up to its parenthesis (`经营管理者`). The card's name
 * is the customer's (the `name` column).
 */
export const cardColumns = Object.entries(cardGroups).flatMap(([group, { fields }]) =>
  Object.entries(fields)
    .filter(([name]) => name !== 'name')
    .map(([name, field]) => ({ column: snakeCase(name), group, name, kind: field.kind, headers: [snakeCase(name), field.label.zh, field.label.zh.split('(')[0]!] })),
);

const cell = (row: RegisterRow, headers: readonly string[]): string | undefined => {
  for (const header of headers) {
    const value = row[header]?.trim();
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
};

/** A number as registers write it (`1,200,000`, `120万` is not read: the schema refuses it). */
function amount(value: string): number | string {
  const plain = value.replace(/[,，\s]/g, '').replace(/(元|人)$/, '');
  return /^\d+(\.\d+)?$/.test(plain) ? Number(plain) : value;
}

/**
 * The card a row carries: undefined when no card column is filled, else its problems (by column)
 * or its content as the customer archive stores it.
 */
export function judgeCard(row: number, values: RegisterRow, customerName: string | undefined): CardContent | RowProblem[] | undefined {
  const content: Record<string, Record<string, unknown>> = {};
  for (const column of cardColumns) {
    const value = cell(values, column.headers);
    if (value === undefined) continue;
    (content[column.group] ??= {})[column.name] = column.kind === 'number' ? amount(value) : column.kind === 'date' ? registerDate(value) : value;
  }
  if (Object.keys(content).length === 0) return undefined;
  if (customerName !== undefined) (content.basic ??= {}).name = customerName;
  const parsed = cardContentSchema.safeParse(content);
  if (parsed.success) return parsed.data as CardContent;
  return parsed.error.issues.map((issue) => {
    const [group, name] = issue.path.map(String);
    const column = cardColumns.find((c) => c.group === group && c.name === name)?.column ?? issue.path.join('.');
    return { row, field: column, problem: issue.message };
  });
}
