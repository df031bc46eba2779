/**
 * Hostile-input corpus, API part. Every string argument of every Query and Mutation field
 * (enumerated from the built schema, through input objects, so a new argument is covered
 * without editing this file) receives each of HOSTILE_STRINGS; then hostile documents (depth,
 * aliases, fragment cycles, huge and unicode strings, null bytes, RTL overrides, malformed
 * bodies) and hostile variables (wrong types, negative and huge `first`, malformed cursors,
 * hidden ids). Every answer must be an HTTP 4xx or carry only named error codes (never
 * INTERNAL_SERVER_ERROR or a 5xx), every mutation must be refused, and the content hash of the
 * database must be the same after each group as before it.
 *
 * Mutations run as an admin with RESTRICTED clearance and ask for a SECRET marking, so each one
 * passes through validation (lengths, ids, lookups of the given ids in Neo4j) and is refused there.
 */
import { buildSchema } from '../../src/graphql/schema';
import { encodeCursor } from '../../src/graphql/pagination';
import { KEYS, cleanup, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import { HOSTILE_STRINGS, call, contentHash, defaultValue, operationFor, setAt, stringLeaves, violation, type RawRequest } from './hostile';

const prefix = uniquePrefix('hostile');
const schema = buildSchema();
const VISIBLE = `${prefix}org`;
const HIDDEN = `${prefix}secret-device`;

interface Case {
  name: string;
  request: RawRequest;
  key: string | null;
  mustFail: boolean;
}

/** Fills required arguments; ids point at the visible fixture so lookups reach Neo4j. */
function argsFor(kind: 'query' | 'mutation', field: string): Record<string, unknown> {
  const root = kind === 'query' ? schema.getQueryType() : schema.getMutationType();
  const out: Record<string, unknown> = {};
  const marking = (fields: string[]) => (kind === 'mutation' && fields.includes('classification') ? { classification: 'SECRET' } : {});
  for (const arg of root?.getFields()[field]?.args ?? []) {
    if (arg.type.toString().endsWith('!') && arg.defaultValue === undefined) {
      const value = defaultValue(arg.type, marking);
      out[arg.name] = value === 'x' && arg.type.toString() === 'ID!' ? VISIBLE : value;
    }
  }
  return out;
}

/** Query arguments that get every hostile string; the others get QUERY_STRINGS_PER_LEAF of them, in rotation. */
const ALL_STRINGS_FOR = new Set(['search.text', 'node.id', 'nodes.ids', 'devices.filter', 'devices.after']);
const QUERY_STRINGS_PER_LEAF = 3;

/**
 * One case per String/ID leaf of every argument of every root field and hostile string. Mutations
 * (refused before any query plan is compiled, so cheap) get every string; queries (each filter
 * shape compiles its own Cypher on a cold JVM) get three per leaf in rotation, so every string
 * still reaches every kind of argument, and a few central arguments get all of them.
 */
function stringArgumentCases(kind: 'query' | 'mutation'): Case[] {
  const root = kind === 'query' ? schema.getQueryType() : schema.getMutationType();
  const cases: Case[] = [];
  const hostile = Object.entries(HOSTILE_STRINGS);
  let leafIndex = 0;
  for (const [field, def] of Object.entries(root?.getFields() ?? {})) {
    for (const arg of def.args) {
      for (const leaf of stringLeaves(arg.type)) {
        const all = kind === 'mutation' || ALL_STRINGS_FOR.has(`${field}.${arg.name}`);
        const chosen = all
          ? hostile
          : Array.from({ length: QUERY_STRINGS_PER_LEAF }, (_, k) => hostile[(leafIndex * QUERY_STRINGS_PER_LEAF + k) % hostile.length] as [string, string]);
        leafIndex += 1;
        for (const [label, hostile] of chosen) {
          const passed = argsFor(kind, field);
          const base =
            passed[arg.name] ??
            defaultValue(arg.type, (fields) => (kind === 'mutation' && fields.includes('classification') ? { classification: 'SECRET' } : {}));
          passed[arg.name] = setAt(base, leaf, hostile, arg.type);
          cases.push({
            name: `${field}(${[arg.name, ...leaf].join('.')}) <- ${label}`,
            request: { body: { query: operationFor(schema, kind, field, def.args, passed), variables: passed } },
            key: kind === 'mutation' ? KEYS.adminRestricted : KEYS.viewer,
            mustFail: kind === 'mutation',
          });
        }
      }
    }
  }
  return cases;
}

const gql = (query: string, variables: Record<string, unknown> = {}, key: string | null = KEYS.viewer, mustFail = true): Omit<Case, 'name'> => ({
  request: { body: { query, variables } },
  key,
  mustFail,
});

const nested = (depth: number) => `{ devices { edges { node { ${'components { edges { node { '.repeat(depth)}id${' } } }'.repeat(depth)} } } } }`;
const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`;

const DOCUMENT_CASES: Record<string, Omit<Case, 'name'>> = {
  'depth 60': gql(nested(20)),
  'depth 3000 (parser recursion)': gql(`{ ${'a { '.repeat(3000)}b${' }'.repeat(3000)} }`),
  '500 aliases': gql(aliases(500)),
  '40 aliases of devices(first: 100)': gql(`{ ${Array.from({ length: 40 }, (_, i) => `d${i}: devices(first: 100) { totalCount }`).join(' ')} }`),
  'fragment cycle A->B->A': gql('query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }'),
  'fragment self-spread': gql('query { ...A } fragment A on Query { __typename ...A }'),
  'unused fragment': gql('query { __typename } fragment A on Query { __typename }'),
  'unknown fragment': gql('query { ...Nope }'),
  'fragment on unknown type': gql('query { ...A } fragment A on Nope { x }'),
  '1 MB string literal': gql(`{ search(text: "${'s'.repeat(1_000_000)}") { score } }`),
  '9,000-character string literal in a filter': gql(`{ devices(filter: { nameContains: "${'n'.repeat(9000)}" }) { totalCount } }`, {}, KEYS.viewer, false),
  'null byte in the document': gql('{ __typename\u0000 }'),
  'null byte inside a string literal': gql('{ device(id: "a\u0000b") { id } }', {}, KEYS.viewer, false),
  'RTL override in the document': gql('{ \u202E__typename }'),
  'RTL override in a string literal': gql('{ device(id: "\u202Eabc") { id } }', {}, KEYS.viewer, false),
  'unicode field name': gql('{ dévices { totalCount } }'),
  'astral characters in a comment': gql('# 😀𝕏\n{ __typename }', {}, KEYS.viewer, false),
  'BOM before the document': gql('\uFEFF{ __typename }', {}, KEYS.viewer, false),
  'lone surrogate in a literal': gql('{ search(text: "\uD800") { score } }', {}, KEYS.viewer, false),
  'unterminated string': gql('{ device(id: "abc) { id } }'),
  'unterminated selection': gql('{ devices { totalCount '),
  'empty document': gql(''),
  'only a comment': gql('# nothing'),
  'two anonymous operations': gql('{ __typename } { __typename }'),
  'operationName not in the document': { request: { body: { query: 'query A { __typename }', operationName: 'B' } }, key: KEYS.viewer, mustFail: true },
  'two named operations, no operationName': gql('query A { __typename } query B { __typename }'),
  subscription: gql('subscription { __typename }'),
  'subscription with a field': gql('subscription S { devices { totalCount } }'),
  'mutation as a viewer': gql('mutation { deleteNode(id: "x") { id } }'),
  'unknown directive': gql('{ __typename @nope }'),
  '200 @include directives': gql(`{ __typename ${'@include(if: true) '.repeat(200)}}`),
  '@skip with a string': gql('{ __typename @skip(if: "yes") }'),
  'variable used but not declared': gql('{ device(id: $id) { id } }'),
  'variable declared with an unknown type': gql('query($id: Nope) { __typename }'),
  'introspection nesting ofType x 50 (bounded by the schema; off in production)': gql(
    `{ __schema { types { ${'ofType { '.repeat(50)}name${' }'.repeat(50)} } } }`,
    {},
    KEYS.viewer,
    false,
  ),
  '6000 tokens': gql(`{ ${'__typename '.repeat(6000)}}`),
  'field on a scalar': gql('{ devices { totalCount { x } } }'),
  'scalar without selection missing': gql('{ devices }'),
  'int literal overflow': gql('{ devices(first: 99999999999999999999) { totalCount } }'),
  'negative first literal': gql('{ devices(first: -1) { totalCount } }'),
  'first over the page cap': gql('{ devices(first: 101) { totalCount } }'),
  'float first literal': gql('{ devices(first: 1.5) { totalCount } }'),
  'unknown enum literal': gql('{ devices(filter: { categories: [PHON] }) { totalCount } }'),
  'nodes with 101 ids': gql(`{ nodes(ids: [${Array.from({ length: 101 }, (_, i) => `"id${i}"`).join(',')}]) { id } }`),
  'query is a number': { request: { body: { query: 42 } }, key: KEYS.viewer, mustFail: true },
  'query is an object': { request: { body: { query: { a: 1 } } }, key: KEYS.viewer, mustFail: true },
  'query is missing': { request: { body: { variables: {} } }, key: KEYS.viewer, mustFail: true },
  'variables is a string': { request: { body: { query: '{ __typename }', variables: 'x' } }, key: KEYS.viewer, mustFail: true },
  'variables is an array': { request: { body: { query: '{ __typename }', variables: [1] } }, key: KEYS.viewer, mustFail: true },
  'extensions is a string': { request: { body: { query: '{ __typename }', extensions: 'x' } }, key: KEYS.viewer, mustFail: true },
  'unknown persisted query hash': {
    request: { body: { extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } } },
    key: KEYS.viewer,
    mustFail: true,
  },
  'batched request': { request: { body: [{ query: '{ __typename }' }, { query: '{ __typename }' }] }, key: KEYS.viewer, mustFail: true },
  'body is not JSON': { request: { body: '{"query": "{ __typename }"' }, key: KEYS.viewer, mustFail: true },
  'body is JSON null': { request: { body: 'null' }, key: KEYS.viewer, mustFail: true },
  'body is a JSON string': { request: { body: '"{ __typename }"' }, key: KEYS.viewer, mustFail: true },
  'body with Latin-1 bytes': {
    request: { body: Buffer.concat([Buffer.from('{"query": "{ device(id: \\"caf'), Buffer.from([0xe9]), Buffer.from('\\") { id } }"}')]) },
    key: KEYS.viewer,
    mustFail: false,
  },
  'body with a BOM': { request: { body: '\uFEFF{"query": "{ __typename }"}' }, key: KEYS.viewer, mustFail: false },
  'JSON nested 10,000 levels': {
    request: { body: `{"query": "{ __typename }", "variables": {"a": ${'['.repeat(10000)}${']'.repeat(10000)}}}` },
    key: KEYS.viewer,
    mustFail: false,
  },
  'text/plain content type (CSRF)': {
    request: { headers: { 'content-type': 'text/plain' }, body: '{"query": "{ __typename }"}' },
    key: KEYS.viewer,
    mustFail: true,
  },
  'GET with a mutation': {
    request: {
      method: 'GET',
      path: `/graphql?query=${encodeURIComponent('mutation { deleteNode(id: "x") { id } }')}`,
      headers: { 'apollo-require-preflight': 'true' },
    },
    key: KEYS.admin,
    mustFail: true,
  },
  'GET without a query': { request: { method: 'GET', path: '/graphql', headers: { 'apollo-require-preflight': 'true' } }, key: KEYS.viewer, mustFail: true },
  PUT: { request: { method: 'PUT', body: { query: '{ __typename }' } }, key: KEYS.viewer, mustFail: true },
  'unknown route': { request: { method: 'GET', path: '/graphql/../../etc/passwd' }, key: KEYS.viewer, mustFail: true },
  'a wrong API key': gql('{ __typename }', {}, 'not-a-key'),
};

const HUGE = 'c'.repeat(100_000);
const VARIABLE_CASES: Record<string, Omit<Case, 'name'>> = {
  'first: -1': gql('query($f: Int) { devices(first: $f) { totalCount } }', { f: -1 }),
  'first: 101': gql('query($f: Int) { devices(first: $f) { totalCount } }', { f: 101 }),
  'first: 2^31': gql('query($f: Int) { devices(first: $f) { totalCount } }', { f: 2 ** 31 }),
  'first: 2^53': gql('query($f: Int) { devices(first: $f) { totalCount } }', { f: 2 ** 53 }),
  'first: 1.5': gql('query($f: Int) { devices(first: $f) { totalCount } }', { f: 1.5 }),
  'first: "10"': gql('query($f: Int) { devices(first: $f) { totalCount } }', { f: '10' }),
  'first: true': gql('query($f: Int) { devices(first: $f) { totalCount } }', { f: true }),
  'first: {}': gql('query($f: Int) { devices(first: $f) { totalCount } }', { f: {} }),
  'nested first: -5': gql('query($f: Int) { devices { edges { node { components(first: $f) { totalCount } } } } }', { f: -5 }),
  'search first: 1000': gql('query($f: Int) { search(text: "a", first: $f) { score } }', { f: 1000 }),
  'cursor: random base64': gql('query($a: String) { devices(after: $a) { totalCount } }', { a: 'AAAA' }),
  'cursor: pos:-1': gql('query($a: String) { devices(after: $a) { totalCount } }', { a: Buffer.from('pos:-1').toString('base64url') }),
  'cursor: pos of 12 digits': gql('query($a: String) { devices(after: $a) { totalCount } }', { a: Buffer.from('pos:999999999999').toString('base64url') }),
  'cursor: standard base64 with padding': gql('query($a: String) { devices(after: $a) { totalCount } }', { a: `${Buffer.from('pos:1').toString('base64')}==` }),
  'cursor: 100,000 characters': gql('query($a: String) { devices(after: $a) { totalCount } }', { a: HUGE }),
  'cursor: unicode': gql('query($a: String) { devices(after: $a) { totalCount } }', { a: '😀\u202E' }),
  'cursor: null byte': gql('query($a: String) { devices(after: $a) { totalCount } }', { a: '\u0000' }),
  'cursor: a number': gql('query($a: String) { devices(after: $a) { totalCount } }', { a: 5 }),
  'nested cursor malformed': gql('query($a: String) { devices { edges { node { components(after: $a) { totalCount } } } } }', { a: 'zzz' }),
  'cursor far past the end': gql(
    'query($a: String) { devices(after: $a) { totalCount edges { cursor } } }',
    { a: encodeCursor(999_999_999) },
    KEYS.viewer,
    false,
  ),
  'hidden id through device()': gql('query($id: ID!) { device(id: $id) { id } }', { id: HIDDEN }, KEYS.analyst, false),
  'hidden id through node()': gql('query($id: ID!) { node(id: $id) { id } }', { id: HIDDEN }, KEYS.analyst, false),
  'hidden id through nodes()': gql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [HIDDEN, VISIBLE] }, KEYS.analyst, false),
  'hidden id through blastRadius()': gql('query($id: ID!) { blastRadius(componentId: $id) { __typename } }', { id: HIDDEN }, KEYS.analyst),
  'hidden id as link end': gql(
    'mutation($i: LinkInput!) { link(input: $i) { created } }',
    { i: { type: 'MAKES', fromId: VISIBLE, toId: HIDDEN } },
    KEYS.curatorRestricted,
  ),
  'hidden id to deleteNode': gql('mutation($id: ID!) { deleteNode(id: $id, detach: true) { id } }', { id: HIDDEN }, KEYS.adminRestricted),
  'hidden id reused by upsert': gql(
    'mutation($i: DeviceInput!) { upsertDevice(input: $i) { id } }',
    { i: { id: HIDDEN, name: 'overwrite', category: 'PHONE' } },
    KEYS.curatorRestricted,
  ),
  'ids: a number': gql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: 5 }, KEYS.viewer, false),
  'ids: null element': gql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [null] }),
  'ids: objects': gql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: [{ a: 1 }] }),
  'ids: 1000 ids': gql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: Array.from({ length: 1000 }, (_, i) => `x${i}`) }),
  'id: 100,000 characters': gql('query($id: ID!) { node(id: $id) { id } }', { id: HUGE }, KEYS.viewer, false),
  'required variable missing': gql('query($id: ID!) { node(id: $id) { id } }', {}),
  'required variable null': gql('query($id: ID!) { node(id: $id) { id } }', { id: null }),
  'enum variable unknown': gql('query($c: [DeviceCategory!]) { devices(filter: { categories: $c }) { totalCount } }', { c: ['PHON'] }),
  'enum variable lower-case': gql('query($c: [DeviceCategory!]) { devices(filter: { categories: $c }) { totalCount } }', { c: ['phone'] }),
  'input with an unknown field': gql('query($f: DeviceFilter) { devices(filter: $f) { totalCount } }', { f: { nope: 1 } }),
  'input with a __proto__ key': {
    request: { body: '{"query": "query($f: DeviceFilter) { devices(filter: $f) { totalCount } }", "variables": {"f": {"__proto__": {"nameContains": "x"}}}}' },
    key: KEYS.viewer,
    mustFail: false,
  },
  'input field of the wrong type': gql('query($f: DeviceFilter) { devices(filter: $f) { totalCount } }', { f: { nameContains: 5 } }),
  'date variable not a date': gql('query($d: Date) { certificationLineage(certificationId: "x", asOf: $d) { __typename } }', { d: '2024-13-45' }),
  'date variable far future': gql('query($d: Date) { certificationLineage(certificationId: "x", asOf: $d) { __typename } }', { d: '999999-01-01' }),
  'orderBy with an unknown field': gql('query($o: DeviceOrder) { devices(orderBy: $o) { totalCount } }', { o: { field: 'PASSWORD' } }),
  'upsert number out of range': gql(
    'mutation($i: ThreatInput!) { upsertThreat(input: $i) { id } }',
    { i: { id: `${prefix}t`, name: 'T', kind: 'OTHER', severity: 1e308 } },
    KEYS.curator,
  ),
  'upsert NaN-like number': gql(
    'mutation($i: ThreatInput!) { upsertThreat(input: $i) { id } }',
    { i: { id: `${prefix}t`, name: 'T', kind: 'OTHER', likelihood: 'NaN' } },
    KEYS.curator,
  ),
  'upsert 1001 platforms': gql(
    'mutation($i: ThreatInput!) { upsertThreat(input: $i) { id } }',
    { i: { id: `${prefix}t`, name: 'T', kind: 'OTHER', platforms: Array.from({ length: 1001 }, () => 'p') } },
    KEYS.curator,
  ),
  'upsert deviceCount negative': gql(
    'mutation($i: DeploymentInput!) { upsertDeployment(input: $i) { id } }',
    { i: { id: `${prefix}d`, name: 'D', deviceCount: -1 } },
    KEYS.curator,
  ),
  'link with an unknown type': gql(
    'mutation($i: LinkInput!) { link(input: $i) { created } }',
    { i: { type: 'DROP', fromId: VISIBLE, toId: VISIBLE } },
    KEYS.curator,
  ),
  'link to itself': gql(
    'mutation($i: LinkInput!) { link(input: $i) { created } }',
    { i: { type: 'DEPENDS_ON', fromId: VISIBLE, toId: VISIBLE } },
    KEYS.curator,
  ),
};

describe('hostile inputs: API', () => {
  let t: TestApp;
  let url: string;
  let before: string;

  beforeAll(async () => {
    t = await startTestApp();
    url = await t.app.listen(0, '127.0.0.1');
    await t.db.write(
      undefined,
      'hostile fixture',
      `CREATE (:Organization {id: $visible, name: 'Hostile corpus maker', kind: 'VENDOR', classification: 'UNCLASSIFIED', source: 'test'})
       CREATE (:Device {id: $hidden, name: 'Hostile corpus secret device', category: 'PHONE', classification: 'SECRET', source: 'test'})`,
      { visible: VISIBLE, hidden: HIDDEN },
    );
    before = await contentHash(t);
  });
  afterAll(async () => {
    await cleanup(t.db, prefix);
    await t.close();
  });

  const queryCases = stringArgumentCases('query');
  const mutationCases = stringArgumentCases('mutation');
  const all = (cases: Case[]) => cases.map((c) => [c.name, c] as [string, Case]);

  it('covers every string argument of every Query and Mutation field', () => {
    for (const kind of ['query', 'mutation'] as const) {
      const root = kind === 'query' ? schema.getQueryType() : schema.getMutationType();
      const cases = kind === 'query' ? queryCases : mutationCases;
      for (const [field, def] of Object.entries(root?.getFields() ?? {})) {
        for (const arg of def.args) {
          for (const leaf of stringLeaves(arg.type)) expect(cases.some((c) => c.name.startsWith(`${field}(${[arg.name, ...leaf].join('.')}) <-`))).toBe(true);
        }
      }
    }
    expect(queryCases.length + mutationCases.length + Object.keys(DOCUMENT_CASES).length + Object.keys(VARIABLE_CASES).length).toBeGreaterThanOrEqual(300);
  });

  describe.each([
    ['every string argument of every query', () => all(queryCases)],
    ['every string argument of every mutation (refused)', () => all(mutationCases)],
    ['documents', () => Object.entries(DOCUMENT_CASES).map(([name, c]) => [name, { name, ...c }] as [string, Case])],
    ['variables', () => Object.entries(VARIABLE_CASES).map(([name, c]) => [name, { name, ...c }] as [string, Case])],
  ])('%s', (_group, cases) => {
    it.each(cases())('%s', async (_name, c) => {
      const answer = await call(url, c.request, c.key);
      expect(violation(answer, c.mustFail)).toBe('');
    });

    it('left the database unchanged', async () => {
      expect(await contentHash(t)).toBe(before);
    });
  });
});
