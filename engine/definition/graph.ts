// A definition's graph: its reference, and where each node may lead. Imported by the interpreter
// and shared by its workflows (engine/workflow/preload.ts): plain functions, no zod instances.
import type { ProcessDefinition, ProcessNode } from './definition.ts';

export function definitionRef(definition: { key: string; version: number }): string {
  return `${definition.key}@${definition.version}`;
}

/** Every node a node may go to next. */
export function successors(node: ProcessNode): string[] {
  switch (node.type) {
    case 'startEvent':
    case 'serviceTask':
    case 'timerEvent':
    case 'callActivity':
      return [node.next];
    case 'receiveTask':
      return node.deadline ? [node.next, node.deadline.to] : [node.next];
    case 'userTask':
      return typeof node.next === 'string' ? [node.next] : [...new Set(Object.values(node.next))];
    case 'exclusiveGateway':
      return [...new Set([...node.branches.map((b) => b.to), node.default])];
    case 'parallelGateway':
      return node.next;
    case 'endEvent':
      return [];
  }
}

/** How many flows enter each node: a parallel gateway with more than one is a join. */
export function incomingCounts(definition: ProcessDefinition): Map<string, number> {
  const counts = new Map<string, number>(definition.nodes.map((node) => [node.id, 0]));
  for (const node of definition.nodes) {
    for (const target of successors(node)) counts.set(target, (counts.get(target) ?? 0) + 1);
  }
  return counts;
}

/** For each node, every node a token there may still reach (itself only through a loop). */
export function reachableFrom(definition: ProcessDefinition): Map<string, Set<string>> {
  const byId = new Map(definition.nodes.map((node) => [node.id, node]));
  const reach = new Map<string, Set<string>>();
  for (const node of definition.nodes) {
    const seen = new Set<string>();
    const stack = [...successors(node)];
    while (stack.length) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      const next = byId.get(id);
      if (next) stack.push(...successors(next));
    }
    reach.set(node.id, seen);
  }
  return reach;
}
