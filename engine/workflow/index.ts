// The workflows this worker runs. Every policy process is a definition run by runProcess.
export { runProcess } from './interpreter.ts';
export { deliverNotifications, sendDailyDigests } from '../../platform/notifications/workflows.ts';
// The daily witness of the hash chains' heads (issue 17).
export { chainCheckpoint } from '../../platform/chains/workflow.ts';
