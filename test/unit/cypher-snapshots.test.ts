/**
 * The generated Cypher, pinned: statement text and parameters of the filter compiler (filter
 * input -> conditions -> list statement), the look-ahead projection (nested fields compiled into
 * the root query) and every analytics query. A change of query shape shows up in review as a
 * snapshot diff (`npx jest -u test/unit/cypher-snapshots.test.ts` after checking it is meant).
 * What the statements return is tested against the real Neo4j in the integration tests.
 */
import { Kind, parse, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type OperationDefinitionNode } from 'graphql';
import neo4j from 'neo4j-driver';
import { LABELS, propertySpec, type Label } from '../../src/domain/model';
import { conditionsFor, FILTER_RULES, orderKey } from '../../src/graphql/filters';
import { planForConnection, planForNode } from '../../src/graphql/prefetch';
import { buildSchema } from '../../src/graphql/schema';
import {
  blastRadiusStatement,
  deploymentScopesByLevelStatement,
  deploymentScopesStatement,
  exposureStatement,
  lineageStatement,
  pathRowsStatement,
  sketchEdges,
  remediationStatement,
  riskPathsStatement,
  riskSubgraphStatement,
  whatIfNodesStatement,
  whatIfRelationshipsStatement,
  driftWhatIfStatement,
} from '../../src/store/analyticsStore';
import { linkEndsStatement, reachDeploymentsStatement, reachReleasesStatement } from '../../src/store/feedEmitters';
import { listStatement, neighborsStatement, nodeWithNestedStatement, type ListQuery } from '../../src/store/graphStore';
import type { Statement } from '../../src/store/statement';

const MARKINGS = ['UNCLASSIFIED', 'RESTRICTED'];

/** Parameters with driver values shown as text (dates as YYYY-MM-DD, integers as int(n)). */
function readable(value: unknown): unknown {
  if (neo4j.isInt(value)) return `int(${value.toString()})`;
  if (neo4j.isDate(value) || neo4j.isDateTime(value)) return `${value.constructor.name}(${value.toString()})`;
  if (Array.isArray(value)) return value.map(readable);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, readable(v)]));
  return value;
}

/** The statement as a snapshot: name, text with trailing spaces trimmed, readable parameters. */
function pinned(st: Statement): { name: string; cypher: string; params: unknown } {
  return {
    name: st.name,
    cypher: st.cypher
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n'),
    params: readable(st.params),
  };
}

function list(label: Label, filter: Record<string, unknown>, order?: string, descending = false): Statement {
  const q: ListQuery = { label, conditions: conditionsFor(label, filter), orderKey: orderKey(label, order), descending, offset: 0, limit: 20 };
  return listStatement(MARKINGS, q);
}

/** A sample value of the right type for a filter field. */
function sampleFor(label: Label, field: string): unknown {
  const rule = FILTER_RULES[label][field];
  if (!rule) throw new Error(field);
  if (rule.kind === 'related') return `other:${field}`;
  // relative to today: its window is tested in test/unit/filters.test.ts, not pinned in a snapshot
  if (rule.kind === 'withinDays') return undefined;
  const spec = propertySpec(label, rule.key);
  if (rule.kind === 'in' || rule.kind === 'anyIn') return [spec?.enum?.[0] ?? `${rule.key}-value`];
  switch (spec?.type) {
    case 'date':
      return '2024-06-30';
    case 'boolean':
      return true;
    case 'float':
    case 'int':
      return 7;
    default:
      return `${rule.key}-value`;
  }
}

describe('filter compiler', () => {
  it.each(LABELS.map((l) => [l]))('compiles every filter field of %s into one parameterized list statement', (label) => {
    const filter = Object.fromEntries(Object.keys(FILTER_RULES[label]).map((f) => [f, sampleFor(label, f)]));
    const st = list(label, { ...filter, ids: [`${label}:1`], nameContains: 'Ph', nameStartsWith: 'iP', classifications: ['RESTRICTED'] });
    expect(pinned(st)).toMatchSnapshot();
  });

  it('compiles the defaults (stale and revoked hidden), a false boolean and a descending order', () => {
    expect(pinned(list('Threat', {}, 'SEVERITY', true))).toMatchSnapshot('threat defaults, by severity desc');
    expect(pinned(list('Threat', { includeStale: true, includeRevoked: true }))).toMatchSnapshot('threat including stale and revoked');
    expect(pinned(list('Control', { withdrawn: false }, 'CONTROL_ID'))).toMatchSnapshot('control not withdrawn');
  });

  it('never puts a filter value in the statement text', () => {
    const hostile = `x"}) MATCH (n) DETACH DELETE n //`;
    const st = list('Device', { nameContains: hostile, nameStartsWith: hostile, madeBy: hostile, ids: [hostile] });
    expect(st.cypher).not.toContain('DETACH');
    expect(st.cypher).not.toContain(hostile.toLowerCase());
    expect(Object.values(st.params)).toEqual(expect.arrayContaining([hostile.toLowerCase(), hostile, [hostile]]));
  });
});

const schema = buildSchema();

/** A resolve info for the operation's first root field, as graphql-js would pass it. */
function infoFor(source: string): GraphQLResolveInfo {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const fragments = Object.fromEntries(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const root = operation?.selectionSet.selections[0] as FieldNode;
  const field = schema.getQueryType()?.getFields()[root.name.value];
  if (!operation || !field) throw new Error('bad test operation');
  return {
    schema,
    fragments,
    variableValues: {},
    fieldNodes: [root],
    returnType: field.type,
    operation,
    fieldName: root.name.value,
  } as unknown as GraphQLResolveInfo;
}

describe('look-ahead projection', () => {
  it('compiles a device with components, their vulnerabilities, and certifications with issuers into one statement', () => {
    const info = infoFor(`{ device(id: "device:x") {
      id name
      components(first: 60) { totalCount edges { via { role } node { id vulnerabilities(first: 20) { edges { node { id cvss } } } } } }
      certifications { edges { node { id issuer { id name } } } }
    } }`);
    expect(pinned(nodeWithNestedStatement(MARKINGS, 'Device', 'device:x', planForNode(info, 'Device')))).toMatchSnapshot();
  });

  it('compiles a filtered page of certifications with what each certifies (the query collection shape)', () => {
    const info = infoFor(`{ certifications(filter: { kinds: [CLEARANCE], statuses: [ACTIVE] }) {
      totalCount edges { node { id name status validUntil issuer { id name }
        certifies { totalCount edges { via { scope minOsVersion maxOsVersion } node { ... on Device { id name category maker { id name } } } } } } }
    } }`);
    const q: ListQuery = {
      label: 'Certification',
      conditions: conditionsFor('Certification', { kinds: ['CLEARANCE'], statuses: ['ACTIVE'] }),
      orderKey: 'name',
      descending: false,
      offset: 0,
      limit: 20,
    };
    expect(pinned(listStatement(MARKINGS, q, planForConnection(info, 'Certification', 20)))).toMatchSnapshot();
  });

  it('compiles the batched neighbour page (DataLoader) used beyond the look-ahead', () => {
    const st = neighborsStatement(
      MARKINGS,
      { parentLabel: 'Device', relationship: 'HAS_COMPONENT', direction: 'out', targetLabels: ['Component'], offset: 0, limit: 20 },
      ['device:a', 'device:b'],
    );
    expect(pinned(st)).toMatchSnapshot();
  });
});

describe('analytics queries', () => {
  it('riskPaths from a source to every device, and to a bound target (1 and 4 hops)', () => {
    expect(pinned(riskPathsStatement(MARKINGS, 'threat:t', null, 4, 1000))).toMatchSnapshot('from source, 4 hops');
    expect(pinned(riskPathsStatement(MARKINGS, 'threat:t', 'device:d', 4, 1000))).toMatchSnapshot('to target, 4 hops');
    expect(pinned(riskPathsStatement(MARKINGS, 'threat:t', 'device:d', 1, 1000))).toMatchSnapshot('to target, 1 hop');
  });

  it('exposure of a device (1 and 4 hops)', () => {
    expect(pinned(exposureStatement(MARKINGS, 'device:d', 4, 1000))).toMatchSnapshot('4 hops');
    expect(pinned(exposureStatement(MARKINGS, 'device:d', 1, 1000))).toMatchSnapshot('1 hop');
  });

  it("exposure's read of its best paths: edges in their stored direction, known nodes not read again, parallel routes once", () => {
    // threat -TARGETS-> component; threat -EXPLOITS-> vuln -AFFECTS-> component <-HAS_COMPONENT- device
    const direct = { nodeIds: ['threat:t', 'component:c', 'device:d'], relTypes: ['TARGETS', 'HAS_COMPONENT'] };
    const viaVuln = { nodeIds: ['threat:t', 'vuln:v', 'component:c', 'device:d'], relTypes: ['EXPLOITS', 'AFFECTS', 'HAS_COMPONENT'] };
    expect(sketchEdges(viaVuln)).toEqual([
      { fromId: 'threat:t', type: 'EXPLOITS', toId: 'vuln:v' },
      { fromId: 'vuln:v', type: 'AFFECTS', toId: 'component:c' },
      { fromId: 'device:d', type: 'HAS_COMPONENT', toId: 'component:c' },
    ]);
    const keys = new Map(['threat:t', 'vuln:v', 'component:c', 'device:d'].map((id) => [id, `4:x:${id}`]));
    const st = pathRowsStatement(MARKINGS, [direct, viaVuln], keys, new Set(['threat:t', 'device:d']));
    expect(st.params.nodes).toEqual(['4:x:component:c', '4:x:vuln:v']);
    // the HAS_COMPONENT edge both paths share is read once
    expect(st.params.edges).toHaveLength(4);
    expect(pinned(st)).toMatchSnapshot('best paths in full');
    expect(() => pathRowsStatement(MARKINGS, [direct], new Map(), new Set())).toThrow(/no element id/);
  });

  it('blastRadius, certificationLineage and scopeDrift (by organization and by deployment)', () => {
    expect(pinned(blastRadiusStatement(MARKINGS, 'component:c', 3, 1000))).toMatchSnapshot('blastRadius');
    expect(pinned(lineageStatement(MARKINGS, 'cert:c', 500))).toMatchSnapshot('certificationLineage');
    expect(pinned(deploymentScopesStatement(MARKINGS, { organizationId: 'org:o' }, 500))).toMatchSnapshot('scopeDrift by organization');
    expect(pinned(deploymentScopesStatement(MARKINGS, { deploymentId: 'deployment:d' }, 500))).toMatchSnapshot('scopeDrift by deployment');
    expect(pinned(remediationStatement(MARKINGS, 'deployment:d', 200))).toMatchSnapshot('remediation');
    expect(pinned(deploymentScopesByLevelStatement(['deployment:d'], 2000))).toMatchSnapshot('scopeDrift per clearance level (the feed)');
  });

  it('what-if reads: the ids an assumption names, the relationships it removes, the subgraph (down and up), the drift facts', () => {
    expect(pinned(whatIfNodesStatement(MARKINGS, ['control:c', 'deployment:d']))).toMatchSnapshot('what-if nodes');
    expect(pinned(whatIfRelationshipsStatement(MARKINGS, [{ type: 'HAS_COMPONENT', fromId: 'component:a', toId: 'component:b' }]))).toMatchSnapshot(
      'what-if relationships',
    );
    const plan = { seedIds: ['device:d', 'component:n'], sourceId: null, hops: 4, extraIds: ['control:c'], forwardVulnIds: [] };
    expect(pinned(riskSubgraphStatement(MARKINGS, { ...plan, direction: 'down' }, 5000))).toMatchSnapshot('what-if subgraph down');
    expect(pinned(riskSubgraphStatement(MARKINGS, { ...plan, direction: 'up', sourceId: 'threat:t', forwardVulnIds: ['v:1'] }, 5000))).toMatchSnapshot(
      'what-if subgraph up',
    );
    expect(pinned(driftWhatIfStatement(MARKINGS, ['deployment:d'], ['component:os']))).toMatchSnapshot('what-if drift');
    expect(() => riskSubgraphStatement(MARKINGS, { ...plan, direction: 'down', hops: 9 }, 10)).toThrow(RangeError);
  });

  it('refuses a hop bound outside the allowed range instead of writing it into the pattern', () => {
    expect(() => riskPathsStatement(MARKINGS, 'threat:t', null, 0, 10)).toThrow(RangeError);
    expect(() => exposureStatement(MARKINGS, 'device:d', 1.5, 10)).toThrow(RangeError);
    expect(() => blastRadiusStatement(MARKINGS, 'component:c', 99, 10)).toThrow(RangeError);
  });
});

describe('change feed reads of a bulk write', () => {
  it('reach of deployments and releases: each branch once over all the touched ids, not a subquery per id', () => {
    const drift = reachDeploymentsStatement(['cert:a', 'component:b'], 2000);
    expect(drift.cypher).not.toMatch(/CALL \(id\)/);
    expect(drift.cypher.match(/UNWIND \$ids AS id/g)).toHaveLength(12);
    expect(pinned(drift)).toMatchSnapshot('drift reach');
    const kev = reachReleasesStatement(['component:b'], 2000);
    expect(kev.cypher.match(/UNWIND \$ids AS id/g)).toHaveLength(4);
    expect(pinned(kev)).toMatchSnapshot('known-exploited reach');
  });

  it('ends of created claims: the links grouped by their end label, each keeping its index', () => {
    const st = linkEndsStatement([
      { type: 'CERTIFIES', fromId: 'cert:1', toId: 'component:m', toLabel: 'Component', classification: null },
      { type: 'SUPERSEDES', fromId: 'cert:2', toId: 'cert:1', toLabel: 'Certification', classification: 'RESTRICTED' },
      { type: 'CERTIFIES', fromId: 'cert:2', toId: 'device:d', toLabel: 'Device', classification: null },
      { type: 'CERTIFIES', fromId: 'cert:3', toId: 'component:n', toLabel: 'Component', classification: null },
    ]);
    expect(st.params.byLabel).toEqual({
      Certification: [{ i: 1, fromId: 'cert:2', toId: 'cert:1' }],
      Device: [{ i: 2, fromId: 'cert:2', toId: 'device:d' }],
      Component: [
        { i: 0, fromId: 'cert:1', toId: 'component:m' },
        { i: 3, fromId: 'cert:3', toId: 'component:n' },
      ],
    });
    expect(pinned(st)).toMatchSnapshot('link ends');
  });
});
