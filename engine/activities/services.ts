// What a service-task handler receives and returns; the catalogue (areas/catalogue.ts) gathers one
// handler per allow-listed service.
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { formValidator } from '../definition/forms.ts';
import type { Sql } from '../../platform/db/client.ts';
import type { ServiceSpec } from '../definition/service-spec.ts';
import type { ServiceSpecs } from '../definition/services.ts';

export interface ServiceDeps {
  sql: Sql;
  /** For services that tell other process instances something (delegations). */
  client: Client;
  /** Where service tasks write backups (BACKUP_DIR; data/backups when absent). */
  backupDir?: string | undefined;
}

export interface ServiceContext {
  processId: string;
  /** Workflow id + step: a retried call must not write twice. */
  key: string;
  at: number;
}

export type ServiceHandler = (input: Record<string, unknown>, context: ServiceContext) => Promise<Record<string, unknown>>;

/** A handler for every service a spec map names, and no other. */
export type ServiceHandlers<Specs extends Record<string, ServiceSpec>> = { [Name in keyof Specs]: ServiceHandler };

/** The allow-list with its handlers, as the catalogue gives them to the engine's activities. */
export interface ServiceRegistry {
  specs: ServiceSpecs;
  handlers: Readonly<Record<string, ServiceHandler>>;
}

/** The value one field of a form holds, as TypeScript sees it (an enum's values when the spec keeps them literal). */
type FieldValue<Field> = Field extends { type: 'string' | 'dateTime' }
  ? string
  : Field extends { type: 'number' }
    ? number
    : Field extends { type: 'boolean' }
      ? boolean
      : Field extends { type: 'enum'; values: readonly (infer Value extends string)[] }
        ? Value
        : Field extends { type: 'stringList' }
          ? string[]
          : Field extends { type: 'recordList'; fields: infer Fields }
            ? FormValue<Fields>[]
            : never;

type RequiredName<Form> = { [Name in keyof Form]: Form[Name] extends { required: false } ? never : Name }[keyof Form];

/** The record a form accepts: required fields present, optional ones absent or null (as formValidator checks). */
export type FormValue<Form> = { [Name in RequiredName<Form>]: FieldValue<Form[Name]> } & {
  [Name in Exclude<keyof Form, RequiredName<Form>>]?: FieldValue<Form[Name]> | null;
};

/** A handler that receives its service's input typed and checked against the spec's input form. */
export type TypedServiceHandler<Spec extends ServiceSpec> = (input: FormValue<Spec['input']>, context: ServiceContext) => Promise<Record<string, unknown>>;

/**
 * The handlers of an area's services, each given its input parsed by the zod validator of its
 * ServiceSpec's input form (engine/definition/forms.ts) and typed from that form: no casts in the
 * handlers. Input that does not fit the spec is a defect of the caller, never worth a retry.
 */
export function typedServiceHandlers<Specs extends Record<string, ServiceSpec>>(
  specs: Specs,
  handlers: { [Name in keyof Specs]: TypedServiceHandler<Specs[Name]> },
): ServiceHandlers<Specs> {
  const typed = {} as Record<keyof Specs, ServiceHandler>;
  for (const name of Object.keys(specs) as (keyof Specs & string)[]) {
    const validator = formValidator(specs[name]!.input);
    const handle = handlers[name];
    typed[name] = async (input, context) => {
      const parsed = validator.safeParse(input);
      if (!parsed.success) throw ApplicationFailure.nonRetryable(`service ${name}: ${parsed.error.message}`, 'INVALID_SERVICE_INPUT');
      return handle(parsed.data as FormValue<Specs[typeof name]['input']>, context);
    };
  }
  return typed;
}
