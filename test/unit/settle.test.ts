import { settleWithin } from '../../src/runtime/settle';

describe('settleWithin (bounded shutdown steps)', () => {
  it('is true when the step settles in time, also when it fails', async () => {
    await expect(settleWithin(Promise.resolve('done'), 1000)).resolves.toBe(true);
    await expect(settleWithin(Promise.reject(new Error('socket reset')), 1000)).resolves.toBe(true);
    await expect(settleWithin(undefined, 1000)).resolves.toBe(true);
  });

  it('is false when the step never settles, so shutdown goes on to stop Neo4j', async () => {
    const never = new Promise<void>(() => undefined);
    const t0 = Date.now();
    await expect(settleWithin(never, 50)).resolves.toBe(false);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
  });
});
