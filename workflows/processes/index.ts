// The company's policy processes, as definitions. Published at start-up (idempotently) by the
// API and the local launcher; each is immutable once published under its key@version.
import type { ProcessDefinitionInput } from '../../domain/process/definition.ts';
import { borrowingProcesses } from './borrowing.ts';
import { customerProcesses } from './customers.ts';
import { delegationProcesses } from './delegation.ts';
import { destructionProcesses } from './destruction.ts';

export const processCatalogue: ProcessDefinitionInput[] = [...delegationProcesses, ...borrowingProcesses, ...destructionProcesses, ...customerProcesses];
