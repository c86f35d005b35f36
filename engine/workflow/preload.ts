// What every workflow in a worker thread shares (#20). The SDK's reusable V8 context evaluates
// this module, and what it imports, once per thread before it freezes the sandbox's globals and
// the modules loaded so far; every other module is evaluated anew for each workflow. So only
// modules without mutable state belong here: the definition language, FEEL, forms, and the
// libraries under them (zod, feelin, temporal-polyfill), imported as the interpreter imports them
// so that they are the same modules. Each workflow evaluating its own copy of them cost CPU at
// every start and memory for every cached instance. platform/worker/worker.ts preloads it.
import * as actions from '../definition/actions.ts';
import * as definition from '../definition/definition.ts';
import * as feel from '../definition/feel.ts';
import * as forms from '../definition/forms.ts';
import * as multiInstance from '../definition/multi-instance.ts';
import * as validate from '../definition/validate.ts';
import * as variables from '../definition/variables.ts';
import * as secrecy from '../../platform/organisation/secrecy.ts';
import * as texts from '../../platform/notifications/texts.ts';

// The SDK records where each workflow promise was created (for the stack-trace query) by taking
// a stack trace, each frame mapped through the bundle's source map, for every promise: it was the
// largest single cost of a decision. Workflow code keeps no stack frames; operators read what an
// instance waits for in its current details (engine/workflow/details.ts), and a failure keeps its
// type and message. Set here because the sandbox's Error is frozen after this module runs.
Error.stackTraceLimit = 0;

export const preloaded = [actions, definition, feel, forms, multiInstance, validate, variables, secrecy, texts];
