// What every workflow in a worker thread shares (#20). The SDK's reusable V8 context evaluates
// this module, and what it imports, once per thread before it freezes the sandbox's globals and
// the modules loaded so far; every other module is evaluated anew for each workflow. So only
// modules without mutable state belong here: what the interpreter uses of the definition language
// (FEEL, forms, the graph, task-action defaults) and the libraries under it (zod, feelin,
// temporal-polyfill), imported as the interpreter imports them so that they are the same modules.
// Each workflow evaluating its own copy of them cost CPU at every start and memory for every
// cached instance. platform/worker/worker.ts preloads it.
//
// The SDK freezes what these modules export, and zod (4.6) fills a schema's methods in on first
// use: a schema built at module level and used in a workflow would throw there. So no module
// listed here exports a zod schema instance (the definition schema, definition.ts, is the API's,
// not the interpreter's); tests/unit/workflow-preload.test.ts freezes them as the SDK does and
// runs the interpreter's uses of them.
import * as actions from '../definition/actions.ts';
import * as feel from '../definition/feel.ts';
import * as forms from '../definition/forms.ts';
import * as graph from '../definition/graph.ts';
import * as multiInstance from '../definition/multi-instance.ts';
import * as variables from '../definition/variables.ts';
import * as secrecy from '../../platform/organisation/secrecy.ts';
import * as texts from '../../platform/notifications/texts.ts';

// The SDK records where each workflow promise was created (for the stack-trace query) by taking
// a stack trace, each frame mapped through the bundle's source map, for every promise: it was the
// largest single cost of a decision. Workflow code keeps no stack frames; operators read what an
// instance waits for in its current details (engine/workflow/details.ts), and a failure keeps its
// type and message. Set here because the sandbox's Error is frozen after this module runs.
Error.stackTraceLimit = 0;

// zod keeps its default locale and memoizer in a global, set when it builds its first schema (a
// container, for the memoizer). Built here, before the SDK freezes the sandbox's globals; a
// workflow building the first would find the global frozen.
forms
  .formValidator({
    text: { type: 'string', required: true, maxLength: 10 },
    count: { type: 'number', required: false, integer: true, min: 0 },
    rows: { type: 'recordList', required: false, maxItems: 2, fields: { at: { type: 'dateTime', required: true } } },
  })
  .safeParse({ text: 1 });

export const preloaded = [actions, feel, forms, graph, multiInstance, variables, secrecy, texts];
