// Multi-instance over a list computed at run time (one task or one child process per item) and
// forms whose fields are lists of records: what CYC-1/2's archiving campaigns are built from.
// Time-skipping server, real activities against PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processState, sendMessage } from '../../engine/client.ts';
import type { ProcessDefinitionInput } from '../../engine/definition/definition.ts';
import { definitionToBpmn } from '../../engine/definition/bpmn.ts';
import { formValidator } from '../../engine/definition/forms.ts';
import { DefinitionError, validateDefinition } from '../../engine/definition/validate.ts';
import {
  collectionDefinition,
  collectionPerChildDefinition,
  departmentCollectionDefinition,
  handOverForm,
  handOverMessageDefinition,
  sequentialCollectionDefinition,
} from '../support/definitions.ts';
import { decide, openTasks, startEngine, type EngineHarness } from '../support/engine.ts';
import { serviceSpecs } from '../../areas/catalogue.ts';

const DAY = 24 * 60 * 60 * 1_000;

/** A hand-over list of `count` items, valid unless changed. */
function handOver(count: number): { items: Record<string, unknown>[] } {
  return {
    items: Array.from({ length: count }, (_, i) => ({ title: `Minutes ${i + 1}`, category: 'administrative', original: true, pages: 10 + i })),
  };
}

/** The departments of the demo organisation with a Department Manager, in id order, and their managers. */
const managers = [
  ['business', 'biz-manager'],
  ['expansion', 'expansion-manager'],
  ['finance', 'finance-manager'],
  ['hr', 'hr-manager'],
  ['market', 'market-manager'],
  ['sales-floor', 'floor-manager'],
] as const;

describe('multi-instance over items and record-list forms', () => {
  let engine: EngineHarness;
  const result = (id: string) => engine.client.workflow.getHandle(id).result();
  beforeAll(async () => {
    engine = await startEngine({ suite: 'items' });
    for (const definition of [collectionDefinition, sequentialCollectionDefinition, departmentCollectionDefinition, collectionPerChildDefinition, handOverMessageDefinition]) {
      await engine.publish(definition);
    }
  });
  afterAll(() => engine?.teardown());

  it('CYC-2: a collection task per department the service lists, each for that department manager, the result collecting each list by department', async () => {
    const id = await engine.start({ key: 'test.collection', version: 1 }, 'archivist');
    const tasks = await openTasks(engine, id, managers.length);
    expect(tasks.map((task) => [(task.item?.value as { id: string }).id, task.candidateIds])).toEqual(managers.map(([department, manager]) => [department, [manager]]));
    let last;
    for (const [index, task] of tasks.entries()) last = await decide(engine, id, task.id, task.candidateIds[0]!, 'submitted', handOver(index + 1));
    expect(last).toMatchObject({ status: 'collected', openTasks: [] });
    const { status, variables } = await result(id);
    expect(status).toBe('collected');
    const collect = variables.collect as { outcome: string; items: { item: { id: string }; outcome: string; decidedBy: string; data: { items: unknown[] } }[] };
    expect(collect.outcome).toBe('completed');
    expect(collect.items.map((entry) => [entry.item.id, entry.outcome, entry.decidedBy, entry.data.items.length])).toEqual(
      managers.map(([department, manager], index) => [department, 'submitted', manager, index + 1]),
    );
    expect(collect.items[2]!.item).toEqual({ id: 'finance', name: 'Finance', nameZh: '财务部' });
    const opened = await engine.db.sql<{ n: number }[]>`select count(*)::int as n from audit_log where process_id = ${id} and event = 'task.opened' and detail ? 'item'`;
    expect(opened[0]!.n).toBe(managers.length);
  });

  it('CYC-2: a hand-over list with a bad item is refused naming the item and field (items.1.pages), and changes nothing', async () => {
    const id = await engine.start({ key: 'test.collection', version: 1 }, 'archivist');
    const tasks = await openTasks(engine, id, managers.length);
    const finance = tasks.find((task) => task.candidateIds.includes('finance-manager'))!;
    const list = handOver(3);
    list.items[1] = { ...list.items[1], pages: 0 };
    list.items[2] = { ...list.items[2], pages: 2.5, colour: 'red' };
    const refusal = await decide(engine, id, finance.id, 'finance-manager', 'submitted', list).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'INVALID_TASK_DATA' });
    const paths = (refusal as { errors: { path: string }[] }).errors.map((e) => e.path).sort();
    expect(paths).toEqual(['items.1.pages', 'items.2', 'items.2.pages']);
    const empty = await decide(engine, id, finance.id, 'finance-manager', 'submitted', { items: [] }).catch((error: unknown) => error);
    expect(empty).toMatchObject({ code: 'INVALID_TASK_DATA', errors: [expect.objectContaining({ path: 'items' })] });
    expect((await processState(engine, id)).openTasks).toHaveLength(managers.length);
    const accepted = await decide(engine, id, finance.id, 'finance-manager', 'submitted', handOver(2));
    expect(accepted.openTasks).toHaveLength(managers.length - 1);
    await engine.client.workflow.getHandle(id).terminate('test over');
  });

  it('CYC-2: a department late with its list is escalated to its Deputy GM in charge; the others are not', async () => {
    const id = await engine.start({ key: 'test.collection', version: 1 }, 'archivist');
    const tasks = await openTasks(engine, id, managers.length);
    for (const task of tasks.filter((t) => !t.candidateIds.includes('finance-manager') && !t.candidateIds.includes('biz-manager'))) {
      await decide(engine, id, task.id, task.candidateIds[0]!, 'submitted', handOver(1));
    }
    await engine.env.sleep(11 * DAY);
    const open = (await processState(engine, id)).openTasks;
    expect(open.map((task) => [(task.item?.value as { id: string }).id, task.candidateIds])).toEqual([
      ['business', ['dgm-sales']],
      ['finance', ['dgm-admin']],
    ]);
    for (const task of open) await decide(engine, id, task.id, task.candidateIds[0]!, 'submitted', handOver(1));
    const collect = (await result(id)).variables.collect as { items: { decidedBy: string }[] };
    expect(collect.items.map((entry) => entry.decidedBy)).toEqual(['dgm-sales', 'expansion-manager', 'dgm-admin', 'hr-manager', 'market-manager', 'floor-manager']);
  });

  it('CYC-3: a hand-over list sent as a message is refused on the record when a record is bad, and taken when it is whole', async () => {
    const id = await engine.start({ key: 'test.collection.message', version: 1 }, 'archivist');
    const bad = handOver(2);
    bad.items[0] = { ...bad.items[0], category: 'miscellaneous' };
    await sendMessage(engine, id, { name: 'handOver', payload: bad, actorId: 'finance-manager', id: 'hand-over-1' });
    await sendMessage(engine, id, { name: 'handOver', payload: handOver(2), actorId: 'finance-manager', id: 'hand-over-2' });
    const { status, variables } = await result(id);
    expect(status).toBe('received');
    expect(variables.received).toEqual(handOver(2));
    const refused = await engine.db.sql<{ detail: { payload: unknown } }[]>`select detail from audit_log where process_id = ${id} and event = 'message.refused'`;
    expect(refused.map((row) => row.detail.payload)).toEqual([bad]);
  });

  it('a sequential task over a list given at start opens one department after another, in list order', async () => {
    const id = await engine.start({ key: 'test.collection.sequential', version: 1 }, 'archivist', { departmentIds: ['hr', 'finance'] });
    const [first] = await openTasks(engine, id);
    expect(first!.candidateIds).toEqual(['hr-manager']);
    expect((await processState(engine, id)).openTasks).toHaveLength(1);
    const answer = await decide(engine, id, first!.id, 'hr-manager', 'nothing');
    expect(answer.openTasks.map((task) => task.candidateIds)).toEqual([['finance-manager']]);
    await decide(engine, id, answer.openTasks[0]!.id, 'finance-manager', 'submitted', handOver(2));
    const { status, variables } = await result(id);
    expect(status).toBe('collected');
    expect((variables.collect as { items: unknown[] }).items).toEqual([
      { item: 'hr', outcome: 'nothing', data: {}, decidedBy: 'hr-manager', onBehalfOf: null, comment: null },
      { item: 'finance', outcome: 'submitted', data: handOver(2), decidedBy: 'finance-manager', onBehalfOf: null, comment: null },
    ]);
  });

  it('an empty list completes the task at once with no items', async () => {
    const id = await engine.start({ key: 'test.collection.sequential', version: 1 }, 'archivist', { departmentIds: [] });
    const { status, variables } = await result(id);
    expect(status).toBe('collected');
    expect(variables.collect).toMatchObject({ outcome: 'completed', items: [] });
  });

  it('CYC-2: a callActivity over a record list given at start runs one child process per department, each for its manager', async () => {
    const departments = [
      { id: 'market', name: 'Market Dept' },
      { id: 'finance', name: 'Finance' },
    ];
    const id = await engine.start({ key: 'test.collection.children', version: 1 }, 'archivist', { departments });
    let children = (await processState(engine, id)).children;
    for (let i = 0; children.length < 2 && i < 100; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      children = (await processState(engine, id)).children;
    }
    expect(children).toHaveLength(2);
    const candidates = [];
    for (const child of children) {
      const [task] = await openTasks(engine, child.processId);
      candidates.push(task!.candidateIds[0]!);
      await decide(engine, child.processId, task!.id, task!.candidateIds[0]!, 'submitted', handOver(1));
    }
    expect(candidates.sort()).toEqual(['finance-manager', 'market-manager']);
    const { status, variables } = await result(id);
    expect(status).toBe('collected');
    const each = variables.each as { items: { item: unknown; status: string; variables: { departmentId: string; collect: { decidedBy: string } } }[] };
    expect(each.items.map((entry) => [entry.item, entry.status, entry.variables.departmentId, entry.variables.collect.decidedBy])).toEqual([
      [departments[0], 'collected', 'market', 'market-manager'],
      [departments[1], 'collected', 'finance', 'finance-manager'],
    ]);
  });
});

describe('definitions with items are checked when registered', () => {
  const problems = (definition: ProcessDefinitionInput): string[] => {
    try {
      validateDefinition(definition, { services: serviceSpecs, isPublished: () => true });
      return [];
    } catch (error) {
      if (!(error instanceof DefinitionError)) throw error;
      return error.problems.map((p) => `${p.path}: ${p.message}`);
    }
  };
  const withCollect = (change: Record<string, unknown>, input: ProcessDefinitionInput['input'] = {}): ProcessDefinitionInput => ({
    ...collectionDefinition,
    input,
    nodes: collectionDefinition.nodes.map((node) => (node.id === 'collect' ? ({ ...node, ...change } as typeof node) : node)),
  });
  const items = (multi: Record<string, unknown>) => ({ multiInstance: { mode: 'parallel', items: 'organisation.departments', as: 'department', ...multi } });

  it('accepts the collection definitions', () => {
    for (const definition of [collectionDefinition, sequentialCollectionDefinition, departmentCollectionDefinition, collectionPerChildDefinition]) expect(problems(definition)).toEqual([]);
  });

  it('the BPMN export marks tasks and call activities over items as multi-instance and describes record lists', async () => {
    const collection = await definitionToBpmn(validateDefinition(collectionDefinition, { services: serviceSpecs }));
    expect(collection).toMatch(/<bpmn:userTask id="collect"[^]*?<bpmn:multiInstanceLoopCharacteristics \/>/);
    expect(collection).toContain('Multi-instance: parallel, one task per item of organisation.departments (each as department), completion all');
    expect(collection).toContain('items (list of records: title (string), category (enum), original (boolean), pages (number), volume (string, optional))');
    const children = await definitionToBpmn(validateDefinition(collectionPerChildDefinition, { services: serviceSpecs, isPublished: () => true }));
    expect(children).toMatch(/<bpmn:callActivity id="each"[^]*?<bpmn:multiInstanceLoopCharacteristics \/>/);
    expect(children).toContain('one child process per item of departments (each as department)');
  });

  it('a record list in the input is checked record by record, each error naming its record and field (departments.0.id)', () => {
    const input = formValidator(validateDefinition(collectionPerChildDefinition, { services: serviceSpecs, isPublished: () => true }).input);
    expect(input.safeParse({ departments: [{ id: 'hr', name: 'HR' }] }).success).toBe(true);
    const issues = input.safeParse({ departments: [{ id: 'hr', name: 'HR' }, { name: 'no id' }] }).error?.issues ?? [];
    expect(issues.map((issue) => issue.path.join('.'))).toEqual(['departments.1.id']);
  });

  it('refuses an items expression that does not give a list', () => {
    expect(problems(withCollect(items({ items: 'organisation' })))).toEqual([expect.stringMatching(/^nodes\.collect\.multiInstance\.items: .*must give a non-empty list/)]);
    expect(problems(withCollect(items({ items: 'unknownList' })))).toEqual([expect.stringMatching(/^nodes\.collect\.multiInstance\.items: .*unknownList/)]);
  });

  it('refuses an item name that shadows an input, a reserved name or a node result', () => {
    expect(problems(withCollect(items({ as: 'department' }), { department: { type: 'string' } }))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^nodes\.collect\.multiInstance\.as: "department" shadows/)]),
    );
    expect(problems(withCollect(items({ as: 'initiator' })))).toEqual([expect.stringMatching(/^nodes\.collect\.multiInstance\.as: "initiator" shadows/)]);
    expect(problems(withCollect(items({ as: 'organisation' })))).toEqual([expect.stringMatching(/^nodes\.collect\.multiInstance\.as: "organisation" shadows/)]);
  });

  it('checks item-dependent candidates against the sample item, and refuses a field the records do not have', () => {
    const candidates = { anyOf: [{ role: 'department_manager', department: 'department.code' }] };
    expect(problems(withCollect({ candidates }))).toEqual([expect.stringMatching(/^nodes\.collect\.candidates\.anyOf\.0\.department: /)]);
  });

  it('refuses one next node per outcome on a task over items (the way on is chosen from its result)', () => {
    expect(problems(withCollect({ next: { submitted: 'anyReturned' } }))).toEqual([expect.stringMatching(/^nodes\.collect: a task with one instance per item has one next node/)]);
  });

  it('reads a record list in FEEL against a sample record, and refuses a record list without fields or with minItems over maxItems', () => {
    const reading = (when: string): ProcessDefinitionInput => ({
      ...sequentialCollectionDefinition,
      input: { list: handOverForm.items! },
      nodes: [
        { id: 'start', type: 'startEvent', next: 'gate' },
        { id: 'gate', type: 'exclusiveGateway', branches: [{ when, to: 'done' }], default: 'done' },
        { id: 'done', type: 'endEvent', status: 'done' },
      ],
    });
    expect(problems(reading('sum(for item in list return item.pages) > 100'))).toEqual([]);
    expect(problems(reading('list[1].weight > 1'))).toEqual([expect.stringMatching(/^nodes\.gate\.branches\.0\.when: /)]);
    expect(problems({ ...sequentialCollectionDefinition, input: { list: { type: 'recordList', fields: {} } } })).toEqual([expect.stringMatching(/^input\.list\.fields: a record has at least one field/)]);
    expect(problems({ ...sequentialCollectionDefinition, input: { list: { type: 'recordList', fields: { a: { type: 'string' } }, minItems: 5, maxItems: 2 } } })).toEqual([
      expect.stringMatching(/minItems is more than maxItems/),
    ]);
  });
});
