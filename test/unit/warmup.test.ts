import { readOperations, warmUp, type WarmUpOperation } from '../../src/runtime/warmup';

const op = (name: string, query: string, variables = ''): WarmUpOperation => ({ name, query, variables });

describe('start-up warm-up (src/runtime/warmup.ts)', () => {
  it('takes the query operations of a document with its variables, never mutations or subscriptions', () => {
    const doc = op(
      'mixed',
      'query A($id: ID!) { node(id: $id) { id } } mutation B { deleteNode(id: "x") } query C { devices { totalCount } } subscription D { certificationEvents { sequence } }',
      '{"id": "dev:1"}',
    );
    expect(readOperations(doc)).toEqual([
      { operationName: 'A', variables: { id: 'dev:1' } },
      { operationName: 'C', variables: { id: 'dev:1' } },
    ]);
    expect(readOperations(op('broken', 'query {'))).toEqual([]);
    expect(readOperations(op('bad variables', '{ devices { totalCount } }', '[1]'))).toEqual([{ operationName: undefined, variables: {} }]);
    expect(readOperations(op('unparsable variables', '{ devices { totalCount } }', '{'))).toEqual([]);
  });

  it('runs each read once in order, counts failures without raising, and stops when aborted', async () => {
    const seen: string[] = [];
    const ops = [op('one', 'query One { a }'), op('two', 'mutation Two { b }'), op('three', 'query Three { c } query Four { d }')];
    const result = await warmUp(
      ops,
      async (_q, name) => {
        seen.push(String(name));
        if (name === 'Three') return { errors: [{ message: 'Cannot query field "c"' }] };
        if (name === 'Four') throw new Error('connection closed');
        return {};
      },
      new AbortController().signal,
    );
    expect(seen).toEqual(['One', 'Three', 'Four']);
    expect(result).toMatchObject({
      warmed: 1,
      skipped: 1,
      failed: [
        { name: 'three/Three', message: 'Cannot query field "c"' },
        { name: 'three/Four', message: 'connection closed' },
      ],
    });

    const stop = new AbortController();
    const ran: string[] = [];
    await warmUp(
      ops,
      async (_q, name) => {
        ran.push(String(name));
        stop.abort();
        return {};
      },
      stop.signal,
    );
    expect(ran).toEqual(['One']);
  });
});
