/** Cursors and page windows (src/graphql/pagination.ts): opaque, strict, bounded. */
import { GraphQLError } from 'graphql';
import { decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, MAX_PAGE_SIZE, nodeConnection, pageWindow } from '../../src/graphql/pagination';
import type { DeviceRow } from '../../src/store/rows';

function badInputOf(fn: () => unknown): { message: string; code: unknown; argumentPath: unknown } {
  try {
    fn();
  } catch (error) {
    if (error instanceof GraphQLError) return { message: error.message, code: error.extensions.code, argumentPath: error.extensions.argumentPath };
    throw error;
  }
  throw new Error('expected a GraphQLError');
}

describe('cursors', () => {
  it('are base64url of the position, and decode back', () => {
    expect(encodeCursor(0)).toBe('cG9zOjA');
    expect(Buffer.from(encodeCursor(41), 'base64url').toString('utf8')).toBe('pos:41');
    for (const n of [0, 1, 19, 20, 999_999_999]) expect(decodeCursor(encodeCursor(n), ['after'])).toBe(n);
  });

  it.each([
    ['not base64 at all', '***'],
    ['another prefix', Buffer.from('offset:3').toString('base64url')],
    ['a negative position', Buffer.from('pos:-1').toString('base64url')],
    ['ten digits', Buffer.from('pos:1234567890').toString('base64url')],
    ['padding (not the canonical form)', `${Buffer.from('pos:4').toString('base64')}==`],
    ['a leading zero', Buffer.from('pos:07').toString('base64url')],
    ['empty', ''],
  ])('refuse %s with BAD_USER_INPUT at the argument', (_what, cursor) => {
    const e = badInputOf(() => decodeCursor(cursor, ['devices', 'after']));
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.argumentPath).toEqual(['devices', 'after']);
    expect(e.message).toMatch(/^Malformed cursor/);
  });
});

describe('pageWindow', () => {
  it('defaults to the first page of 20 and turns `after` into the offset', () => {
    expect(pageWindow({})).toEqual({ offset: 0, limit: DEFAULT_PAGE_SIZE });
    expect(DEFAULT_PAGE_SIZE).toBe(20);
    expect(pageWindow({ first: 5, after: encodeCursor(40) })).toEqual({ offset: 40, limit: 5 });
    expect(pageWindow({ first: 0 })).toEqual({ offset: 0, limit: 0 });
    expect(pageWindow({ first: null, after: null })).toEqual({ offset: 0, limit: 20 });
  });

  it.each([[-1], [MAX_PAGE_SIZE + 1], [2.5]])('refuses first = %p (0..100)', (first) => {
    const e = badInputOf(() => pageWindow({ first }, ['devices']));
    expect(e).toEqual({ code: 'BAD_USER_INPUT', argumentPath: ['devices', 'first'], message: `first must be between 0 and 100 (got ${first})` });
  });
});

describe('connections', () => {
  const row = (id: string): DeviceRow => ({ id, name: id, classification: 'UNCLASSIFIED', stale: false, __label: 'Device' });

  it('give each edge the cursor that continues after it, and page info from the total', () => {
    // an edge's cursor is the position after it: `after: cursor` starts the next page there
    const c = nodeConnection({ items: [row('a'), row('b')], totalCount: 5, offset: 2, limit: 2 });
    expect(c.edges.map((e) => e.cursor)).toEqual([encodeCursor(3), encodeCursor(4)]);
    expect(pageWindow({ first: 2, after: c.pageInfo.endCursor })).toEqual({ offset: 4, limit: 2 });
    expect(c.totalCount).toBe(5);
    expect(c.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: true, startCursor: encodeCursor(3), endCursor: encodeCursor(4) });
    const last = nodeConnection({ items: [row('e')], totalCount: 5, offset: 4, limit: 2 });
    expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true, endCursor: encodeCursor(5) });
    const empty = nodeConnection({ items: [], totalCount: 0, offset: 0, limit: 20 });
    expect(empty.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null });
  });
});
