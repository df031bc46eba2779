/**
 * Bounded work: a deliberately expensive risk-path query (a dense DEPENDS_ON clique, 8 hops) under
 * a 100 ms transaction timeout stops with a clear QUERY_TIMEOUT error instead of hanging.
 */
import type { NodeSpec, RelSpec } from './graph';
import { buildGraph } from './graph';
import { cleanup, KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';

const SIZE = 14;

describe('transaction timeout on analytics', () => {
  let t: TestApp;
  const p = uniquePrefix('timeout');
  beforeAll(async () => {
    t = await startTestApp({ QUERY_TIMEOUT_MS: '100' });
    const nodes: NodeSpec[] = [
      ['Threat', 'T', { kind: 'INTRUSION', severity: 5, likelihood: 1 }],
      ['Device', 'D', { category: 'PHONE' }],
    ];
    const rels: RelSpec[] = [
      ['TARGETS', 'T', 'C0'],
      ['HAS_COMPONENT', 'D', `C${SIZE - 1}`],
    ];
    for (let i = 0; i < SIZE; i += 1) nodes.push(['Component', `C${i}`, { kind: 'LIBRARY' }]);
    for (let i = 0; i < SIZE; i += 1) for (let j = 0; j < SIZE; j += 1) if (i !== j) rels.push(['DEPENDS_ON', `C${i}`, `C${j}`]);
    // the test app's own timeout is 100 ms, so the fixture is written through a separate connection
    const { testDatabase } = await import('../helpers/app');
    const writer = testDatabase(undefined, 60000);
    try {
      await buildGraph(writer, p, nodes, rels);
    } finally {
      await writer.close();
    }
  });
  afterAll(async () => {
    const { testDatabase } = await import('../helpers/app');
    const writer = testDatabase(undefined, 60000);
    await cleanup(writer, p);
    await writer.close();
    await t.close();
  });

  it('answers QUERY_TIMEOUT with a message saying what to do, well before any hang', async () => {
    const started = Date.now();
    const r = await t.run('query($from: ID!) { riskPaths(from: $from, maxHops: 8) { totalCount } }', { from: `${p}T` }, KEYS.analyst);
    const elapsed = Date.now() - started;
    expect(r.errors?.[0]?.extensions?.code).toBe('QUERY_TIMEOUT');
    expect(r.errors?.[0]?.extensions?.limit).toBe('QUERY_TIMEOUT_MS');
    expect(r.errors?.[0]?.message).toMatch(/transaction timeout.*fewer hops/);
    expect(r.data).toBeNull();
    expect(elapsed).toBeLessThan(20000);
    process.stderr.write(`[analytics timeout] QUERY_TIMEOUT after ${elapsed} ms with a 100 ms transaction timeout\n`);
  });
});
