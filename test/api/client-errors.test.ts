/**
 * Client mistakes are 4xx or named error codes, never INTERNAL_SERVER_ERROR (issue 12): Lucene
 * keywords in `search`, strings over the index key limit in indexed properties (API and
 * importers), subscription operations over HTTP, "Did you mean" suggestions in production,
 * caller input echoed in error messages, and the explorer in production. Over HTTP, against
 * the real test Neo4j; every refused write is checked to have written nothing.
 */
import { createHash } from 'node:crypto';
import { INDEXED_STRING_MAX_CHARS } from '../../src/domain/validation';
import { KEYS, cleanup, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';

const prefix = uniquePrefix('clienterr');

interface HttpResult {
  status: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function post(url: string, body: unknown, key: string | null = KEYS.curator): Promise<HttpResult> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as HttpResult['body'] };
}

async function snapshot(t: TestApp): Promise<string> {
  const rows = await t.db.read(
    undefined,
    'client errors snapshot',
    `MATCH (n) WITH n ORDER BY elementId(n)
     OPTIONAL MATCH (n)-[r]->(m)
     WITH n, r, m ORDER BY elementId(r)
     RETURN n.id AS id, labels(n) AS labels, properties(n) AS props, collect([type(r), m.id, properties(r)]) AS out`,
    {},
  );
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex');
}

const codes = (r: HttpResult) => (r.body.errors ?? []).map((e) => e.extensions?.code);
const LONG = 'A'.repeat(8200);

describe('client mistakes (development mode)', () => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    t = await startTestApp();
    url = await t.app.listen(0, '127.0.0.1');
    await t.db.write(
      undefined,
      'client errors fixture',
      "CREATE (:Organization {id: $id, name: 'AND OR NOT maker', kind: 'VENDOR', classification: 'UNCLASSIFIED', source: 'test'})",
      { id: `${prefix}org` },
    );
  });
  afterAll(async () => {
    await cleanup(t.db, prefix);
    await t.close();
  });

  it.each(['AND', 'OR', 'NOT', 'AND OR NOT', '&& || !', 'a AND', 'NOT NOT', '"', '\\', 'name:*', '[a TO b]', '~', '/regex/', '\u0000x', 'x*?'])(
    'search(text: %j) answers without an error',
    async (text) => {
      const r = await post(url, { query: 'query($text: String!) { search(text: $text, first: 5) { label score } }', variables: { text } });
      expect(r.body.errors).toBeUndefined();
      expect(r.status).toBe(200);
    },
  );

  it('search finds a node whose name holds the words AND OR NOT', async () => {
    const r = await post(url, { query: '{ search(text: "AND OR NOT", labels: [Organization]) { node { id } } }' });
    expect((r.body.data?.search as { node: { id: string } }[]).map((h) => h.node.id)).toContain(`${prefix}org`);
  });

  it('search with only control characters is BAD_USER_INPUT', async () => {
    const r = await post(url, { query: 'query($text: String!) { search(text: $text) { score } }', variables: { text: '\u0000\u0001' } });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
  });

  const oversize: [string, string, Record<string, unknown>, string][] = [
    ['Organization.name', 'upsertOrganization(input: $input) { id }', { id: `${prefix}o1`, name: LONG, kind: 'SUPPLIER' }, 'OrganizationInput'],
    ['Control.name', 'upsertControl(input: $input) { id }', { id: `${prefix}c1`, name: LONG, framework: 'test' }, 'ControlInput'],
    ['Threat.externalId', 'upsertThreat(input: $input) { id }', { id: `${prefix}t1`, name: 'T', kind: 'OTHER', externalId: LONG }, 'ThreatInput'],
    [
      'Component.purl',
      'upsertComponent(input: $input) { id }',
      { id: `${prefix}p1`, name: 'P', kind: 'LIBRARY', purl: `pkg:generic/x@${LONG}` },
      'ComponentInput',
    ],
  ];
  it.each(oversize)('an oversize %s is BAD_USER_INPUT naming the field and the limit; nothing is written', async (_what, field, input, type) => {
    const before = await snapshot(t);
    const r = await post(url, { query: `mutation($input: ${type}!) { ${field} }`, variables: { input } });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    const key = Object.entries(input).find(([, v]) => typeof v === 'string' && v.length > 8000)?.[0] ?? '';
    expect(r.body.errors?.[0]?.message).toContain(`input.${key}`);
    expect(r.body.errors?.[0]?.message).toContain(`${INDEXED_STRING_MAX_CHARS} characters`);
    expect(await snapshot(t)).toBe(before);
  });

  it('an indexed string at the limit, in 3-byte characters, is stored', async () => {
    const name = '€'.repeat(INDEXED_STRING_MAX_CHARS);
    const r = await post(url, {
      query: 'mutation($input: OrganizationInput!) { upsertOrganization(input: $input) { id name } }',
      variables: { input: { id: `${prefix}at-limit`, name, kind: 'OTHER' } },
    });
    expect(r.body.errors).toBeUndefined();
    expect((r.body.data?.upsertOrganization as { name: string }).name).toBe(name);
  });

  it('an oversize free-text description is BAD_USER_INPUT naming the field and its limit', async () => {
    const r = await post(url, {
      query: 'mutation($input: OrganizationInput!) { upsertOrganization(input: $input) { id } }',
      variables: { input: { id: `${prefix}o2`, name: 'x', kind: 'OTHER', description: 'd'.repeat(70000) } },
    });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    expect(r.body.errors?.[0]?.message).toMatch(/input\.description: must be at most \d+ characters/);
  });

  const cyclonedx = (componentName: string) =>
    JSON.stringify({
      bomFormat: 'CycloneDX',
      specVersion: '1.5',
      serialNumber: 'urn:uuid:11111111-2222-4333-8444-555555555555',
      version: 1,
      metadata: { component: { type: 'device', 'bom-ref': `${prefix}dev`, name: 'Oversize test device' } },
      components: [{ type: 'library', 'bom-ref': `${prefix}lib`, name: componentName, version: '1.0' }],
    });
  const kev = (vulnerabilityName: string) =>
    JSON.stringify({
      title: 'test KEV',
      catalogVersion: '2099.01.01',
      dateReleased: '2099-01-01T00:00:00.000Z',
      count: 1,
      vulnerabilities: [
        {
          cveID: 'CVE-2099-0001',
          vendorProject: 'v',
          product: 'p',
          vulnerabilityName,
          dateAdded: '2099-01-01',
          shortDescription: 's',
          requiredAction: 'r',
          dueDate: '2099-02-01',
        },
      ],
    });

  it.each([
    ['CYCLONEDX', 'component name', cyclonedx('N'.repeat(9000))],
    ['KEV', 'vulnerabilityName', kev('N'.repeat(9000))],
  ])('importDocument (%s) with a 9,000-character %s is BAD_USER_INPUT naming field, id and limit; nothing is written', async (format, _what, document) => {
    const before = await snapshot(t);
    const r = await post(url, {
      query: `mutation($document: String!) { importDocument(format: ${format}, document: $document, name: "${prefix}imp") { changed } }`,
      variables: { document },
    });
    expect(codes(r)).toEqual(['BAD_USER_INPUT']);
    const message = r.body.errors?.[0]?.message ?? '';
    expect(message).toMatch(/name: must be at most \d+ characters/);
    expect(message).toContain(format === 'KEV' ? 'CVE-2099-0001' : 'Component');
    expect(message.length).toBeLessThan(600);
    expect(await snapshot(t)).toBe(before);
  });

  it('a subscription over HTTP POST is a 400 saying subscriptions are not served over HTTP POST', async () => {
    // a valid subscription document (the schema has one since the change feed): refused over HTTP, served over WebSocket
    const r = await post(url, { query: 'subscription { certificationEvents { sequence } }' });
    expect(r.status).toBe(400);
    expect(codes(r)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(r.body.errors?.[0]?.message).toMatch(/subscriptions are not served over HTTP POST/i);
  });

  it('NOT_FOUND and malformed-cursor messages echo at most 100 characters of the caller input', async () => {
    const huge = 'x'.repeat(100_000);
    const link = await post(url, {
      query: 'mutation($input: LinkInput!) { link(input: $input) { created } }',
      variables: { input: { type: 'MAKES', fromId: huge, toId: huge } },
    });
    expect(codes(link)).toEqual(['NOT_FOUND']);
    expect(link.body.errors?.[0]?.message.length).toBeLessThan(300);
    expect(link.body.errors?.[0]?.message).toContain('…');
    const del = await post(url, { query: 'mutation($id: ID!) { deleteNode(id: $id) { id } }', variables: { id: huge } }, KEYS.admin);
    expect(codes(del)).toEqual(['NOT_FOUND']);
    expect(del.body.errors?.[0]?.message.length).toBeLessThan(300);
    const cursor = await post(url, { query: 'query($after: String) { devices(after: $after) { totalCount } }', variables: { after: huge } });
    expect(codes(cursor)).toEqual(['BAD_USER_INPUT']);
    expect(cursor.body.errors?.[0]?.message.length).toBeLessThan(300);
    const risk = await post(url, { query: 'query($id: ID!) { blastRadius(componentId: $id) { __typename } }', variables: { id: huge } });
    expect(codes(risk)).toEqual(['NOT_FOUND']);
    expect(risk.body.errors?.[0]?.message.length).toBeLessThan(300);
  });

  it('messages from GraphQL itself cap an echoed value at 100 characters too', async () => {
    const r = await post(url, { query: 'query($first: Int) { devices(first: $first) { totalCount } }', variables: { first: 'y'.repeat(100_000) } });
    expect(r.status).toBe(400);
    // The development stack trace is there too, with its echoes capped as well.
    expect(JSON.stringify(r.body)).not.toContain('y'.repeat(101));
    expect(JSON.stringify(r.body).length).toBeLessThan(5000);
  });
});

describe('client mistakes (production mode)', () => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production' });
    url = await t.app.listen(0, '127.0.0.1');
  });
  afterAll(() => t.close());

  it.each([
    ['enum value', 'query { devices(filter: { categories: [PHON] }) { totalCount } }', {}],
    ['enum variable', 'query($c: [DeviceCategory!]) { devices(filter: { categories: $c }) { totalCount } }', { c: ['PHON'] }],
    ['field', '{ devicez { totalCount } }', {}],
    ['argument', '{ devices(frist: 1) { totalCount } }', {}],
    ['input field', '{ devices(filter: { nameContain: "x" }) { totalCount } }', {}],
  ])('a wrong %s gets no "Did you mean" and no stray " ?"', async (_what, query, variables) => {
    const r = await post(url, { query, variables }, KEYS.viewer);
    expect(r.status).toBe(400);
    const message = r.body.errors?.[0]?.message ?? '';
    expect(message).not.toMatch(/Did you mean/);
    expect(message).not.toMatch(/PHONE|nameContains|"first"/);
    expect(message).not.toMatch(/\s\?/);
    expect(message).toMatch(/[^\s]$/);
  });

  it.each(['/explorer', '/explorer/', '/risk', '/explorer/queries.json', '/explorer/assets/explorer.js'])(
    '%s is not served (404) in production',
    async (path) => {
      const res = await fetch(`${url}${path}`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(404);
      expect(await res.text()).toMatch(/not served in production/);
    },
  );

  it('GET / from a browser in production is not the explorer', async () => {
    const res = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).not.toMatch(/html/);
  });
});
