/**
 * Nested relationship resolvers (src/graphql/nested.ts) and the certification status
 * (src/graphql/resolvers/statusHistory.ts) on rows that carry their prefetched pages and
 * histories: they answer synchronously, without a promise per field (issue 16: graphql-js
 * completes a synchronous subtree without scheduling a promise per object), and only fall back
 * to the batched loaders (a promise) for what the look-ahead left out.
 */
import type { GraphQLContext } from '../../src/graphql/context';
import { NESTED_FIELDS, nestedResolver, prefetchKey } from '../../src/graphql/nested';
import { statusHistoryResolvers } from '../../src/graphql/resolvers/statusHistory';
import { toNodeRow, toRelationshipRow } from '../../src/store/graphStore';
import type { NodeRow } from '../../src/store/rows';

/** A context whose stores must not be reached: a prefetched answer needs no database. */
const noDatabase = new Proxy({} as GraphQLContext, {
  get: (_t, key) => {
    if (key === 'loaders') return new Map();
    if (key === 'store') throw new Error('the database was asked');
    return undefined;
  },
});

const component = (id: string): NodeRow => toNodeRow({ __label: 'Component', id, name: id });

describe('nested resolvers on prefetched rows', () => {
  const device: NodeRow = {
    ...toNodeRow({ __label: 'Device', id: 'd1', name: 'Device 1' }),
    __nested: {
      [prefetchKey('components', 0, 60)]: {
        items: [
          { node: component('c1'), via: toRelationshipRow({ __type: 'HAS_COMPONENT', role: 'os' }) },
          { node: component('c2'), via: toRelationshipRow({ __type: 'HAS_COMPONENT' }) },
        ],
        totalCount: 5,
        offset: 0,
        limit: 60,
      },
    },
  };

  it('answers a prefetched connection synchronously, with the same edges, total and page info', () => {
    const spec = NESTED_FIELDS.Device.components;
    if (!spec || spec.single) throw new Error('Device.components is a connection');
    const answer = nestedResolver('Device', 'components', spec)(device, { first: 60 }, noDatabase);
    expect(answer).not.toBeInstanceOf(Promise);
    if (answer instanceof Promise) return;
    expect(answer.edges.map((e) => [e.node.id, e.via?.role ?? null])).toEqual([
      ['c1', 'os'],
      ['c2', null],
    ]);
    expect(answer.totalCount).toBe(5);
    expect(answer.pageInfo.hasNextPage).toBe(true);
  });

  it('answers a prefetched single node synchronously, and null for an empty page', () => {
    const spec = NESTED_FIELDS.Certification.issuer;
    if (!spec?.single) throw new Error('Certification.issuer is a single node');
    const issuer = toNodeRow({ __label: 'Organization', id: 'o1', name: 'Lab' });
    const cert = (items: NodeRow[]): NodeRow => ({
      ...toNodeRow({ __label: 'Certification', id: 'cert1', name: 'Cert' }),
      __nested: {
        [prefetchKey('issuer', 0, 1)]: {
          items: items.map((node) => ({ node, via: toRelationshipRow({ __type: 'ISSUED_BY' }) })),
          totalCount: items.length,
          offset: 0,
          limit: 1,
        },
      },
    });
    const resolve = nestedResolver('Certification', 'issuer', spec);
    expect(resolve(cert([issuer]), {}, noDatabase)).toBe(issuer);
    expect(resolve(cert([]), {}, noDatabase)).toBeNull();
  });

  it('falls back to the batched loader (a promise) for a window the look-ahead did not plan', async () => {
    const spec = NESTED_FIELDS.Device.components;
    if (!spec || spec.single) throw new Error('Device.components is a connection');
    const asked: string[][] = [];
    const ctx = {
      loaders: new Map(),
      store: { neighbors: async (_q: unknown, ids: string[]) => (asked.push([...ids]), new Map()) },
    } as unknown as GraphQLContext;
    const answer = nestedResolver('Device', 'components', spec)(device, { first: 10 }, ctx);
    expect(answer).toBeInstanceOf(Promise);
    expect((await answer).totalCount).toBe(0);
    expect(asked).toEqual([['d1']]);
  });
});

describe('certification status on a row that carries its history', () => {
  it('is answered synchronously from the carried history', () => {
    const status = (statusHistoryResolvers.Certification as Record<string, (p: unknown, a: unknown, c: unknown, i: unknown) => unknown>).status;
    if (!status) throw new Error('Certification.status has a resolver');
    const row = {
      ...toNodeRow({ __label: 'Certification', id: 'cert1', name: 'Cert', status: 'ACTIVE', issuedAt: '2020-01-01' }),
      __history: [
        { id: 'h1', status: 'SUSPENDED', effectiveFrom: '2021-03-01', recordedAt: '2021-03-02T00:00:00.000Z', classification: 'UNCLASSIFIED', source: 'test' },
      ],
    };
    const answer = status(row, {}, noDatabase, {});
    expect(answer).not.toBeInstanceOf(Promise);
    expect(answer).toBe('SUSPENDED');
  });
});
