// The workflows this worker runs. Every policy process is a definition run by runProcess.
export { runProcess } from './engine/interpreter.ts';
export { deliverNotifications, sendDailyDigests } from './notifications.ts';
