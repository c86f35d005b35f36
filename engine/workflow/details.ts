// What an instance waits for, in words, for operators (issue 16.4): the Temporal UI shows it as
// the workflow's current details (setCurrentDetails, read through the __temporal_workflow_metadata
// query). Not a command: it adds nothing to the history, so histories replay unchanged.
import type { ProcessNode } from '../definition/definition.ts';
import type { TaskRecord, Token } from './types.ts';

const at = (ms: number) => new Date(ms).toISOString();

function tokenLine(token: Token, node: ProcessNode | undefined, tasks: TaskRecord[]): string {
  const label = node && 'name' in node && node.name ? `${node.name.en} (${node.name.zh})` : token.nodeId;
  switch (node?.type) {
    case 'userTask':
    case 'receiveTask': {
      const open = tasks.filter((task) => task.state === 'open' && task.tokenId === token.id);
      if (open.length === 0) return `- waiting at ${label} since ${at(token.enteredAt)}`;
      return open
        .map((task) => {
          const who = [...task.candidateIds, ...Object.keys(task.delegates).map((id) => `${id} (delegate)`)].join(', ');
          return `- waiting for ${task.name.en} (${task.name.zh}) by ${who || 'nobody yet'} since ${at(task.openedAt)}${task.dueAt === null ? '' : `, due ${at(task.dueAt)}`}`;
        })
        .join('\n');
    }
    case 'timerEvent':
      return `- timer ${label} ${token.fireAt === undefined ? 'set' : `fires at ${at(token.fireAt)}`}`;
    case 'callActivity':
      return `- waiting for child process${token.childIds ? `es ${token.childIds.join(', ')}` : ` ${token.childId ?? ''}`} since ${at(token.enteredAt)}`;
    case 'serviceTask':
      return `- running ${node.activity} since ${at(token.enteredAt)}`;
    case 'parallelGateway':
      return `- waiting at join ${label} since ${at(token.enteredAt)}`;
    default:
      return `- at ${label} since ${at(token.enteredAt)}`;
  }
}

/** Lines shown at most: a vote of hundreds would otherwise fill the UI (and the query's answer). */
const MAX_LINES = 20;

/** One line per path of the instance (per open task at a task), or its status once no path runs. */
export function currentDetails(state: { status: string; tokens: Token[]; tasks: TaskRecord[]; node: (id: string) => ProcessNode | undefined }): string {
  const lines = state.tokens.flatMap((token) => tokenLine(token, state.node(token.nodeId), state.tasks).split('\n'));
  const shown = lines.length > MAX_LINES ? [...lines.slice(0, MAX_LINES - 1), `- … and ${lines.length - MAX_LINES + 1} more`] : lines;
  return [`**${state.status}**`, ...shown].join('\n');
}
