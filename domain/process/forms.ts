import { z } from 'zod';
import type { FieldSchema, FormSchema } from './definition.ts';

function fieldValidator(field: FieldSchema): z.ZodType {
  const value = (() => {
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
  })();
  // An optional field may be absent or null (FEEL gives null for "nothing").
  return field.required ? value : value.nullish();
}

/** The zod validator for a process input or task form; unknown fields are refused. */
export function formValidator(form: FormSchema): z.ZodType<Record<string, unknown>> {
  return z.strictObject(Object.fromEntries(Object.entries(form).map(([name, field]) => [name, fieldValidator(field)])));
}

/** A value of each field's type, to check expressions against a form before anything runs. */
export function sampleOf(form: FormSchema): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(form).map(([name, field]) => {
      switch (field.type) {
        case 'string':
          return [name, 'sample'];
        case 'number':
          return [name, field.min ?? 1];
        case 'boolean':
          return [name, true];
        case 'enum':
          return [name, field.values[0]];
        case 'dateTime':
          return [name, '2026-01-01T00:00:00Z'];
        case 'stringList':
          return [name, ['sample']];
      }
    }),
  );
}
