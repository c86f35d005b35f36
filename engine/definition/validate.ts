// Checks a definition as a whole before it is published, so a bad definition never reaches a
// worker: the graph, the outcomes, the allow-listed activities and every FEEL expression.
import { definitionSchema, type CandidateRule, type ProcessDefinition, type ProcessNode } from './definition.ts';
import { definitionRef, incomingCounts, reachableFrom, successors } from './graph.ts';
import { ExpressionError, evaluateCondition, evaluateDurationMs, evaluateFeel, evaluateInstantMs, evaluateValue } from './feel.ts';
import { isCandidateRole } from './candidates.ts';
import { sampleOf } from './forms.ts';
import { serviceSpec, type ServiceSpecs } from './services.ts';
import { checkTaskActions } from './validate-actions.ts';

export class DefinitionError extends Error {
  override name = 'DefinitionError';
  constructor(readonly problems: { path: string; message: string }[]) {
    super(`invalid process definition: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
  }
}

/**
 * Fork shapes the interpreter cannot run (#22.8): a branch of a fork that leads back into the
 * same fork before any join would fork again while its sibling branches still run.
 */
function checkForks(definition: ProcessDefinition, byId: Map<string, ProcessNode>, problem: (path: string, message: string) => void): void {
  const incoming = incomingCounts(definition);
  for (const fork of definition.nodes) {
    if (fork.type !== 'parallelGateway' || fork.next.length < 2) continue;
    const seen = new Set<string>();
    const stack = [...fork.next];
    while (stack.length) {
      const id = stack.pop()!;
      if (id === fork.id) {
        problem(`nodes.${fork.id}`, `a branch of the fork "${fork.id}" leads back into it before its join`);
        break;
      }
      if (seen.has(id)) continue;
      seen.add(id);
      const node = byId.get(id)!;
      if (node.type === 'parallelGateway' && (incoming.get(id) ?? 0) > 1) continue;
      stack.push(...successors(node));
    }
  }
}

/** The first item of a multi-instance list over the sample values, or null when it gives none. */
function sampleItem(expression: string, context: Record<string, unknown>): unknown {
  try {
    const items = evaluateValue(expression, context);
    return Array.isArray(items) ? (items[0] ?? null) : null;
  } catch {
    return null;
  }
}

/** The variables a running instance may hold, each with a value of its type. */
export function sampleContext(definition: ProcessDefinition, services: ServiceSpecs): Record<string, unknown> {
  const context: Record<string, unknown> = {
    ...sampleOf(definition.input),
    initiator: { id: 'sample-user', departmentId: 'sample-department' },
    process: { id: 'sample-process', key: definition.key, version: definition.version, businessKey: 'sample' },
  };
  for (const node of definition.nodes) {
    if (node.type === 'userTask') {
      context[node.resultVariable ?? node.id] = {
        outcome: node.outcomes[0],
        data: sampleOf(node.form ?? {}),
        decidedBy: 'sample-user',
        onBehalfOf: null,
        comment: '',
        votes: [{ actorId: 'sample-user', outcome: node.outcomes[0], onBehalfOf: null, data: sampleOf(node.form ?? {}) }],
      };
    } else if (node.type === 'receiveTask') {
      context[node.resultVariable ?? node.id] = sampleOf(node.form ?? {});
    } else if (node.type === 'serviceTask') {
      const spec = serviceSpec(services, node.activity);
      if (spec) context[node.resultVariable ?? node.id] = sampleOf(spec.result);
    } else if (node.type === 'callActivity') {
      context[node.resultVariable ?? node.id] = { status: 'sample', variables: {} };
    }
  }
  // Results over items name their item: known once every other variable has its sample.
  const itemResults = new Map<string, Record<string, unknown>>();
  for (const node of definition.nodes) {
    if (node.type !== 'userTask' && node.type !== 'callActivity') continue;
    const multi = node.multiInstance;
    if (!multi || !('items' in multi)) continue;
    const item = sampleItem(multi.items, context);
    const variable = node.resultVariable ?? node.id;
    const result = context[variable] as Record<string, unknown>;
    itemResults.set(
      variable,
      node.type === 'userTask'
        ? { ...result, items: [{ item, outcome: node.outcomes[0], data: sampleOf(node.form ?? {}), decidedBy: 'sample-user', onBehalfOf: null, comment: '' }] }
        : { items: [{ item, ...result }] },
    );
  }
  for (const [variable, result] of itemResults) context[variable] = result;
  return context;
}

export interface ValidateOptions {
  /** The services a serviceTask may call (the catalogue's serviceSpecs). */
  services: ServiceSpecs;
  /** Definitions a callActivity may name, by `key@version`. */
  isPublished?: (ref: string) => boolean;
}

/** Parses and checks a definition; throws DefinitionError listing every problem found. */
export function validateDefinition(input: unknown, options: ValidateOptions): ProcessDefinition {
  const parsed = definitionSchema.safeParse(input);
  if (!parsed.success) {
    throw new DefinitionError(parsed.error.issues.map((issue) => ({ path: issue.path.join('.') || '(definition)', message: issue.message })));
  }
  const definition = parsed.data;
  const problems: { path: string; message: string }[] = [];
  const problem = (path: string, message: string) => problems.push({ path, message });

  const byId = new Map<string, ProcessNode>();
  for (const node of definition.nodes) {
    if (byId.has(node.id)) problem(`nodes.${node.id}`, 'duplicate node id');
    byId.set(node.id, node);
  }
  const starts = definition.nodes.filter((node) => node.type === 'startEvent');
  if (starts.length !== 1) problem('nodes', `a definition has exactly one startEvent, found ${starts.length}`);
  if (!definition.nodes.some((node) => node.type === 'endEvent')) problem('nodes', 'a definition needs an endEvent');
  for (const name of Object.keys(definition.input)) {
    if (['initiator', 'process'].includes(name) || byId.has(name)) problem(`input.${name}`, 'clashes with a reserved name or a node id');
  }
  // An item's name hides nothing the instance holds: its input, reserved names, node results.
  const variables = new Set(['initiator', 'process', ...Object.keys(definition.input), ...definition.nodes.flatMap((n) => [n.id, (n as { resultVariable?: string }).resultVariable ?? n.id])]);
  for (const node of definition.nodes) {
    const multi = node.type === 'userTask' || node.type === 'callActivity' ? node.multiInstance : undefined;
    if (multi && 'items' in multi && variables.has(multi.as)) problem(`nodes.${node.id}.multiInstance.as`, `"${multi.as}" shadows an input, a reserved name or a node's result`);
  }

  for (const node of definition.nodes) {
    const at = `nodes.${node.id}`;
    for (const target of successors(node)) {
      if (!byId.has(target)) problem(at, `goes to unknown node "${target}"`);
      if (byId.get(target)?.type === 'startEvent') problem(at, 'may not go back to the startEvent');
    }
    if (node.type === 'userTask') {
      if (typeof node.next !== 'string') {
        const missing = node.outcomes.filter((outcome) => !(outcome in (node.next as Record<string, string>)));
        const extra = Object.keys(node.next).filter((outcome) => !node.outcomes.includes(outcome));
        if (missing.length) problem(at, `no next node for outcome(s) ${missing.join(', ')}`);
        if (extra.length) problem(at, `next names outcome(s) the task does not have: ${extra.join(', ')}`);
      }
      if (node.autoOutcome && !node.outcomes.includes(node.autoOutcome.outcome)) problem(at, `autoOutcome "${node.autoOutcome.outcome}" is not an outcome of the task`);
      for (const boundary of node.messages ?? []) {
        if (!node.outcomes.includes(boundary.outcome)) problem(at, `message "${boundary.message}" closes the task with "${boundary.outcome}", which is not an outcome of it`);
      }
      if (node.multiInstance && 'items' in node.multiInstance) {
        // The task completes when its items are done; a gateway over the result's items chooses the way on.
        if (typeof node.next !== 'string') problem(at, 'a task with one instance per item has one next node (branch on its result\'s items after it)');
      } else if (node.multiInstance) {
        const { approve, reject } = node.multiInstance;
        if (node.outcomes.length !== 2 || !node.outcomes.includes(approve) || !node.outcomes.includes(reject)) {
          problem(at, `a multi-instance task has exactly the outcomes "${approve}" and "${reject}"`);
        }
      }
      if ((node.reminders ?? []).some((r) => r.from === 'due') || node.escalation?.from === 'due' || node.autoOutcome?.from === 'due') {
        if (!node.due) problem(at, 'a boundary timer measured from the due time needs `due`');
      }
    }
    if (node.type === 'receiveTask' && node.reminders?.some((r) => r.from === 'due') && !node.deadline) {
      problem(at, 'a reminder measured from the due time needs a deadline');
    }
    if (node.type === 'serviceTask') checkServiceCall(at, node, options.services, problem);
    if (node.type === 'callActivity' && options.isPublished && !options.isPublished(definitionRef(node.process))) {
      problem(at, `calls ${definitionRef(node.process)}, which is not published`);
    }
  }
  if (problems.length) throw new DefinitionError(problems);

  // Every node can be reached from the start, and from every node an end can be reached.
  const start = starts[0]!;
  const reached = new Set<string>();
  const walk = (id: string) => {
    if (reached.has(id)) return;
    reached.add(id);
    for (const target of successors(byId.get(id)!)) walk(target);
  };
  walk(start.id);
  for (const node of definition.nodes) if (!reached.has(node.id)) problem(`nodes.${node.id}`, 'cannot be reached from the startEvent');
  const canEnd = new Set(definition.nodes.filter((node) => node.type === 'endEvent').map((node) => node.id));
  for (let grew = true; grew; ) {
    grew = false;
    for (const node of definition.nodes) {
      if (!canEnd.has(node.id) && successors(node).some((target) => canEnd.has(target))) {
        canEnd.add(node.id);
        grew = true;
      }
    }
  }
  for (const node of definition.nodes) if (!canEnd.has(node.id)) problem(`nodes.${node.id}`, 'no endEvent can be reached from here');
  if (definition.onCancel) checkServiceCall('onCancel', definition.onCancel, options.services, problem);
  checkForks(definition, byId, problem);
  checkTaskActions(definition, reachableFrom(definition), problem);

  checkExpressions(definition, options.services, problem);
  if (problems.length) throw new DefinitionError(problems);
  return definition;
}

/** A call of an allow-listed service: the activity exists, and takes exactly the inputs given (all it requires). */
function checkServiceCall(at: string, call: { activity: string; input: Record<string, string> }, services: ServiceSpecs, problem: (path: string, message: string) => void): void {
  const spec = serviceSpec(services, call.activity);
  if (!spec) return problem(at, `activity "${call.activity}" is not on the allow-list`);
  for (const name of Object.keys(call.input)) if (!(name in spec.input)) problem(at, `activity "${call.activity}" takes no input "${name}"`);
  for (const [name, field] of Object.entries(spec.input)) if (field.required && !(name in call.input)) problem(at, `activity "${call.activity}" needs input "${name}"`);
}

function checkExpressions(definition: ProcessDefinition, services: ServiceSpecs, problem: (path: string, message: string) => void): void {
  const context = sampleContext(definition, services);
  const now = Date.UTC(2026, 0, 1);
  const check = (path: string, run: () => unknown) => {
    try {
      run();
    } catch (error) {
      problem(path, error instanceof ExpressionError ? error.message : String(error));
    }
  };
  const value = (path: string, expression: string, scope = context) => check(path, () => evaluateFeel(expression, scope));
  const duration = (path: string, expression: string) => check(path, () => evaluateDurationMs(expression, context, now));
  const rule = (path: string, candidates: CandidateRule | undefined, scope = context) => {
    candidates?.anyOf.forEach((spec, i) => {
      if ('user' in spec) value(`${path}.anyOf.${i}.user`, spec.user, scope);
      if ('users' in spec) value(`${path}.anyOf.${i}.users`, spec.users, scope);
      if ('role' in spec && !isCandidateRole(spec.role)) problem(`${path}.anyOf.${i}.role`, `unknown role "${spec.role}"`);
      if ('role' in spec && spec.role === 'deputy_gm_in_charge' && !spec.department) problem(`${path}.anyOf.${i}`, 'the Deputy GM in charge is of a department');
      if ('department' in spec && spec.department) value(`${path}.anyOf.${i}.department`, spec.department, scope);
    });
    if (candidates?.fallback) rule(`${path}.fallback`, candidates.fallback, scope);
  };

  if (definition.secrecy) value('secrecy', definition.secrecy);
  if (definition.businessKey) value('businessKey', definition.businessKey);
  if (definition.customer) value('customer', definition.customer);
  for (const [name, expression] of Object.entries(definition.onCancel?.input ?? {})) {
    check(`onCancel.input.${name}`, () => evaluateFeel(expression, { ...context, cancel: { actorId: 'sample-user', reason: '' } }));
  }
  /** The list a multi-instance runs over, and the context its instances see (null: not a list, reported). */
  const itemContext = (at: string, multi: { items: string; as: string }): Record<string, unknown> | null => {
    let items: unknown;
    try {
      items = evaluateValue(multi.items, context);
    } catch (error) {
      problem(`${at}.multiInstance.items`, error instanceof ExpressionError ? error.message : String(error));
      return null;
    }
    if (!Array.isArray(items) || items.length === 0) {
      problem(`${at}.multiInstance.items`, `\`${multi.items}\` must give a non-empty list for the sample values, not ${JSON.stringify(items)}`);
      return null;
    }
    return { ...context, [multi.as]: items[0] };
  };
  for (const node of definition.nodes) {
    const at = `nodes.${node.id}`;
    switch (node.type) {
      case 'userTask': {
        const multi = node.multiInstance;
        const perItem = multi && 'items' in multi ? itemContext(at, multi) : context;
        // Who decides (and whom it escalates to) may depend on the item; nothing else does.
        if (perItem) {
          rule(`${at}.candidates`, node.candidates, perItem);
          if (node.escalation) rule(`${at}.escalation.to`, node.escalation.to, perItem);
        }
        if (node.due) duration(`${at}.due`, node.due);
        node.reminders?.forEach((reminder, i) => {
          duration(`${at}.reminders.${i}.after`, reminder.after);
          if (reminder.every) duration(`${at}.reminders.${i}.every`, reminder.every);
          reminder.notify?.forEach((spec, j) => rule(`${at}.reminders.${i}.notify.${j}`, { anyOf: [spec] }));
        });
        if (node.escalation) duration(`${at}.escalation.after`, node.escalation.after);
        if (node.autoOutcome) duration(`${at}.autoOutcome.after`, node.autoOutcome.after);
        break;
      }
      case 'serviceTask':
        for (const [name, expression] of Object.entries(node.input)) value(`${at}.input.${name}`, expression);
        break;
      case 'callActivity': {
        const perItem = node.multiInstance ? itemContext(at, node.multiInstance) : context;
        if (perItem) for (const [name, expression] of Object.entries(node.input)) value(`${at}.input.${name}`, expression, perItem);
        break;
      }
      case 'exclusiveGateway':
        node.branches.forEach((branch, i) => check(`${at}.branches.${i}.when`, () => evaluateCondition(branch.when, context)));
        break;
      case 'timerEvent':
        if (node.duration) duration(`${at}.duration`, node.duration);
        if (node.date) check(`${at}.date`, () => evaluateInstantMs(node.date!, context));
        break;
      case 'receiveTask':
        if (node.deadline) duration(`${at}.deadline.after`, node.deadline.after);
        node.reminders?.forEach((reminder, i) => {
          duration(`${at}.reminders.${i}.after`, reminder.after);
          if (reminder.every) duration(`${at}.reminders.${i}.every`, reminder.every);
          rule(`${at}.reminders.${i}.notify`, { anyOf: reminder.notify });
        });
        break;
    }
  }
}
