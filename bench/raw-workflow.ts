// The baseline for the engine-overhead benchmark: a hand-written workflow that waits for the
// same four messages as a secret loan (start, approval, hand-over, return) and does nothing else.
import { condition, defineSignal, defineUpdate, setHandler } from '@temporalio/workflow';

export const approveUpdate = defineUpdate<string, [string]>('approve');
export const handOverUpdate = defineUpdate<string, [string]>('handOver');
export const returnedSignal = defineSignal<[string]>('returned');

export async function rawBorrow(): Promise<string> {
  let approved = false;
  let handedOver = false;
  let returned = false;
  setHandler(approveUpdate, (actor) => {
    approved = true;
    return actor;
  });
  setHandler(handOverUpdate, async (actor) => {
    await condition(() => approved);
    handedOver = true;
    return actor;
  });
  setHandler(returnedSignal, () => {
    returned = true;
  });
  await condition(() => approved && handedOver && returned);
  return 'returned';
}

export const decideUpdate = defineUpdate<number, [string]>('decide');

/** The baseline for sustained decisions: ten updates in a row, as bench.chain's ten user tasks. */
export async function rawChain(): Promise<number> {
  let decided = 0;
  setHandler(decideUpdate, () => {
    decided += 1;
    return decided;
  });
  await condition(() => decided === 10);
  return decided;
}
