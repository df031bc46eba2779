/**
 * Abusive requests over HTTP: each rejected quickly with an error that names the limit, and
 * the server still answers a normal query afterwards. Also Cypher-injection strings, which
 * must be stored and returned literally.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { withDeadline, RequestTimeoutError } from '../../src/security/deadline';
import { importDocument } from '../../src/services/importService';
import { batchLoader } from '../../src/store/importStore';
import { buildGraph } from '../analytics/graph';
import { ANALYST_KEYS_BY_CLEARANCE, cleanup, KEYS, startTestApp, testDatabase, uniquePrefix, type TestApp } from '../helpers/app';
import { HeldDatabase } from '../helpers/heldDatabase';
import { Kind, parse, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { DEVICE_DETAIL_GRAPHQL } from '../../bench/queries';
import { buildSchema } from '../../src/graphql/schema';
import { operationCost } from '../../src/security/cost';

const QUERIES = path.join(__dirname, '..', '..', 'docs', 'queries');

function costOf(schema: GraphQLSchema, text: string, variables: Record<string, unknown>): number {
  const document = parse(text);
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error('no operation');
  return operationCost(schema, operation, fragments, variables).cost;
}

interface Reply {
  status: number;
  ms: number;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

const prefix = uniquePrefix('seclimits');

describe('limits against abusive queries', () => {
  let t: TestApp;
  let url: string;

  async function postRaw(body: string): Promise<Reply> {
    const started = Date.now();
    const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': KEYS.admin }, body });
    const text = await res.text();
    return { status: res.status, ms: Date.now() - started, body: JSON.parse(text) as Reply['body'] };
  }
  const post = (query: string, variables: Record<string, unknown> = {}) => postRaw(JSON.stringify({ query, variables }));

  async function expectStillServing(): Promise<void> {
    const r = await post('{ devices(first: 1) { totalCount } }');
    expect(r.status).toBe(200);
    expect(r.body.errors).toBeUndefined();
  }

  function expectRejected(r: Reply, limit: string, message: RegExp): void {
    expect(r.status).toBe(400);
    expect(r.body.data).toBeUndefined();
    const e = r.body.errors?.find((x) => x.extensions?.limit === limit);
    expect(e?.message).toMatch(message);
    expect(r.ms).toBeLessThan(5000);
  }

  beforeAll(async () => {
    t = await startTestApp();
    url = await t.app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await cleanup(t.db, prefix);
    await t.close();
  });

  it('rejects nesting depth 50, naming the depth limit', async () => {
    let selection = 'id';
    for (let i = 0; i < 17; i++) selection = `components { edges { node { ${selection} } } }`;
    const r = await post(`{ node(id: "x") { ... on Component { ${selection} } } }`);
    expectRejected(r, 'depth', /Query depth limit of 20 exceeded, found \d+.*GRAPHQL_MAX_DEPTH/);
    await expectStillServing();
  });

  it('rejects 1,000 aliases, naming the aliases limit', async () => {
    const aliases = Array.from({ length: 1000 }, (_, i) => `a${i}: __typename`).join(' ');
    expectRejected(await post(`{ ${aliases} }`), 'aliases', /Aliases limit of 30 exceeded, found 1000.*GRAPHQL_MAX_ALIASES/);
    await expectStillServing();
  });

  it('rejects a query whose cost is above the limit, naming the cost limit', async () => {
    // up to 100 devices × 100 components × 100 vulnerabilities × 100 threats: 10^8 objects
    const r = await post(
      '{ devices(first: 100) { edges { node { components(first: 100) { edges { node { vulnerabilities(first: 100) { edges { node { exploitedBy(first: 100) { edges { node { id } } } } } } } } } } } } }',
    );
    expectRejected(r, 'cost', /Query Cost limit of 3000000 exceeded, found \d+.*GRAPHQL_MAX_COST/);
    await expectStillServing();
  });

  it('costs a `first` given as a variable with its value', async () => {
    const query =
      'query($f: Int) { devices(first: $f) { edges { node { components(first: $f) { edges { node { vulnerabilities(first: $f) { edges { node { exploitedBy(first: $f) { edges { node { id } } } } } } } } } } } } }';
    expectRejected(await post(query, { f: 100 }), 'cost', /Query Cost limit of 3000000 exceeded/);
    const small = await post(query, { f: 2 });
    expect(small.status).toBe(200);
    expect(small.body.errors).toBeUndefined();
  });

  it('admits the benchmark question (a) and every query of the collection under the default cost limit', async () => {
    const schema = buildSchema();
    const documents = fs.readdirSync(QUERIES).map((f) => [f, fs.readFileSync(path.join(QUERIES, f), 'utf8')] as const);
    documents.push(['bench (a)', DEVICE_DETAIL_GRAPHQL]);
    const over = documents.filter(([, text]) => costOf(schema, text, {}) > 3000000).map(([name]) => name);
    expect(over).toEqual([]);
    expect(documents.length).toBeGreaterThan(10);
    const r = await post(DEVICE_DETAIL_GRAPHQL, { id: 'device:iphone-15' });
    expect(r.body.errors).toBeUndefined();
  });

  it('rejects too many directives, naming the directives limit', async () => {
    expectRejected(await post(`{ __typename ${'@include(if: true) '.repeat(60)} }`), 'directives', /Directives limit of 50 exceeded.*GRAPHQL_MAX_DIRECTIVES/);
  });

  it('rejects a 5 MB query document at the token limit without parsing it all', async () => {
    const query = `{ ${'__typename '.repeat(Math.ceil((5 * 1024 * 1024) / 11))} }`;
    expectRejected(await post(query), 'tokens', /Token limit of 5000 exceeded.*GRAPHQL_MAX_TOKENS/);
    await expectStillServing();
  });

  it('rejects first: 10000000 by the cost limit, as a literal or a variable; a cheap first above 100 by the page-size cap', async () => {
    expectRejected(await post('{ devices(first: 10000000) { edges { node { id } } } }'), 'cost', /Query Cost limit of 3000000 exceeded, found 20000001/);
    expectRejected(
      await post('query($first: Int) { devices(first: $first) { edges { node { id } } } }', { first: 10000000 }),
      'cost',
      /Query Cost limit of 3000000 exceeded, found 20000001/,
    );
    const r = await post('query($first: Int) { devices(first: $first) { totalCount } }', { first: 1000000 });
    expect(r.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.body.errors?.[0]?.message).toMatch(/first must be between 0 and 100/);
  });

  it('rejects a body above MAX_BODY_BYTES with 413 naming the limit', async () => {
    const r = await postRaw(JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(9 * 1024 * 1024) } }));
    expect(r.status).toBe(413);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(r.body.errors?.[0]?.message).toMatch(/MAX_BODY_BYTES/);
    await expectStillServing();
  });

  it('rejects 100 batched operations in one request', async () => {
    const r = await postRaw(JSON.stringify(Array.from({ length: 100 }, () => ({ query: '{ __typename }' }))));
    expect(r.status).toBe(400);
    expect(r.body.errors?.[0]?.message).toMatch(/batching disabled/i);
    await expectStillServing();
  });

  it('keeps CSRF prevention on: a simple GET query without a preflight header is refused', async () => {
    const res = await fetch(`${url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF/);
  });

  it('abandons a request past REQUEST_TIMEOUT_MS with a clear error', async () => {
    const slow = new Promise<string>((resolve) => setTimeout(() => resolve('late'), 500));
    await expect(withDeadline(slow, 50)).rejects.toBeInstanceOf(RequestTimeoutError);
    await expect(withDeadline(slow, 50)).rejects.toThrow(/REQUEST_TIMEOUT_MS \(50 ms\)/);
    await expect(withDeadline(Promise.resolve('fast'), 50)).resolves.toBe('fast');
  });

  it('stores and returns Cypher-injection strings literally, never executing them', async () => {
    // Sentinels of this test's own: an injected `MATCH (n) DETACH DELETE n` would remove them too.
    for (const k of [1, 2, 3]) {
      const r = await post('mutation($input: DeviceInput!) { upsertDevice(input: $input) { id } }', {
        input: { id: `${prefix}sentinel-${k}`, name: `sentinel ${k}`, category: 'PHONE' },
      });
      expect(r.body.errors).toBeUndefined();
    }
    const countAll = async () =>
      Number((await t.db.read(undefined, 'count this test nodes', 'MATCH (n) WHERE n.id STARTS WITH $p RETURN count(n) AS n', { p: prefix }))[0]?.n);
    const before = await countAll();
    expect(before).toBeGreaterThanOrEqual(3);
    const payloads = [`"}) MATCH (n) DETACH DELETE n //`, `' OR 1=1 //`, 'back\\slash \\" \\u0000', '名前 ünïcödé 🚀 `tick`', '$markings } RETURN n //'];
    for (const [i, text] of payloads.entries()) {
      const id = `${prefix}inj-${i}`;
      const up = await post('mutation($input: DeviceInput!) { upsertDevice(input: $input) { id name description } }', {
        input: { id, name: text, description: text, category: 'PHONE' },
      });
      expect(up.body.errors).toBeUndefined();
      expect(up.body.data).toEqual({ upsertDevice: { id, name: text, description: text } });
      const listed = await post('query($t: String!) { devices(filter: { nameContains: $t }) { edges { node { id name } } } search(text: $t) { label } }', {
        t: text,
      });
      expect(listed.body.errors?.filter((e) => e.extensions?.code !== 'BAD_USER_INPUT') ?? []).toEqual([]);
      const lookup = await post('query($id: ID!) { node(id: $id) { id name } }', { id: text });
      expect(lookup.body.data).toEqual({ node: null });
    }
    expect(await countAll()).toBe(before + payloads.length);
  });
});

describe('the request deadline stops the work, not only the answer', () => {
  const p = uniquePrefix('deadline');
  let t: TestApp;
  let db: HeldDatabase;
  let url: string;
  const writer = testDatabase();

  async function post(
    query: string,
    variables: Record<string, unknown>,
    key: string,
  ): Promise<{ status: number; body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } }> {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ query, variables }),
    });
    return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
  }

  beforeAll(async () => {
    db = new HeldDatabase();
    t = await startTestApp({ REQUEST_TIMEOUT_MS: '5000' }, { db });
    url = await t.app.listen(0, '127.0.0.1');
    await buildGraph(
      writer,
      p,
      [
        ['Device', 'D', { category: 'PHONE' }],
        ['Component', 'C', { kind: 'LIBRARY' }],
        ['Vulnerability', 'V', {}],
      ],
      [
        ['HAS_COMPONENT', 'D', 'C'],
        ['AFFECTS', 'V', 'C'],
      ],
    );
  });
  afterAll(async () => {
    db.open();
    await cleanup(writer, p);
    await writer.close();
    await t.close();
  });

  it('opens no transaction once the 503 is sent: the next DataLoader levels are refused', async () => {
    // nodes(ids) resolves level by level: the device, then its components, then their vulnerabilities
    const query = 'query($ids: [ID!]!) { nodes(ids: $ids) { ... on Device { id components { edges { node { id vulnerabilities { totalCount } } } } } } }';
    db.holdReadsAfter(1);
    const r = await post(query, { ids: [`${p}D`] }, KEYS.analyst);
    expect(r.status).toBe(503);
    expect(r.body.errors?.[0]?.extensions?.code).toBe('REQUEST_TIMEOUT');
    const openedWhenAnswered = db.sessionsOpened;
    db.open();
    await t.app.idle();
    expect(db.sessionsOpened).toBe(openedWhenAnswered);
    // the same question, given the time, needs three levels (so the gate really held two of them)
    const again = await t.run<{ nodes: unknown[] }>(query, { ids: [`${p}D`] }, KEYS.analyst);
    expect(again.data?.nodes).toEqual([{ id: `${p}D`, components: { edges: [{ node: { id: `${p}C`, vulnerabilities: { totalCount: 1 } } }] } }]);
    expect(again.roundTrips).toBe(3);
  });

  it('rolls back an importDocument whose request timed out, and points to the CLI', async () => {
    const token = p.replace(/[^a-z0-9]/g, '');
    const document = fs
      .readFileSync(path.join(__dirname, '..', 'fixtures', 'cyclonedx', 'test-phone-vex-1.6.cdx.json'), 'utf8')
      .replaceAll('testphone', token)
      .replaceAll('Test Phone', `${token} Phone`)
      .replaceAll('test-phone', `${token}-phone`);
    const mine = async () =>
      Number(
        (await writer.read(undefined, 'count imported', 'MATCH (n) WHERE n.id CONTAINS $token OR n.name CONTAINS $token RETURN count(n) AS n', { token }))[0]
          ?.n,
      );
    const mutation = 'mutation($document: String!) { importDocument(format: CYCLONEDX, document: $document) { changed nodes { name created } } }';
    expect(await mine()).toBe(0);
    db.holdCommitsUntilOpen();
    const r = await post(mutation, { document }, KEYS.curator);
    expect(r.status).toBe(503);
    expect(r.body.errors?.[0]?.message).toMatch(/REQUEST_TIMEOUT_MS \(5000 ms\).*nothing was imported.*npm run import/);
    db.open();
    await t.app.idle();
    expect(await mine()).toBe(0);
    // the same document, given the time, is imported (so the count above could have moved)
    await importDocument(batchLoader(writer), { text: document, format: 'CYCLONEDX', caller: 'test', clearance: 'SECRET' });
    expect(await mine()).toBeGreaterThan(0);
    await writer.write(undefined, 'remove imported', 'MATCH (n) WHERE n.id CONTAINS $token OR n.name CONTAINS $token DETACH DELETE n', { token });
  });
});

describe('production: an anonymous request is refused before its body is read', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production' });
    port = Number(new URL(await t.app.listen(0, '127.0.0.1')).port);
  });
  afterAll(async () => {
    await t.close();
  });

  function rawRequest(headers: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let received = '';
      socket.setTimeout(10000, () => {
        socket.destroy();
        resolve(received);
      });
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('utf8');
        if (/\r\n\r\n[\s\S]*(\}\s*|\r\n0\r\n\r\n)$/.test(received)) {
          socket.destroy();
          resolve(received);
        }
      });
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
      // the headers announce an 8 MB body that is never sent
      socket.write(headers);
    });
  }

  it('answers 401 to headers announcing an 8 MB body that never comes', async () => {
    const answer = await rawRequest(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${8 * 1024 * 1024 - 1}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
    expect(answer).toMatch(/UNAUTHENTICATED/);
  });

  it('still reads the body of an authenticated caller', async () => {
    const body = JSON.stringify({ query: '{ __typename }' });
    const answer = await rawRequest(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nx-api-key: ${KEYS.viewer}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toMatch(/"__typename":"Query"/);
  });
});

describe('analytics are costed by their traversal and capped per caller', () => {
  let t: TestApp;
  let db: HeldDatabase;
  let url: string;

  beforeAll(async () => {
    db = new HeldDatabase();
    t = await startTestApp({ ANALYTICS_MAX_CONCURRENT: '2' }, { db });
    url = await t.app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    db.open();
    await t.close();
  });

  async function post(
    query: string,
    key: string,
  ): Promise<{ status: number; body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } }> {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ query }),
    });
    return { status: res.status, body: (await res.json()) as { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
  }

  it('refuses 30 aliases of riskPaths(maxHops: 8) before any database query', async () => {
    const aliases = Array.from({ length: 30 }, (_, i) => `r${i}: riskPaths(from: "threat:firmware-tampering", maxHops: 8) { totalCount }`).join(' ');
    const before = db.sessionsOpened;
    const r = await post(`{ ${aliases} }`, KEYS.analyst);
    expect(r.status).toBe(400);
    expect(r.body.data).toBeUndefined();
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost', max: 3000000 });
    expect(r.body.errors?.[0]?.message).toMatch(/Query Cost limit of 3000000 exceeded, found \d+.*GRAPHQL_MAX_COST/);
    expect(db.sessionsOpened).toBe(before);
  });

  it('refuses a caller a third concurrent analytics field with TOO_MANY_CONCURRENT_ANALYTICS, not other callers', async () => {
    const query = '{ riskPaths(from: "threat:firmware-tampering", maxHops: 2) { totalCount } }';
    db.holdReadsAfter(0);
    const held = [t.run(query, {}, KEYS.analyst), t.run(query, {}, KEYS.analyst)];
    await db.untilWaiting(2);
    const third = await post(query, KEYS.analyst);
    expect(third.status).toBe(429);
    expect(third.body.errors?.[0]?.extensions).toMatchObject({ code: 'TOO_MANY_CONCURRENT_ANALYTICS', max: 2 });
    expect(third.body.errors?.[0]?.message).toMatch(/ANALYTICS_MAX_CONCURRENT/);
    // two fields in one operation count as two
    const other = t.run(`{ a: ${query.slice(2, -2)} b: ${query.slice(2, -2)} }`, {}, ANALYST_KEYS_BY_CLEARANCE.SECRET);
    await db.untilWaiting(3);
    db.open();
    for (const r of await Promise.all([...held, other]))
      expect(r.errors?.filter((e) => e.extensions?.code === 'TOO_MANY_CONCURRENT_ANALYTICS') ?? []).toEqual([]);
    // the slots are given back
    const after = await post(query, KEYS.analyst);
    expect(after.body.errors?.find((e) => e.extensions?.code === 'TOO_MANY_CONCURRENT_ANALYTICS')).toBeUndefined();
  });
});
