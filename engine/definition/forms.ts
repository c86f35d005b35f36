import { z } from 'zod';
import type { FieldSchema, FormSchema, ScalarFieldSchema } from './definition.ts';

function scalarValidator(field: ScalarFieldSchema): z.ZodType {
  switch (field.type) {
    case 'string':
      return z.string().max(field.maxLength);
    case 'number': {
      let number = field.integer ? z.number().int() : z.number();
      if (field.min !== undefined) number = number.min(field.min);
      if (field.max !== undefined) number = number.max(field.max);
      return number;
    }
    case 'boolean':
      return z.boolean();
    case 'enum':
      return z.enum(field.values as [string, ...string[]]);
    case 'dateTime':
      return z.iso.datetime({ offset: true });
    case 'stringList':
      return z.array(z.string().min(1)).max(1_000);
  }
}

function fieldValidator(field: FieldSchema): z.ZodType {
  // A record list checks each record as a form of its own: an error's path names the record (items.2.pages).
  const value = field.type === 'recordList' ? z.array(formValidator(field.fields)).min(field.minItems ?? 0).max(field.maxItems) : scalarValidator(field);
  // An optional field may be absent or null (FEEL gives null for "nothing").
  return field.required ? value : value.nullish();
}

/** The zod validator for a process input or task form; unknown fields are refused. */
export function formValidator(form: FormSchema): z.ZodType<Record<string, unknown>> {
  return z.strictObject(Object.fromEntries(Object.entries(form).map(([name, field]) => [name, fieldValidator(field)])));
}

function sampleValue(field: FieldSchema): unknown {
  switch (field.type) {
    case 'string':
      return 'sample';
    case 'number':
      return field.min ?? 1;
    case 'boolean':
      return true;
    case 'enum':
      return field.values[0];
    case 'dateTime':
      return '2026-01-01T00:00:00Z';
    case 'stringList':
      return ['sample'];
    case 'recordList':
      return [sampleOf(field.fields)];
  }
}

/** A value of each field's type, to check expressions against a form before anything runs. */
export function sampleOf(form: FormSchema): Record<string, unknown> {
  return Object.fromEntries(Object.entries(form).map(([name, field]) => [name, sampleValue(field)]));
}
