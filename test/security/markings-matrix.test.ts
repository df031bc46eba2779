/**
 * The marking matrix: every query entry point of the schema (enumerated by walking the Query
 * type, so a new entry point without a case fails here) against every clearance level.
 * Nodes are seeded at every level with ids that carry their level (`lvlU`..`lvlS`); for each
 * caller the whole response is scanned for ids and markings above its clearance, list and
 * nested counts are compared with what it may see, and asking for a hidden id must answer
 * exactly as asking for an id that does not exist.
 */
import { randomUUID } from 'node:crypto';
import {
  getNamedType,
  getNullableType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { CLASSIFICATIONS, LABELS, RELATIONSHIPS, isLabel, type Classification, type Label, type RelationshipType } from '../../src/domain/model';
import { NESTED_FIELDS } from '../../src/graphql/nested';
import { buildSchema } from '../../src/graphql/schema';
import { ANALYST_KEYS_BY_CLEARANCE, cleanup, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import { draft, removeEvents, writeEvents } from '../helpers/feed';

/**
 * What each clearance may see, written out by hand (not computed with the implementation's
 * markingsVisibleTo, which test/unit/auth.test.ts checks against this same table).
 */
const VISIBLE: Record<Classification, Classification[]> = {
  UNCLASSIFIED: ['UNCLASSIFIED'],
  RESTRICTED: ['UNCLASSIFIED', 'RESTRICTED'],
  CONFIDENTIAL: ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL'],
  SECRET: ['UNCLASSIFIED', 'RESTRICTED', 'CONFIDENTIAL', 'SECRET'],
};
const markingsVisibleTo = (clearance: Classification): Classification[] => VISIBLE[clearance];

const TAG: Record<Classification, string> = { UNCLASSIFIED: 'lvlU', RESTRICTED: 'lvlR', CONFIDENTIAL: 'lvlC', SECRET: 'lvlS' };

const prefix = uniquePrefix('secmatrix');
const token = `zq${randomUUID().replace(/-/g, '').slice(0, 10)}`;

interface Seeded {
  id: string;
  label: Label;
  level: Classification;
}
const seeded: Seeded[] = [];
const rels: { type: RelationshipType; from: string; to: string; classification: Classification }[] = [];

function node(id: string, label: Label, level: Classification): string {
  if (!seeded.some((s) => s.id === id)) seeded.push({ id, label, level });
  return id;
}
const levelId = (level: Classification, label: Label) => node(`${prefix}${TAG[level]}-${label}`, label, level);
const hubId = (label: Label) => node(`${prefix}hub-${label}`, label, 'UNCLASSIFIED');
/** An UNCLASSIFIED node reached from a hub only through a SECRET relationship. */
const relSecretId = (label: Label) => node(`${prefix}rs-${label}`, label, 'UNCLASSIFIED');
const missingId = (label: string) => `${prefix}missing-${label}`;

function link(type: RelationshipType, from: string, to: string, classification: Classification = 'UNCLASSIFIED'): void {
  rels.push({ type, from, to, classification });
}

// Level nodes and, for every nested field, a hub linked to the level nodes and to an rs node.
for (const label of LABELS) {
  for (const level of CLASSIFICATIONS) levelId(level, label);
  hubId(label);
  for (const spec of Object.values(NESTED_FIELDS[label])) {
    for (const target of spec.targets) {
      const ends = (other: string): [string, string] => (spec.direction === 'out' ? [hubId(label), other] : [other, hubId(label)]);
      for (const level of CLASSIFICATIONS) link(spec.relationship, ...ends(levelId(level, target)));
      link(spec.relationship, ...ends(relSecretId(target)), 'SECRET');
    }
  }
}

// Analytics scenario: a threat and a vulnerability reach a device through a component at each level.
const ana = {
  threat: node(`${prefix}ana-Threat`, 'Threat', 'UNCLASSIFIED'),
  vulnerability: node(`${prefix}ana-Vulnerability`, 'Vulnerability', 'UNCLASSIFIED'),
  device: node(`${prefix}ana-Device`, 'Device', 'UNCLASSIFIED'),
  deployment: node(`${prefix}ana-Deployment`, 'Deployment', 'UNCLASSIFIED'),
  certification: node(`${prefix}ana-Certification`, 'Certification', 'UNCLASSIFIED'),
  componentVia: {} as Record<Classification, string>,
  certificationAt: {} as Record<Classification, string>,
  /** Visible component reached only through a SECRET TARGETS relationship. */
  secretEdgeComponent: node(`${prefix}rs-ana-Component`, 'Component', 'UNCLASSIFIED'),
};
for (const level of CLASSIFICATIONS) {
  const component = node(`${prefix}${TAG[level]}-ana-Component`, 'Component', level);
  ana.componentVia[level] = component;
  link('TARGETS', ana.threat, component);
  link('AFFECTS', ana.vulnerability, component);
  link('HAS_COMPONENT', ana.device, component);
  const cert = node(`${prefix}${TAG[level]}-ana-Certification`, 'Certification', level);
  ana.certificationAt[level] = cert;
  link('BASED_ON', ana.certification, cert);
  link('CERTIFIES', cert, ana.device);
}
link('TARGETS', ana.threat, ana.secretEdgeComponent, 'SECRET');
link('HAS_COMPONENT', ana.device, ana.secretEdgeComponent);
link('OF', ana.deployment, ana.device);

/**
 * Status history entries (issue 14) in a date range no other file uses: one per level on the
 * certification of that level, and one per level on the UNCLASSIFIED certification (an entry
 * above the caller's clearance on a certification they may see).
 */
const statusChanges = [
  ...CLASSIFICATIONS.map((level, i) => ({ certificationId: ana.certificationAt[level], level, effectiveFrom: `2091-0${i + 1}-01` })),
  ...CLASSIFICATIONS.map((level, i) => ({ certificationId: ana.certification, level, effectiveFrom: `2091-0${i + 5}-01` })),
].map((c) => ({ ...c, id: `status:${c.certificationId}:${c.effectiveFrom}:SUSPENDED` }));

const labelOf = new Map(seeded.map((s) => [s.id, s.label]));

async function seed(t: TestApp): Promise<void> {
  for (const label of LABELS) {
    const rows = seeded
      .filter((s) => s.label === label)
      .map((s) => ({
        id: s.id,
        name: `${token} ${s.id.slice(prefix.length)}`,
        classification: s.level,
        source: 'test',
        ...(label === 'Certification' ? { status: 'ACTIVE' } : {}),
      }));
    await t.db.write(undefined, 'seed marking matrix nodes', `UNWIND $rows AS row CREATE (n:${label}) SET n = row`, { rows });
  }
  const groups = new Map<string, { type: RelationshipType; fromLabel: Label; toLabel: Label; rows: { from: string; to: string; classification: string }[] }>();
  for (const r of rels) {
    const fromLabel = labelOf.get(r.from);
    const toLabel = labelOf.get(r.to);
    if (!fromLabel || !toLabel) throw new Error(`unseeded end of ${r.type}`);
    const key = `${r.type}:${fromLabel}:${toLabel}`;
    const group = groups.get(key) ?? { type: r.type, fromLabel, toLabel, rows: [] };
    group.rows.push({ from: r.from, to: r.to, classification: r.classification });
    groups.set(key, group);
  }
  for (const g of groups.values()) {
    await t.db.write(
      undefined,
      'seed marking matrix relationships',
      `UNWIND $rows AS row MATCH (a:${g.fromLabel} {id: row.from}) MATCH (b:${g.toLabel} {id: row.to})
       MERGE (a)-[r:${RELATIONSHIPS[g.type].type}]->(b) SET r.classification = row.classification, r.source = 'test'`,
      { rows: g.rows },
    );
  }
  await t.db.write(
    undefined,
    'seed marking matrix status changes',
    `UNWIND $rows AS row MATCH (c:Certification {id: row.certificationId})
     CREATE (c)-[:HAS_STATUS_CHANGE]->(s:StatusChange {id: row.id, status: 'SUSPENDED', effectiveFrom: date(row.effectiveFrom), reason: $token,
       recordedAt: datetime(), source: 'test', classification: row.level})`,
    { rows: statusChanges, token },
  );
  // change-feed events (issue 15), one per level, about the certification of that level
  await writeEvents(
    t.db,
    CLASSIFICATIONS.map((level) => draft(ana.certificationAt[level], { classification: level, summary: `${token} event`, source: 'test' })),
  );
}

// ------------------------------------------------------------------ checks

type Result = Awaited<ReturnType<TestApp['run']>>;

function hiddenLevels(clearance: Classification): Classification[] {
  return CLASSIFICATIONS.filter((l) => !markingsVisibleTo(clearance).includes(l));
}

/** Nothing above the clearance anywhere in the response: no id tagged with a hidden level, no hidden marking. */
function expectNoLeak(result: Result, clearance: Classification, what: string): void {
  const text = JSON.stringify({ data: result.data, errors: result.errors });
  for (const level of hiddenLevels(clearance)) {
    expect({ what, leak: text.includes(`${prefix}${TAG[level]}`) }).toEqual({ what, leak: false });
    expect({ what, marking: text.includes(`"${level}"`) }).toEqual({ what, marking: false });
  }
}

function expectNoErrors(result: Result, what: string): void {
  expect({ what, errors: result.errors ?? [] }).toEqual({ what, errors: [] });
}

const visibleSeeded = (clearance: Classification, filter: (s: Seeded) => boolean) =>
  seeded
    .filter((s) => filter(s) && markingsVisibleTo(clearance).includes(s.level))
    .map((s) => s.id)
    .sort();

/** Same answer for a hidden id as for a missing one, once the id itself is masked. */
/** The answer with the id asked for masked, and without stack traces (they name the test's own call site). */
function normalise(result: Result, id: string): string {
  const errors = result.errors?.map((e) => {
    const { stacktrace: _stack, ...extensions } = e.extensions ?? {};
    return { ...e, extensions };
  });
  return JSON.stringify({ data: result.data, errors }).split(id).join('<ID>');
}

interface Ctx {
  t: TestApp;
  clearance: Classification;
  run: (query: string, variables?: Record<string, unknown>) => Promise<Result>;
}

interface MatrixCase {
  /** Entry points taking one id: the query (variable $id) and the label whose level node to pass. */
  byId?: { label: Label; query: string; expectFound?: (data: Record<string, unknown> | null | undefined) => boolean };
  /** Visibility check of the entry point's content for the caller. */
  check?: (c: Ctx) => Promise<void>;
}

const NODE_FIELDS = '... on Node { id classification }';

const ours = (ids: string[]) => [...new Set(ids.filter((id) => id.startsWith(prefix)))].sort();

function lookupCase(label: Label, field: string): MatrixCase {
  return {
    byId: { label, query: `query($id: ID!) { ${field}(id: $id) { id classification } }`, expectFound: (d) => (d?.[field] ?? null) !== null },
  };
}

function listCase(label: Label, field: string): MatrixCase {
  return {
    check: async ({ run, clearance }) => {
      const r = await run(
        `query($text: String!) { ${field}(filter: { nameContains: $text }, first: 100) { totalCount edges { node { id classification } } } }`,
        { text: token },
      );
      expectNoErrors(r, field);
      expectNoLeak(r, clearance, field);
      const conn = (r.data as Record<string, { totalCount: number; edges: { node: { id: string } }[] }>)[field];
      const expected = visibleSeeded(clearance, (s) => s.label === label);
      expect({ field, ids: conn?.edges.map((e) => e.node.id).sort(), totalCount: conn?.totalCount }).toEqual({
        field,
        ids: expected,
        totalCount: expected.length,
      });
    },
  };
}

/** Cases that are not plain lookups or lists: every such Query field needs one here. */
const CUSTOM_CASES: Record<string, MatrixCase> = {
  node: {
    byId: { label: 'Device', query: `query($id: ID!) { node(id: $id) { ${NODE_FIELDS} } }`, expectFound: (d) => (d?.node ?? null) !== null },
    check: async ({ run, clearance }) => {
      // Every label at every level, through the same loader as node(id).
      const ids = LABELS.flatMap((label) => CLASSIFICATIONS.map((level) => levelId(level, label)));
      const r = await run(`query($ids: [ID!]!) { nodes(ids: $ids) { ${NODE_FIELDS} } }`, { ids });
      expectNoErrors(r, 'node');
      expectNoLeak(r, clearance, 'node');
      const got = (r.data as { nodes: ({ id: string } | null)[] }).nodes.map((n) => n?.id ?? null);
      expect(got).toEqual(ids.map((id) => (visibleSeeded(clearance, (s) => s.id === id).length === 1 ? id : null)));
    },
  },
  nodes: {
    check: async ({ run, clearance }) => {
      const ids = [...CLASSIFICATIONS.map((l) => levelId(l, 'Component')), missingId('Component')];
      const r = await run(`query($ids: [ID!]!) { nodes(ids: $ids) { ${NODE_FIELDS} } }`, { ids });
      expectNoErrors(r, 'nodes');
      expectNoLeak(r, clearance, 'nodes');
      const got = (r.data as { nodes: ({ id: string } | null)[] }).nodes.map((n) => n?.id ?? null);
      expect(got).toEqual([...CLASSIFICATIONS.map((l) => (markingsVisibleTo(clearance).includes(l) ? levelId(l, 'Component') : null)), null]);
    },
  },
  search: {
    check: async ({ run, clearance }) => {
      const r = await run(`query($text: String!) { search(text: $text, first: 100) { label node { ${NODE_FIELDS} } } }`, { text: token });
      expectNoErrors(r, 'search');
      expectNoLeak(r, clearance, 'search');
      const hits = (r.data as { search: { node: { id: string } }[] }).search.map((h) => h.node.id).sort();
      expect(hits).toEqual(visibleSeeded(clearance, () => true));
    },
  },
  riskPaths: {
    byId: { label: 'Threat', query: 'query($id: ID!) { riskPaths(from: $id, maxHops: 1) { totalCount paths { score } } }' },
    check: async ({ run, clearance }) => {
      const r = await run(
        `query($from: ID!, $to: ID) { riskPaths(from: $from, to: $to, maxHops: 3, first: 50) {
          totalCount truncated source { ${NODE_FIELDS} }
          paths { target { ${NODE_FIELDS} } path { nodes { ${NODE_FIELDS} } edges { type relationship { classification } from { ${NODE_FIELDS} } to { ${NODE_FIELDS} } } }
                  steps { node { ${NODE_FIELDS} } controls { control { id classification } threat { id classification } } } } } }`,
        { from: ana.threat, to: ana.device },
      );
      expectNoErrors(r, 'riskPaths');
      expectNoLeak(r, clearance, 'riskPaths');
      const result = (r.data as { riskPaths: { totalCount: number; paths: { path: { nodes: { id: string }[] } }[] } }).riskPaths;
      const middles = result.paths.map((p) => p.path.nodes[1]?.id ?? '').sort();
      const expected = [...markingsVisibleTo(clearance).map((l) => ana.componentVia[l]), ...(clearance === 'SECRET' ? [ana.secretEdgeComponent] : [])].sort();
      expect({ middles, totalCount: result.totalCount }).toEqual({ middles: expected, totalCount: expected.length });
    },
  },
  exposure: {
    byId: { label: 'Device', query: 'query($id: ID!) { exposure(deviceId: $id) { score threats { pathCount } } }' },
    check: async ({ run, clearance }) => {
      const r = await run(
        `query($id: ID!) { exposure(deviceId: $id, maxHops: 3) { score device { id classification }
          threats { threat { id classification } pathCount mitigatedPathCount unmitigatedPathCount bestPath { path { nodes { ${NODE_FIELDS} } } } } } }`,
        { id: ana.device },
      );
      expectNoErrors(r, 'exposure');
      expectNoLeak(r, clearance, 'exposure');
      const threats = (r.data as { exposure: { threats: { threat: { id: string }; pathCount: number }[] } }).exposure.threats.filter(
        (x) => x.threat.id === ana.threat,
      );
      const expectedPaths = markingsVisibleTo(clearance).length + (clearance === 'SECRET' ? 1 : 0);
      expect(threats.map((x) => x.pathCount)).toEqual([expectedPaths]);
    },
  },
  blastRadius: {
    byId: { label: 'Vulnerability', query: 'query($id: ID!) { blastRadius(vulnerabilityId: $id) { truncated devices { hops } } }' },
    check: async ({ run, clearance }) => {
      const hit = `{ node { ${NODE_FIELDS} } hops path { nodes { ${NODE_FIELDS} } edges { relationship { classification } } } }`;
      const r = await run(
        `query($id: ID!) { blastRadius(vulnerabilityId: $id, maxHops: 4) { source { ${NODE_FIELDS} } devices ${hit} deployments ${hit} components ${hit}
          certifications { certification { id classification } affectedAsset { ${NODE_FIELDS} } path { nodes { ${NODE_FIELDS} } } } } }`,
        { id: ana.vulnerability },
      );
      expectNoErrors(r, 'blastRadius');
      expectNoLeak(r, clearance, 'blastRadius');
      const br = (r.data as { blastRadius: { components: { node: { id: string } }[]; certifications: { certification: { id: string } }[] } }).blastRadius;
      const components = br.components.map((c) => c.node.id).filter((id) => id.includes('-ana-Component'));
      expect(ours(components)).toEqual(
        markingsVisibleTo(clearance)
          .map((l) => ana.componentVia[l])
          .sort(),
      );
      expect(ours(br.certifications.map((c) => c.certification.id))).toEqual(
        markingsVisibleTo(clearance)
          .map((l) => ana.certificationAt[l])
          .sort(),
      );
    },
  },
  certificationLineage: {
    byId: { label: 'Certification', query: 'query($id: ID!) { certificationLineage(certificationId: $id, asOf: "2026-01-01") { holds entries { depth } } }' },
    check: async ({ run, clearance }) => {
      const r = await run(
        `query($id: ID!) { certificationLineage(certificationId: $id, asOf: "2026-01-01") { holds root { id classification }
          entries { certification { id classification } findings { relatedCertification { id classification } } }
          links { from { id classification } to { id classification } } } }`,
        { id: ana.certification },
      );
      expectNoErrors(r, 'certificationLineage');
      expectNoLeak(r, clearance, 'certificationLineage');
      const entries = (r.data as { certificationLineage: { entries: { certification: { id: string } }[] } }).certificationLineage.entries
        .map((e) => e.certification.id)
        .sort();
      expect(entries).toEqual([ana.certification, ...markingsVisibleTo(clearance).map((l) => ana.certificationAt[l])].sort());
    },
  },
  scopeDrift: {
    byId: { label: 'Deployment', query: 'query($id: ID!) { scopeDrift(deploymentId: $id) { driftingCount deployments { inScope } } }' },
    check: async ({ run, clearance }) => {
      const r = await run(
        `query($id: ID!) { scopeDrift(deploymentId: $id, asOf: "2026-01-01") { driftingCount deployments { deployment { id classification } device { id classification }
          osRelease { id classification } coveredBy { id classification } findings { certification { id classification } control { id classification } } } } }`,
        { id: ana.deployment },
      );
      expectNoErrors(r, 'scopeDrift');
      expectNoLeak(r, clearance, 'scopeDrift');
      const deployments = (r.data as { scopeDrift: { deployments: { coveredBy: { id: string }[] }[] } }).scopeDrift.deployments;
      expect(deployments.map((d) => d.coveredBy.map((c) => c.id).sort())).toEqual([
        markingsVisibleTo(clearance)
          .map((l) => ana.certificationAt[l])
          .sort(),
      ]);
    },
  },
  certificationEvents: {
    check: async ({ run, clearance }) => {
      const ids = CLASSIFICATIONS.map((level) => ana.certificationAt[level]);
      const r = await run(
        `query($ids: [ID!]) { certificationEvents(first: 100, filter: { certificationIds: $ids }) {
          edges { node { sequence type classification certificationIds summary } } } }`,
        { ids },
      );
      expectNoErrors(r, 'certificationEvents');
      expectNoLeak(r, clearance, 'certificationEvents');
      const got = (r.data as { certificationEvents: { edges: { node: { certificationIds: string[] } }[] } }).certificationEvents.edges.map(
        (e) => e.node.certificationIds[0] ?? '',
      );
      expect(got.sort()).toEqual(
        markingsVisibleTo(clearance)
          .map((level) => ana.certificationAt[level])
          .sort(),
      );
    },
  },
  watches: {
    check: async ({ run, clearance }) => {
      // watches are a curator's own (createWatch); an analyst at any clearance is refused and sees none
      const r = await run('{ watches { id url } }');
      expectNoLeak(r, clearance, 'watches');
      expect({ data: r.data ?? null, codes: (r.errors ?? []).map((e) => e.extensions?.code) }).toEqual({ data: null, codes: ['FORBIDDEN'] });
    },
  },
  certificationStatusChanges: {
    check: async ({ run, clearance }) => {
      const r = await run(
        `{ certificationStatusChanges(from: "2091-01-01", to: "2091-12-31", first: 500) {
          totalCount items { certification { id classification } change { id status effectiveFrom classification reason } } } }`,
      );
      expectNoErrors(r, 'certificationStatusChanges');
      expectNoLeak(r, clearance, 'certificationStatusChanges');
      const list = (r.data as { certificationStatusChanges: { totalCount: number; items: { change: { id: string } }[] } }).certificationStatusChanges;
      const visible = markingsVisibleTo(clearance);
      const expected = statusChanges
        .filter((c) => visible.includes(c.level) && visible.includes(seeded.find((s) => s.id === c.certificationId)?.level ?? 'SECRET'))
        .map((c) => c.id)
        .sort();
      const got = list.items.map((i) => i.change.id).filter((id) => id.includes(prefix));
      expect({ got: [...got].sort(), totalCount: list.totalCount }).toEqual({ got: expected, totalCount: expected.length });
    },
  },
  remediation: {
    byId: { label: 'Deployment', query: 'query($id: ID!) { remediation(deploymentId: $id) { explanation } }' },
    check: async ({ run, clearance }) => {
      const r = await run(
        `query($id: ID!) { remediation(deploymentId: $id, asOf: "2026-01-01") { deployment { id classification } osRelease { id classification } knownExploited { id classification }
          candidates { release { id classification } stillAffectedBy { id classification } } lowestFix { id classification } certifications { certification { id classification } } } }`,
        { id: ana.deployment },
      );
      expectNoErrors(r, 'remediation');
      expectNoLeak(r, clearance, 'remediation');
      const certs = (r.data as { remediation: { certifications: { certification: { id: string } }[] } }).remediation.certifications
        .map((c) => c.certification.id)
        .sort();
      expect(certs).toEqual(
        markingsVisibleTo(clearance)
          .map((l) => ana.certificationAt[l])
          .sort(),
      );
    },
  },
};

/** A plain lookup: one `id: ID!` argument, returning one of the node types. */
function asLookup(field: GraphQLField<unknown, unknown>): Label | undefined {
  const type = getNullableType(field.type);
  const args = field.args.map((a) => a.name);
  return isObjectType(type) && isLabel(type.name) && args.length === 1 && args[0] === 'id' ? type.name : undefined;
}

/** A plain list: returns `<Label>Connection` and takes a filter. */
function asList(field: GraphQLField<unknown, unknown>): Label | undefined {
  const name = getNamedType(field.type).name;
  const label = name.replace(/Connection$/, '');
  const candidate = LABELS.find((l) => l === label);
  return name.endsWith('Connection') && candidate && field.args.some((a) => a.name === 'filter') ? candidate : undefined;
}

function casesFor(schema: GraphQLSchema): { cases: Map<string, MatrixCase>; missing: string[] } {
  const query = schema.getQueryType();
  if (!query) throw new Error('schema has no Query type');
  const cases = new Map<string, MatrixCase>();
  const missing: string[] = [];
  for (const field of Object.values(query.getFields())) {
    const custom = CUSTOM_CASES[field.name];
    const lookup = asLookup(field);
    const list = asList(field);
    if (custom) cases.set(field.name, custom);
    else if (lookup) cases.set(field.name, lookupCase(lookup, field.name));
    else if (list) cases.set(field.name, listCase(list, field.name));
    else missing.push(field.name);
  }
  return { cases, missing };
}

/** Nested fields of a node type (connections and single related nodes), from the schema. */
function nestedFieldsOf(type: GraphQLObjectType): { name: string; single: boolean }[] {
  const out: { name: string; single: boolean }[] = [];
  for (const field of Object.values(type.getFields())) {
    const named = getNamedType(field.type);
    if (named.name.endsWith('Connection')) out.push({ name: field.name, single: false });
    else if ((isObjectType(named) && isLabel(named.name)) || isUnionType(named) || (isInterfaceType(named) && named.name === 'Node'))
      out.push({ name: field.name, single: true });
  }
  return out;
}

describe('markings matrix: every query entry point at every clearance', () => {
  let t: TestApp;
  const schema = buildSchema();
  const { cases, missing } = casesFor(schema);

  beforeAll(async () => {
    t = await startTestApp();
    await seed(t);
  }, 300000);
  afterAll(async () => {
    await removeEvents(t.db, prefix);
    await cleanup(t.db, prefix);
    await t.close();
  });

  it('has a case for every Query field of the schema (add one to CUSTOM_CASES for a new entry point)', () => {
    expect(missing).toEqual([]);
    expect(cases.size).toBe(Object.keys(schema.getQueryType()?.getFields() ?? {}).length);
  });

  it('has a seeded relationship for every nested field of every node type', () => {
    const unseeded: string[] = [];
    for (const label of LABELS) {
      const type = schema.getType(label);
      if (!isObjectType(type)) throw new Error(`${label} is not an object type`);
      for (const f of nestedFieldsOf(type)) if (!NESTED_FIELDS[label][f.name]) unseeded.push(`${label}.${f.name}`);
    }
    expect(unseeded).toEqual([]);
  });

  describe.each(CLASSIFICATIONS.map((c) => [c]))('caller with %s clearance', (clearance: Classification) => {
    const ctx = (): Ctx => ({ t, clearance, run: (q, v) => t.run(q, v ?? {}, ANALYST_KEYS_BY_CLEARANCE[clearance]) });

    it.each([...cases.keys()].map((k) => [k]))('%s shows nothing above the clearance', async (name: string) => {
      const c = cases.get(name);
      if (!c) throw new Error(`no case ${name}`);
      const run = ctx().run;
      let checked = 0;
      if (c.byId) {
        const { label, query, expectFound } = c.byId;
        const missingAnswer = await run(query, { id: missingId(label) });
        for (const level of CLASSIFICATIONS) {
          const id = levelId(level, label);
          const r = await run(query, { id });
          if (markingsVisibleTo(clearance).includes(level)) {
            expectNoLeak(r, clearance, name);
            expect({ name, level, errors: (r.errors ?? []).map((e) => e.extensions?.code) }).toEqual({ name, level, errors: [] });
            if (expectFound) expect({ name, level, found: expectFound(r.data as Record<string, unknown>) }).toEqual({ name, level, found: true });
          } else {
            // The id asked for may be echoed (as for a missing id); nothing else may show.
            const normalised = JSON.parse(normalise(r, id)) as Pick<typeof r, 'data' | 'errors'>;
            expectNoLeak({ ...r, data: normalised.data, errors: normalised.errors }, clearance, name);
            expect({ name, level, answer: normalise(r, id) }).toEqual({ name, level, answer: normalise(missingAnswer, missingId(label)) });
          }
          checked += 1;
        }
      }
      if (c.check) {
        await c.check(ctx());
        checked += 1;
      }
      expect(checked).toBeGreaterThan(0);
    });

    it('nested connections and single related nodes show only visible nodes through visible relationships, with matching totalCount', async () => {
      for (const label of LABELS) {
        const type = schema.getType(label);
        if (!isObjectType(type)) throw new Error(`${label} is not an object type`);
        const fields = nestedFieldsOf(type);
        const selection = fields
          .map((f) => (f.single ? `${f.name} { ${NODE_FIELDS} }` : `${f.name} { totalCount edges { node { ${NODE_FIELDS} } via { classification } } }`))
          .join(' ');
        const r = await ctx().run(`query($id: ID!) { node(id: $id) { ... on ${label} { ${selection} } } }`, { id: hubId(label) });
        expectNoErrors(r, `${label} nested`);
        expectNoLeak(r, clearance, `${label} nested`);
        const hub = (r.data as { node: Record<string, unknown> }).node;
        for (const f of fields) {
          const spec = NESTED_FIELDS[label][f.name];
          if (!spec) throw new Error(`no seeding for ${label}.${f.name}`);
          const expected = [
            ...spec.targets.flatMap((target) => markingsVisibleTo(clearance).map((l) => levelId(l, target))),
            ...(clearance === 'SECRET' ? spec.targets.map((target) => relSecretId(target)) : []),
          ].sort();
          const value = hub[f.name];
          if (f.single) {
            const id = (value as { id: string } | null)?.id;
            expect({ field: `${label}.${f.name}`, visible: id !== undefined && expected.includes(id) }).toEqual({ field: `${label}.${f.name}`, visible: true });
          } else {
            const conn = value as { totalCount: number; edges: { node: { id: string } }[] };
            expect({ field: `${label}.${f.name}`, ids: conn.edges.map((e) => e.node.id).sort(), totalCount: conn.totalCount }).toEqual({
              field: `${label}.${f.name}`,
              ids: expected,
              totalCount: expected.length,
            });
          }
        }
      }
    });
  });
});
