// Renders a process definition as BPMN 2.0 XML with a computed diagram, so it opens in bpmn.io
// or Camunda Modeler. The export documents a definition; it is not meant to run elsewhere: the
// FEEL expressions are ours (they read the instance variables of domain/process/variables.ts)
// and candidate rules, forms and services are described in each element's documentation.
import { layoutProcess } from 'bpmn-auto-layout';
import { BpmnModdle, type ModdleElement } from 'bpmn-moddle';
import type { CandidateRule, CandidateSpec, FormSchema, NodeOf, ProcessDefinition, ProcessNode } from './definition.ts';
import { definitionRef } from './graph.ts';

/** DMN 1.3's URI for FEEL: every expression in the export is FEEL. */
const FEEL_URI = 'https://www.omg.org/spec/DMN/20191111/FEEL/';

/** "Manager review / 部门经理审核", or just the English when both say the same. */
function bilingual(label: { en: string; zh: string } | undefined): string | undefined {
  if (!label) return undefined;
  return label.en === label.zh ? label.en : `${label.en} / ${label.zh}`;
}

function describeSpec(spec: CandidateSpec): string {
  if ('user' in spec) return `user ${spec.user}`;
  if ('users' in spec) return `users ${spec.users}`;
  return spec.department === undefined ? `role ${spec.role}` : `role ${spec.role} of department ${spec.department}`;
}

function describeRule(rule: CandidateRule): string {
  const own = rule.anyOf.map(describeSpec).join(' or ');
  return rule.fallback ? `${own}; if nobody: ${describeRule(rule.fallback)}` : own;
}

function describeForm(form: FormSchema | undefined): string | undefined {
  const fields = Object.entries(form ?? {});
  if (!fields.length) return undefined;
  return fields
    .map(([name, field]) => {
      const type = field.type === 'recordList' ? `list of records: ${describeForm(field.fields)}` : field.type;
      return `${name} (${type}${field.required ? '' : ', optional'})`;
    })
    .join(', ');
}

const completionLabels = { all: 'all (会签)', any: 'any (或签)', veto: 'veto (一票否决)' } as const;

function describeNode(node: ProcessNode): string[] {
  const lines: string[] = [];
  if (node.ruleId) lines.push(`Rule ${node.ruleId}`);
  switch (node.type) {
    case 'endEvent':
      lines.push(`Final status: ${node.status}${node.terminate ? ' (terminates every open branch)' : ''}`);
      break;
    case 'userTask': {
      lines.push(`Candidates: ${describeRule(node.candidates)}`, `Outcomes: ${node.outcomes.join(', ')}`);
      const form = describeForm(node.form);
      if (form) lines.push(`Form: ${form}`);
      if (node.due) lines.push(`Due: ${node.due} after opening`);
      const multi = node.multiInstance;
      if (multi && 'items' in multi) {
        lines.push(`Multi-instance: ${multi.mode}, one task per item of ${multi.items} (each as ${multi.as}), completion ${multi.completion}`);
      } else if (multi) {
        const rule = typeof multi.completion === 'string' ? completionLabels[multi.completion] : `ratio ≥ ${multi.completion.ratio} approve`;
        lines.push(`Multi-instance: ${multi.mode}, one task per candidate, completion ${rule}`);
      }
      if (node.resultVariable) lines.push(`Result variable: ${node.resultVariable}`);
      break;
    }
    case 'serviceTask':
      lines.push(`Activity: ${node.activity}`, ...Object.entries(node.input).map(([name, expression]) => `Input ${name} = ${expression}`));
      break;
    case 'receiveTask': {
      lines.push(`Message: ${node.message}`);
      const form = describeForm(node.form);
      if (form) lines.push(`Payload: ${form}`);
      break;
    }
    case 'callActivity':
      lines.push(`Calls ${definitionRef(node.process)}`, ...Object.entries(node.input).map(([name, expression]) => `Input ${name} = ${expression}`));
      if (node.multiInstance) lines.push(`Multi-instance: ${node.multiInstance.mode}, one child process per item of ${node.multiInstance.items} (each as ${node.multiInstance.as})`);
      break;
    default:
      break;
  }
  return lines;
}

/** Builds the moddle elements of one definition: the process, its nodes, timers and flows. */
class BpmnBuilder {
  private readonly moddle = new BpmnModdle();
  private readonly flowElements: ModdleElement[] = [];
  private readonly rootElements: ModdleElement[] = [];
  private readonly elements = new Map<string, ModdleElement>();
  private readonly boundaries = new Map<string, ModdleElement>();
  private readonly messages = new Map<string, ModdleElement>();
  private flowCount = 0;

  constructor(private readonly definition: ProcessDefinition) {}

  build(): ModdleElement {
    const definition = this.definition;
    // Nodes first, so every flow can reference its source and target elements.
    for (const node of definition.nodes) this.elements.set(node.id, this.node(node));
    for (const node of definition.nodes) this.flowsFrom(node);

    const documentation = [
      `Custodian process ${definitionRef(definition)}`,
      ...(definition.description ? [definition.description] : []),
      ...(definition.businessKey ? [`Business key: ${definition.businessKey}`] : []),
      ...(definition.secrecy ? [`Secrecy: ${definition.secrecy}`] : []),
      ...(definition.cancellableAt ? [`The initiator may cancel at: ${definition.cancellableAt.join(', ')}`] : []),
    ];
    const process = this.moddle.create('bpmn:Process', {
      id: processId(definition),
      name: bilingual(definition.name),
      // Runs on Custodian's interpreter, not on a BPMN engine.
      isExecutable: false,
      documentation: [this.documentation(documentation)],
      flowElements: this.flowElements,
    });
    return this.moddle.create('bpmn:Definitions', {
      id: `Definitions_${processId(definition)}`,
      name: bilingual(definition.name),
      targetNamespace: `urn:custodian:process:${definition.key}:${definition.version}`,
      expressionLanguage: FEEL_URI,
      exporter: 'Custodian',
      exporterVersion: '1',
      rootElements: [...this.rootElements, process],
    });
  }

  private create(type: string, attrs: Record<string, unknown>): ModdleElement {
    const element = this.moddle.create(type, attrs);
    this.flowElements.push(element);
    return element;
  }

  private documentation(lines: string[]): ModdleElement {
    return this.moddle.create('bpmn:Documentation', { text: lines.join('\n') });
  }

  private expression(body: string): ModdleElement {
    return this.moddle.create('bpmn:FormalExpression', { body });
  }

  private timer(kind: 'timeDuration' | 'timeDate', expression: string): ModdleElement {
    return this.moddle.create('bpmn:TimerEventDefinition', { [kind]: this.expression(expression) });
  }

  private node(node: ProcessNode): ModdleElement {
    const lines = describeNode(node);
    const common = {
      id: node.id,
      name: bilingual(node.name),
      ...(lines.length ? { documentation: [this.documentation(lines)] } : {}),
    };
    switch (node.type) {
      case 'startEvent':
        return this.create('bpmn:StartEvent', common);
      case 'endEvent':
        return this.create('bpmn:EndEvent', {
          ...common,
          name: common.name ?? node.status,
          ...(node.terminate ? { eventDefinitions: [this.moddle.create('bpmn:TerminateEventDefinition', {})] } : {}),
        });
      case 'userTask':
        return this.userTask(node, common);
      case 'serviceTask':
        return this.create('bpmn:ServiceTask', { ...common, name: common.name ?? node.activity });
      case 'exclusiveGateway':
        return this.create('bpmn:ExclusiveGateway', common);
      case 'parallelGateway':
        return this.create('bpmn:ParallelGateway', common);
      case 'timerEvent':
        return this.create('bpmn:IntermediateCatchEvent', {
          ...common,
          eventDefinitions: [node.duration ? this.timer('timeDuration', node.duration) : this.timer('timeDate', node.date!)],
        });
      case 'receiveTask': {
        const task = this.create('bpmn:ReceiveTask', { ...common, name: common.name ?? node.message, messageRef: this.message(node.message) });
        if (node.deadline) {
          this.boundary(task, `Deadline_${node.id}`, true, node.deadline.after, ['Deadline: the wait ends and the process goes on']);
        }
        return task;
      }
      case 'callActivity':
        return this.create('bpmn:CallActivity', { ...common, calledElement: definitionRef(node.process), ...this.loop(node.multiInstance) });
    }
  }

  private userTask(node: NodeOf<'userTask'>, common: Record<string, unknown>): ModdleElement {
    const task = this.create('bpmn:UserTask', { ...common, ...this.loop(node.multiInstance) });
    const since = (from: 'opened' | 'due') => (from === 'due' ? 'after the due time' : 'after the task opens');
    node.reminders?.forEach((reminder, i) => {
      const lines = [`Reminder ${since(reminder.from)}${reminder.every ? `, then every ${reminder.every}` : ''}`];
      if (reminder.notify) lines.push(`Also notifies: ${reminder.notify.map(describeSpec).join(', ')}`);
      this.boundary(task, `Reminder_${node.id}_${i + 1}`, false, reminder.after, lines);
    });
    if (node.escalation) {
      // The engine hands the same open task to new candidates: the task is not interrupted, so
      // the timer is non-interrupting and has no outgoing flow.
      this.boundary(task, `Escalation_${node.id}`, false, node.escalation.after, [
        `Escalation ${since(node.escalation.from)}: the task is reassigned to ${describeRule(node.escalation.to)}`,
      ]);
    }
    if (node.autoOutcome) {
      // The engine decides the open task itself and leaves by that outcome's flow.
      this.boundary(task, `AutoOutcome_${node.id}`, true, node.autoOutcome.after, [
        `Automatic outcome "${node.autoOutcome.outcome}" ${since(node.autoOutcome.from)}`,
      ]);
    }
    return task;
  }

  /** The multi-instance marker of a task or call activity (its rule is in the documentation). */
  private loop(multi: { mode: 'parallel' | 'sequential' } | undefined): Record<string, unknown> {
    return multi ? { loopCharacteristics: this.moddle.create('bpmn:MultiInstanceLoopCharacteristics', { isSequential: multi.mode === 'sequential' }) } : {};
  }

  /** A timer on an activity's boundary, measured as the FEEL duration `after`. */
  private boundary(host: ModdleElement, id: string, interrupting: boolean, after: string, lines: string[]): ModdleElement {
    const event = this.create('bpmn:BoundaryEvent', {
      id,
      attachedToRef: host,
      cancelActivity: interrupting,
      documentation: [this.documentation(lines)],
      eventDefinitions: [this.timer('timeDuration', after)],
    });
    this.boundaries.set(id, event);
    return event;
  }

  private message(name: string): ModdleElement {
    let message = this.messages.get(name);
    if (!message) {
      message = this.moddle.create('bpmn:Message', { id: `Message_${this.messages.size + 1}`, name });
      this.messages.set(name, message);
      this.rootElements.push(message);
    }
    return message;
  }

  private flow(source: ModdleElement, targetId: string, attrs: { name?: string; condition?: string } = {}): ModdleElement {
    const target = this.elements.get(targetId)!;
    const flow = this.create('bpmn:SequenceFlow', {
      id: `Flow_${++this.flowCount}`,
      sourceRef: source,
      targetRef: target,
      ...(attrs.name ? { name: attrs.name } : {}),
      ...(attrs.condition ? { conditionExpression: this.expression(attrs.condition) } : {}),
    });
    // moddle keeps no inverse references: the layout follows incoming/outgoing.
    source.set('outgoing', [...((source.get('outgoing') as ModdleElement[]) ?? []), flow]);
    target.set('incoming', [...((target.get('incoming') as ModdleElement[]) ?? []), flow]);
    return flow;
  }

  private flowsFrom(node: ProcessNode): void {
    const source = this.elements.get(node.id)!;
    switch (node.type) {
      case 'endEvent':
        return;
      case 'startEvent':
      case 'serviceTask':
      case 'timerEvent':
      case 'callActivity':
        this.flow(source, node.next);
        return;
      case 'receiveTask':
        this.flow(source, node.next);
        if (node.deadline) this.flow(this.boundaryEvent(`Deadline_${node.id}`), node.deadline.to, { name: 'deadline' });
        return;
      case 'parallelGateway':
        for (const target of node.next) this.flow(source, target);
        return;
      case 'exclusiveGateway': {
        for (const branch of node.branches) this.flow(source, branch.to, { name: branch.when, condition: branch.when });
        source.set('default', this.flow(source, node.default, { name: 'otherwise' }));
        return;
      }
      case 'userTask':
        this.userTaskFlows(node, source);
        return;
    }
  }

  /**
   * One flow per next node, named by the outcomes that lead there. With more than one, each
   * carries its condition on the task's result variable, as BPMN reads unconditioned flows
   * out of an activity as a parallel split.
   */
  private userTaskFlows(node: NodeOf<'userTask'>, source: ModdleElement): void {
    const result = node.resultVariable ?? node.id;
    const byTarget = new Map<string, string[]>();
    for (const outcome of node.outcomes) {
      const target = typeof node.next === 'string' ? node.next : node.next[outcome]!;
      byTarget.set(target, [...(byTarget.get(target) ?? []), outcome]);
    }
    for (const [target, outcomes] of byTarget) {
      const condition = outcomes.map((outcome) => `${result}.outcome = ${JSON.stringify(outcome)}`).join(' or ');
      this.flow(source, target, { name: outcomes.join(' / '), ...(byTarget.size > 1 ? { condition } : {}) });
    }
    if (node.autoOutcome) {
      const outcome = node.autoOutcome.outcome;
      this.flow(this.boundaryEvent(`AutoOutcome_${node.id}`), typeof node.next === 'string' ? node.next : node.next[outcome]!, { name: outcome });
    }
  }

  private boundaryEvent(id: string): ModdleElement {
    return this.boundaries.get(id)!;
  }

  toXML(root: ModdleElement): Promise<{ xml: string }> {
    return this.moddle.toXML(root, { format: true });
  }
}

/** The BPMN process id: a key (letters, digits, dots, hyphens) is already a valid XML id. */
export function processId(definition: { key: string; version: number }): string {
  return `${definition.key}_v${definition.version}`;
}

/**
 * The definition as BPMN 2.0 XML with diagram layout (BPMNDI). Node ids become element ids;
 * names read "English / 中文"; FEEL goes where BPMN keeps expressions (conditions, timers).
 */
export async function definitionToBpmn(definition: ProcessDefinition): Promise<string> {
  const builder = new BpmnBuilder(definition);
  const { xml } = await builder.toXML(builder.build());
  return layoutProcess(xml);
}
