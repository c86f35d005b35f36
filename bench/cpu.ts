// CPU time by component, read from /proc: where a scenario's cores go (worker, API and load
// generator, Temporal server, PostgreSQL). Linux only; elsewhere every figure is undefined.
import { readFile, readdir } from 'node:fs/promises';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on every Linux we run on). */
const TICKS = 100;

/** The processes that make up one component, by pid or by their command line. */
export type Component = { pid: number } | { command: RegExp };

async function processCpuSeconds(pid: number): Promise<number | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name (which may hold spaces) in parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime + stime, every thread
  } catch {
    return undefined;
  }
}

async function matching(command: RegExp): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (command.test(cmdline.replaceAll('\0', ' '))) pids.push(Number(entry));
  }
  return pids;
}

/** CPU seconds each component has used so far (processes that ended since are not counted). */
export async function cpuSeconds(components: Record<string, Component>): Promise<Record<string, number | undefined>> {
  const result: Record<string, number | undefined> = {};
  for (const [name, component] of Object.entries(components)) {
    const pids = 'pid' in component ? [component.pid] : await matching(component.command);
    const seconds = await Promise.all(pids.map(processCpuSeconds));
    result[name] = pids.length === 0 ? undefined : seconds.reduce<number>((sum, s) => sum + (s ?? 0), 0);
  }
  return result;
}

/** Milliseconds of CPU per unit of work for each component, between two readings. */
export function cpuPer(before: Record<string, number | undefined>, after: Record<string, number | undefined>, units: number): Record<string, number | undefined> {
  const result: Record<string, number | undefined> = {};
  for (const [name, end] of Object.entries(after)) {
    const start = before[name];
    result[name] = end === undefined || start === undefined || units === 0 ? undefined : Math.round(((end - start) * 1000 * 100) / units) / 100;
  }
  return result;
}
