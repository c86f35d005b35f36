// Registration checks of the task actions (issue #16): a send-back names earlier user tasks, a
// vote allows no transfer, added signer or send-back, and a resubmission changes input fields.
import { taskActions } from './actions.ts';
import type { ProcessDefinition } from './definition.ts';

export function checkTaskActions(definition: ProcessDefinition, reach: Map<string, Set<string>>, problem: (path: string, message: string) => void): void {
  for (const field of definition.resubmit?.fields ?? []) {
    if (!(field in definition.input)) problem(`resubmit.fields`, `"${field}" is not an input field`);
  }
  for (const node of definition.nodes) {
    if (node.type !== 'userTask') continue;
    const at = `nodes.${node.id}.actions`;
    const actions = taskActions(node);
    if (node.multiInstance && (actions.transfer !== 'never' || actions.addSigner !== 'never' || actions.sendBack !== false)) {
      problem(at, 'a multi-instance task allows no transfer, added signer or send-back: they would change who votes');
    }
    if (actions.sendBack === false || actions.sendBack.to === 'earlier') continue;
    for (const target of actions.sendBack.to) {
      const earlier = definition.nodes.find((n) => n.id === target);
      if (earlier?.type !== 'userTask' || target === node.id || !reach.get(target)?.has(node.id)) {
        problem(`${at}.sendBack.to`, `"${target}" is not a user task before "${node.id}"`);
      }
    }
  }
}
