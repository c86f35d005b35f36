// The rehearsal's gates (scripts/rehearsal/flows.ts): the flows wait at each gate until the
// rehearsal opens it, and a flow that ended early never keeps the others waiting.
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Gates } from '../../scripts/rehearsal/flows.ts';
import { freePort } from '../../scripts/tools/process.ts';

describe('rehearsal gates', () => {
  it('holds every flow at a gate until it is opened, and reports when all are there', async () => {
    const gates = new Gates(2);
    const passed: string[] = [];
    const flow = async (name: string) => {
      await gates.at('A');
      passed.push(name);
      gates.done();
    };
    const runs = [flow('one'), flow('two')];
    await gates.allAt('A', 1_000);
    await delay(20);
    expect(passed).toEqual([]);
    gates.open('A');
    await Promise.all(runs);
    expect(passed.sort()).toEqual(['one', 'two']);
  });

  it('counts a flow that ended before a gate as past it', async () => {
    const gates = new Gates(2);
    void gates.at('B');
    gates.done(); // the other flow failed before reaching B
    await expect(gates.allAt('B', 1_000)).resolves.toBeUndefined();
  });

  it('gives up waiting after its timeout, naming the gate', async () => {
    const gates = new Gates(2);
    void gates.at('C');
    await expect(gates.allAt('C', 150)).rejects.toThrow('gate C');
  });
});

describe('freePort', () => {
  it('finds a port below a bound when asked (Temporal stores membership ports as smallint)', async () => {
    const port = await freePort({ below: 32768 });
    expect(port).toBeGreaterThanOrEqual(10_000);
    expect(port).toBeLessThan(32768);
  });
});
