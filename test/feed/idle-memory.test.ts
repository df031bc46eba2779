/**
 * Issue 15 "Limits": memory stays flat with 100 idle subscriptions. 100 real graphql-ws
 * subscriptions (10 connections of 10) against the real server on a real port, left idle over
 * many poll cycles; the heap is sampled after a forced full GC (V8's `gc`, exposed at run time:
 * the jest config passes no node flags), so collector noise does not hide or fake a leak. Server
 * and clients share this process, so the figures are an upper bound for the server alone.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { KEYS, startTestApp, uniquePrefix } from '../helpers/app';
import { collect, waitFor, wsClient } from '../helpers/feed';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

async function heapAfterGc(): Promise<number> {
  // two passes: the first can leave finalizer-held objects for the second
  for (let i = 0; i < 2; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

const MB = 1048576;

describe('change feed: memory with 100 idle subscriptions', () => {
  it('stays flat over 100 poll cycles (heap after full GC), and returns to its level when they close', async () => {
    const prefix = uniquePrefix('idlemem');
    const app = await startTestApp({ EVENT_POLL_MS: '100', SUBSCRIPTIONS_PER_CALLER: '200' });
    try {
      const base = await app.app.listen(0, '127.0.0.1');
      // one subscription first, so the server's and graphql-ws's lazily built parts are not counted as growth
      const warmClient = wsClient(base, { 'x-api-key': KEYS.viewer });
      const warm = collect(warmClient, { filter: { certificationIds: [`${prefix}warm`] } });
      await waitFor(() => app.app.live.active === 1, 20000);
      await new Promise((r) => setTimeout(r, 500));
      warm.dispose();
      await warmClient.dispose();
      await waitFor(() => app.app.live.active === 0, 10000);
      const before = await heapAfterGc();

      const clients = Array.from({ length: 10 }, () => wsClient(base, { 'x-api-key': KEYS.viewer }));
      const subs = clients.flatMap((c) => Array.from({ length: 10 }, (_, i) => collect(c, { filter: { certificationIds: [`${prefix}idle${i}`] } })));
      await waitFor(() => app.app.live.active === 100, 20000);
      // settle: a few poll cycles before the first sample
      await new Promise((r) => setTimeout(r, 1000));
      const samples: number[] = [await heapAfterGc()];
      const pollsAtStart = app.app.live.polls;
      const rounds = 5;
      for (let i = 0; i < rounds; i++) {
        await new Promise((r) => setTimeout(r, 2000));
        samples.push(await heapAfterGc());
      }
      const polls = app.app.live.polls - pollsAtStart;
      const subscribed = samples[0] ?? 0;
      const growth = (samples.at(-1) ?? 0) - subscribed;
      const peak = Math.max(...samples) - subscribed;
      for (const s of subs) s.dispose();
      for (const c of clients) void c.dispose();
      await waitFor(() => app.app.live.active === 0, 10000);
      await new Promise((r) => setTimeout(r, 500));
      const closed = await heapAfterGc();
      process.stdout.write(
        `100 idle subscriptions (heap after full GC): ${((subscribed - before) / MB).toFixed(2)} MB to open them (${((subscribed - before) / 100 / 1024).toFixed(1)} KiB each, server and client), ` +
          `${(growth / MB).toFixed(2)} MB over ${rounds * 2} s idle (${polls} poll cycles; largest sample +${(peak / MB).toFixed(2)} MB; samples ${samples.map((s) => (s / MB).toFixed(1)).join(', ')} MB), ` +
          `${((closed - before) / MB).toFixed(2)} MB above the start after closing them\n`,
      );
      expect(app.app.live.active).toBe(0);
      // the shared poller really ran while they were idle (otherwise "flat" would prove nothing)
      expect(polls).toBeGreaterThanOrEqual(20);
      // flat: no growth per poll cycle or per idle second (a leak of 20 KiB per poll would exceed it)
      expect(growth).toBeLessThan(2 * MB);
      expect(peak).toBeLessThan(4 * MB);
      // opening them costs a bounded amount, and closing them gives it back
      expect(subscribed - before).toBeLessThan(40 * MB);
      expect(closed - before).toBeLessThan(8 * MB);
    } finally {
      await app.close();
    }
  });
});
