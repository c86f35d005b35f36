import type { FormSchema } from './definition.ts';

/** An activity a serviceTask may call: its input and result, checked when a definition is registered. */
export interface ServiceSpec {
  description: string;
  input: FormSchema;
  result: FormSchema;
}
