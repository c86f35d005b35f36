// The process diagram: the definition's exported BPMN drawn by bpmn-js's viewer (loaded by
// index.html as window.BpmnJS), the node the instance waits at marked `current` and the way it
// came marked `taken`.

const WAITING_TYPES = new Set(['bpmn:UserTask', 'bpmn:ReceiveTask']);
/** The smallest scale at which the diagram's labels can be read. */
const READABLE_SCALE = 0.75;

/** The node of a task id (`<processId>:<nodeId>:<n>`, as the interpreter names tasks). */
function nodeOfTask(taskId) {
  return /:([a-z][A-Za-z0-9_]*):\d+$/.exec(taskId ?? '')?.[1];
}

/**
 * The nodes the instance is known to have reached, in order: its start, every node its decisions
 * and audit events name, where it waits now, and the end event of the status it ended with.
 */
export function reachedNodes(detail, registry) {
  const nodes = registry.filter((element) => element.type === 'bpmn:StartEvent' && !element.businessObject.eventDefinitions?.length).map((e) => e.id);
  const dated = [
    ...detail.decisions.map((d) => ({ at: d.at, node: d.nodeId })),
    ...detail.auditTrail.map((event) => ({ at: event.at, node: event.detail?.nodeId ?? nodeOfTask(event.taskId) })),
  ].filter((entry) => entry.node && registry.get(entry.node));
  dated.sort((a, b) => a.at.localeCompare(b.at));
  nodes.push(...dated.map((entry) => entry.node), ...detail.activeNodes);
  if (detail.endedAt) {
    const end = registry.find((element) => element.type === 'bpmn:EndEvent' && documentation(element).includes(`Final status: ${detail.status}`));
    if (end) nodes.push(end.id);
  }
  return nodes.filter((node, index) => node !== nodes[index - 1]);
}

function documentation(element) {
  return (element.businessObject.documentation ?? []).map((doc) => doc.text ?? '').join('\n');
}

/** Where a node leads: its outgoing flows, and those of the boundary events on it. */
function outgoing(element) {
  return [...(element.outgoing ?? []), ...(element.attachers ?? []).flatMap((boundary) => boundary.outgoing ?? [])];
}

/**
 * The flows and nodes from `from` to `to` through nodes that do not wait (gateways, service tasks,
 * events): the way the engine went between two nodes it recorded. Breadth first: the shortest.
 */
function stretch(registry, from, to) {
  const start = registry.get(from);
  const queue = [[start, []]];
  const seen = new Set([from]);
  while (queue.length > 0) {
    const [element, trail] = queue.shift();
    for (const flow of outgoing(element)) {
      const next = flow.target;
      const path = [...trail, ...(flow.source !== element ? [flow.source.id] : []), flow.id, next.id];
      if (next.id === to) return path;
      if (seen.has(next.id) || WAITING_TYPES.has(next.type)) continue;
      seen.add(next.id);
      queue.push([next, path]);
    }
  }
  return [to];
}

/** Draws `xml` into `container`, marks the instance's way and where it is; the viewer. */
export async function showDiagram(container, xml, detail) {
  const viewer = new window.BpmnJS({ container });
  await viewer.importXML(xml);
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  const reached = reachedNodes(detail, registry);
  const taken = new Set(reached);
  reached.forEach((node, index) => {
    if (index > 0) for (const id of stretch(registry, reached[index - 1], node)) taken.add(id);
  });
  for (const id of taken) canvas.addMarker(id, 'taken');
  for (const id of detail.activeNodes) if (registry.get(id)) canvas.addMarker(id, 'current');
  canvas.zoom('fit-viewport');
  // A long process fits only when tiny: then the view is readable, around where the instance waits.
  const waiting = detail.activeNodes.map((id) => registry.get(id)).find(Boolean);
  if (waiting && canvas.zoom() < READABLE_SCALE) {
    canvas.zoom(READABLE_SCALE);
    canvas.scrollToElement(waiting, { left: 260, right: 60, top: 60, bottom: 60 });
  }
  return viewer;
}
