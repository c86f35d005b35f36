import { BpmnModdle, type ModdleElement } from 'bpmn-moddle';
import { describe, expect, it } from 'vitest';
import { definitionToBpmn, processId } from '../../engine/definition/bpmn.ts';
import type { ProcessDefinition, ProcessNode } from '../../engine/definition/definition.ts';
import { successors } from '../../engine/definition/graph.ts';
import { validateDefinition } from '../../engine/definition/validate.ts';
import { everyElementDefinition } from '../support/bpmn-fixtures.ts';
import { approvalDefinition } from '../support/definitions.ts';
import { serviceSpecs } from '../../areas/catalogue.ts';

const bpmnType: Record<ProcessNode['type'], string> = {
  startEvent: 'bpmn:StartEvent',
  endEvent: 'bpmn:EndEvent',
  userTask: 'bpmn:UserTask',
  serviceTask: 'bpmn:ServiceTask',
  exclusiveGateway: 'bpmn:ExclusiveGateway',
  parallelGateway: 'bpmn:ParallelGateway',
  timerEvent: 'bpmn:IntermediateCatchEvent',
  receiveTask: 'bpmn:ReceiveTask',
  callActivity: 'bpmn:CallActivity',
};

const list = (element: ModdleElement | undefined, property: string) => (element?.get(property) as ModdleElement[] | undefined) ?? [];
const ref = (element: ModdleElement | undefined, property: string) => element?.get(property) as ModdleElement | undefined;

async function exported(input: unknown) {
  const definition = validateDefinition(input, { services: serviceSpecs });
  const xml = await definitionToBpmn(definition);
  const { rootElement, warnings } = await new BpmnModdle().fromXML(xml);
  const process = list(rootElement, 'rootElements').find((element) => element.$type === 'bpmn:Process')!;
  const elements = new Map(list(process, 'flowElements').map((element) => [element.id!, element]));
  const flows = [...elements.values()].filter((element) => element.$type === 'bpmn:SequenceFlow');
  const diagram = list(rootElement, 'diagrams')[0];
  const planeElements = list(ref(diagram!, 'plane'), 'planeElement');
  const shapes = new Set(planeElements.filter((di) => di.$type === 'bpmndi:BPMNShape').map((di) => ref(di, 'bpmnElement')!.id));
  const edges = new Set(planeElements.filter((di) => di.$type === 'bpmndi:BPMNEdge').map((di) => ref(di, 'bpmnElement')!.id));
  return { definition, xml, rootElement, warnings, process, elements, flows, shapes, edges };
}

/** The node a flow leaves, seen through a boundary event to the activity it sits on. */
function owner(flow: ModdleElement): string {
  const source = ref(flow, 'sourceRef')!;
  return source.$type === 'bpmn:BoundaryEvent' ? ref(source, 'attachedToRef')!.id! : source.id!;
}

function expectFaithful(result: Awaited<ReturnType<typeof exported>>, definition: ProcessDefinition) {
  expect(result.warnings).toEqual([]);
  expect(result.process.id).toBe(processId(definition));
  for (const node of definition.nodes) {
    expect(result.elements.get(node.id)?.$type, node.id).toBe(bpmnType[node.type]);
    for (const target of successors(node)) {
      const flow = result.flows.find((f) => owner(f) === node.id && ref(f, 'targetRef')?.id === target);
      expect(flow, `${node.id} -> ${target}`).toBeDefined();
    }
    expect(result.shapes.has(node.id), `shape of ${node.id}`).toBe(true);
  }
  // Nothing more than the definition says: each flow is one of its transitions.
  const transitions = new Set(definition.nodes.flatMap((node) => successors(node).map((target) => `${node.id}->${target}`)));
  for (const flow of result.flows) expect(transitions.has(`${owner(flow)}->${ref(flow, 'targetRef')!.id}`)).toBe(true);
  for (const element of result.elements.values()) {
    if (element.$type === 'bpmn:SequenceFlow') expect(result.edges.has(element.id), `edge of ${element.id}`).toBe(true);
    else expect(result.shapes.has(element.id), `shape of ${element.id}`).toBe(true);
  }
}

describe('BPMN export', () => {
  it('exports the approval definition: every node, every flow, a diagram shape for each', async () => {
    const result = await exported(approvalDefinition);
    expectFaithful(result, result.definition);
    const review = result.elements.get('managerReview')!;
    expect(review.name).toBe('Manager review / 部门经理审核');
    // outcomes name the flows, and carry their condition on the task's result
    const approve = list(review, 'outgoing').find((flow) => flow.name === 'approve')!;
    expect(ref(approve, 'targetRef')!.id).toBe('byAmount');
    expect(ref(approve, 'conditionExpression')!.body).toBe('managerReview.outcome = "approve"');
    const gateway = result.elements.get('byAmount')!;
    const conditional = list(gateway, 'outgoing').find((flow) => ref(flow, 'targetRef')!.id === 'gmApproval')!;
    expect(ref(conditional, 'conditionExpression')!.body).toBe('amount > 1000');
    expect(ref(ref(gateway, 'default')!, 'targetRef')!.id).toBe('approved');
    expect(result.rootElement.expressionLanguage).toBe('https://www.omg.org/spec/DMN/20191111/FEEL/');
  });

  it('exports a definition with every element type, boundary timers included', async () => {
    const result = await exported(everyElementDefinition);
    expectFaithful(result, result.definition);
    const { elements } = result;
    const boundaries = [...elements.values()].filter((element) => element.$type === 'bpmn:BoundaryEvent');
    const on = (host: string) =>
      Object.fromEntries(
        boundaries
          .filter((event) => ref(event, 'attachedToRef')!.id === host)
          .map((event) => [event.id, { cancelActivity: event.cancelActivity, after: ref(list(event, 'eventDefinitions')[0], 'timeDuration')?.body }]),
      );
    expect(on('review')).toEqual({
      Reminder_review_1: { cancelActivity: false, after: 'duration("P1D")' },
      Reminder_review_2: { cancelActivity: false, after: 'duration("-PT4H")' },
      Escalation_review: { cancelActivity: false, after: 'duration("P5D")' },
      AutoOutcome_review: { cancelActivity: true, after: 'duration("P10D")' },
    });
    expect(on('awaitReturn')).toEqual({ Deadline_awaitReturn: { cancelActivity: true, after: 'duration("P30D")' } });
    const autoFlow = list(elements.get('AutoOutcome_review'), 'outgoing')[0]!;
    expect({ name: autoFlow.name, to: ref(autoFlow, 'targetRef')!.id }).toEqual({ name: 'reject', to: 'rejected' });

    expect(ref(elements.get('review')!, 'loopCharacteristics')).toMatchObject({ $type: 'bpmn:MultiInstanceLoopCharacteristics', isSequential: false });
    expect(ref(elements.get('overdueReview')!, 'loopCharacteristics')).toMatchObject({ $type: 'bpmn:MultiInstanceLoopCharacteristics', isSequential: true });
    expect(list(elements.get('rejected'), 'eventDefinitions').map((d) => d.$type)).toEqual(['bpmn:TerminateEventDefinition']);
    expect(list(elements.get('approved'), 'eventDefinitions')).toEqual([]);
    expect(ref(list(elements.get('cooling'), 'eventDefinitions')[0], 'timeDuration')!.body).toBe('duration("P1D")');
    expect(ref(list(elements.get('fixedDate'), 'eventDefinitions')[0], 'timeDate')!.body).toBe('date and time("2030-01-01T00:00:00Z")');
    expect(ref(elements.get('awaitReturn')!, 'messageRef')).toMatchObject({ $type: 'bpmn:Message', name: 'document.returned' });
    expect(elements.get('child')!.calledElement).toBe('test.approval@1');
    expect(list(elements.get('review'), 'documentation')[0]!.text).toContain('completion all (会签)');
    expect(result.xml).toContain('Joint review / 会签');
  });
});
