// The company's policy processes, as definitions. Published at start-up (idempotently) by the
// API and the local launcher; each is immutable once published under its key@version.
import type { ProcessDefinitionInput } from '../engine/definition/definition.ts';
import { borrowingProcesses } from './borrowing/definitions.ts';
import { customerProcesses } from './customers/definitions.ts';
import { delegationProcesses } from './delegation/definitions.ts';
import { destructionProcesses } from './destruction/definitions.ts';

export const processCatalogue: ProcessDefinitionInput[] = [...delegationProcesses, ...borrowingProcesses, ...destructionProcesses, ...customerProcesses];
