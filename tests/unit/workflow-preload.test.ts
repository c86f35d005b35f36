// The modules every workflow in a worker thread shares (engine/workflow/preload.ts, #20) are
// frozen by the SDK once loaded. A module that keeps mutable state, or a library object filled in
// lazily (zod 4 gives a schema its methods on first use), would throw in a workflow once frozen.
// Here they are frozen as the SDK freezes them, and the interpreter's uses of them are run on
// every published definition of the catalogue.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { processCatalogue, serviceSpecs } from '../../areas/catalogue.ts';

/** As the SDK's reusable V8 context does (reusable-vm.js deepFreeze): objects recursively, functions themselves. */
function deepFreeze(value: unknown, seen = new WeakSet<object>()): void {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value)) return;
  seen.add(value);
  if (Object.isFrozen(value)) return;
  if (typeof value === 'object') {
    for (const key of Reflect.ownKeys(value)) {
      try {
        deepFreeze((value as Record<PropertyKey, unknown>)[key], seen);
      } catch {
        // Some objects cannot be frozen (typed arrays); the SDK skips them too.
      }
    }
  }
  Object.freeze(value);
}

/** Whether a zod schema is reachable from the value through plain objects and arrays. */
function holdsSchema(value: unknown, seen = new WeakSet<object>()): boolean {
  if (value === null || typeof value !== 'object' || seen.has(value)) return false;
  seen.add(value);
  if ('_zod' in value) return true;
  return Object.values(value).some((inner) => holdsSchema(inner, seen));
}

describe('the modules workflows share (#20)', () => {
  it('export no zod schema, work frozen, and run the interpreter\'s uses on every catalogue definition', async () => {
    const stackTraceLimit = Error.stackTraceLimit;
    const { preloaded } = await import('../../engine/workflow/preload.ts');
    // The module zeroes stack traces for the sandbox it is preloaded into; not for this test.
    expect(Error.stackTraceLimit).toBe(0);
    Error.stackTraceLimit = stackTraceLimit;

    const exported = preloaded.flatMap((namespace) => Object.entries(namespace));
    expect(exported.filter(([, value]) => holdsSchema(value)).map(([name]) => name)).toEqual([]);
    for (const [, value] of exported) deepFreeze(value);

    const { validateDefinition } = await import('../../engine/definition/validate.ts');
    const { formValidator, sampleOf } = await import('../../engine/definition/forms.ts');
    const { resubmitForm, taskActions } = await import('../../engine/definition/actions.ts');
    const { incomingCounts, reachableFrom } = await import('../../engine/definition/graph.ts');
    let forms = 0;
    for (const input of processCatalogue) {
      // Validation evaluates every FEEL expression of the definition through the frozen feel.ts.
      const definition = validateDefinition(structuredClone(input), { services: serviceSpecs, isPublished: () => true });
      expect(incomingCounts(definition).size).toBe(definition.nodes.length);
      expect(reachableFrom(definition).size).toBe(definition.nodes.length);
      const resubmit = resubmitForm(definition);
      expect(formValidator(resubmit).safeParse(sampleOf(resubmit)).success, `${definition.key} resubmission`).toBe(true);
      for (const node of definition.nodes) {
        if (node.type !== 'userTask') continue;
        expect(taskActions(node).withdraw).toBeTypeOf('boolean');
        if (!node.form) continue;
        forms += 1;
        expect(formValidator(node.form).safeParse(sampleOf(node.form)).success, `${definition.key} ${node.id}`).toBe(true);
      }
    }
    expect(processCatalogue.length).toBeGreaterThan(10);
    expect(forms).toBeGreaterThan(5);
  });

  it('leave zod ready before the sandbox is frozen: in a fresh process, forms build and refuse after the globals are frozen', async () => {
    // Nothing but the preloaded module runs first, as in a worker thread; then zod's global
    // config is frozen as the SDK freezes every global; then a workflow's first form is built.
    const script = `
      const preload = await import(${JSON.stringify(fileURLToPath(new URL('../../engine/workflow/preload.ts', import.meta.url)))});
      Object.freeze(globalThis.__zod_globalConfig);
      const { formValidator } = await import(${JSON.stringify(fileURLToPath(new URL('../../engine/definition/forms.ts', import.meta.url)))});
      const result = formValidator({ amount: { type: 'number', required: true, integer: true }, note: { type: 'string', required: false, maxLength: 5 } }).safeParse({ amount: 'x', note: 'too long' });
      console.log(JSON.stringify({ preloaded: preload.preloaded.length, success: result.success, issues: result.error.issues.map((i) => i.path.join('.')) }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../..', import.meta.url)) });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ preloaded: 8, success: false, issues: ['amount', 'note'] });
  });
});
