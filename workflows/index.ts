// The workflows this worker runs. Every policy process is a definition run by runProcess.
export { runProcess } from './engine/interpreter.ts';
// The daily witness of the hash chains' heads (issue 17).
export { chainCheckpoint } from './checkpoint.ts';
