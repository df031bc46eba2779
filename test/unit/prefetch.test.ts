/**
 * The look-ahead planner (src/graphql/prefetch.ts) on real operations against the real schema:
 * which nested fields it compiles into the root query, with which windows, and where it stops.
 */
import { Kind, parse, type FieldNode, type FragmentDefinitionNode, type GraphQLResolveInfo, type OperationDefinitionNode } from 'graphql';
import type { Label } from '../../src/domain/model';
import { planForConnection, planForNode, PREFETCH_MAX_ROWS } from '../../src/graphql/prefetch';
import { buildSchema } from '../../src/graphql/schema';
import type { NestedPlan } from '../../src/store/graphStore';

const schema = buildSchema();

/** A resolve info for the operation's first root field, as graphql-js would pass it. */
function infoFor(source: string, variables: Record<string, unknown> = {}): GraphQLResolveInfo {
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
    variableValues: variables,
    fieldNodes: [root],
    returnType: field.type,
    operation,
    fieldName: root.name.value,
  } as unknown as GraphQLResolveInfo;
}

/** Plans as `key` or `key > [children]` strings, for readable expectations. */
function shape(plans: readonly NestedPlan[]): unknown[] {
  return plans.map((p) => (p.children.length > 0 ? { [p.key]: shape(p.children) } : p.key));
}

describe('prefetch planner', () => {
  it('plans a device with components, their vulnerabilities, and certifications with issuers as one tree', () => {
    const info = infoFor(`query($id: ID!) { device(id: $id) {
      id name
      components(first: 60) { totalCount edges { via { role } node { id vulnerabilities(first: 20) { edges { node { id } } } } } }
      certifications { edges { node { id issuer { id name } } } }
    } }`);
    const prefetch = planForNode(info, 'Device');
    const plans = prefetch.nested;
    expect(shape(plans)).toEqual([{ 'components|0|60': ['vulnerabilities|0|20'] }, { 'certifications|0|20': ['issuer|0|1'] }]);
    const components = plans[0];
    expect(components).toMatchObject({ relationship: 'HAS_COMPONENT', direction: 'out', targets: ['Component'], offset: 0, limit: 60 });
    expect(plans[1]?.children[0]).toMatchObject({ relationship: 'ISSUED_BY', direction: 'out', targets: ['Organization'], limit: 1 });
    // projections narrowed to what is read; totals counted only where asked
    expect(prefetch.properties).toEqual(['id', 'name', 'classification']);
    expect(components?.properties).toEqual(['id', 'name', 'classification']);
    expect(components?.countTotal).toBe(true);
    expect(components?.viaProperties).toEqual(['role']);
    expect(components?.children[0]?.viaProperties).toEqual([]);
    expect(components?.children[0]?.countTotal).toBe(false);
    expect(plans[1]?.countTotal).toBe(false);
    expect(plans[1]?.children[0]?.properties).toEqual(['id', 'name', 'classification']);
  });

  it('asks for provenance properties when provenance is read, and for all properties when a field it does not know is', () => {
    const info = infoFor(
      `{ device(id: "x") { category provenance { source } components { pageInfo { hasNextPage } edges { via { type provenance { source } } node { kind version } } } } }`,
    );
    const prefetch = planForNode(info, 'Device');
    expect(prefetch.properties).toEqual(['id', 'name', 'classification', 'category', 'source', 'sourceRef', 'assertedAt', 'assertedBy']);
    expect(prefetch.nested[0]).toMatchObject({
      countTotal: true,
      properties: ['id', 'name', 'classification', 'kind', 'version'],
      viaProperties: ['source', 'sourceRef', 'assertedAt', 'assertedBy'],
    });
    const plain = infoFor('{ devices { edges { node { id } } } }');
    expect(planForConnection(plain, 'Device', 20)).toEqual({ properties: ['id', 'name', 'classification'], nested: [] });
  });

  it('follows fragments and variables, honours @skip/@include, and merges aliases with the same window', () => {
    const info = infoFor(
      `query($first: Int, $skip: Boolean!, $include: Boolean!, $after: String) { devices(first: 5) { edges { node { ...D } } } }
       fragment D on Device {
         a: components(first: $first) { edges { node { id } } }
         b: components(first: $first) { totalCount }
         c: components(first: 3, after: $after) { totalCount }
         ... on Node { id }
         ... on Device { maker { id } }
         ... on Component { devices { totalCount } }
         threats @skip(if: $skip) { totalCount }
         deployments @include(if: $include) { totalCount }
         implementedControls @include(if: $skip) { totalCount }
       }`,
      { first: 7, skip: true, include: false, after: 'cG9zOjQ' },
    );
    expect(shape(planForConnection(info, 'Device', 5).nested)).toEqual(['components|0|7', 'components|4|3', 'maker|0|1', 'implementedControls|0|20']);
  });

  it('leaves out fields with invalid arguments (their resolver reports them) and stops below multi-label targets', () => {
    const info = infoFor(`{ certifications { edges { node {
      standards(first: 500) { totalCount }
      certifies(first: 5) { edges { node { ... on Device { components { totalCount } } } } }
    } } } }`);
    const plans = planForConnection(info, 'Certification', 20).nested;
    expect(shape(plans)).toEqual(['certifies|0|5']);
    expect(plans[0]?.targets).toEqual(['Device', 'Component']);
    expect(plans[0]?.properties).toBeNull(); // several labels possible: all properties
  });

  it('drops the deepest levels until the rows it may fetch fit the budget', () => {
    const deep = `{ devices(first: 100) { edges { node {
      components(first: 100) { edges { node {
        vulnerabilities(first: 100) { edges { node { exploitedBy(first: 100) { totalCount } } } } } } }
    } } } }`;
    const plans = planForConnection(infoFor(deep), 'Device', 100).nested;
    // 100 devices × 100 components fits; × 100 vulnerabilities each (1 000 000 rows) does not
    expect(shape(plans)).toEqual(['components|0|100']);
    expect(100 * 100).toBeLessThanOrEqual(PREFETCH_MAX_ROWS);

    const small = deep.replace(/first: 100/g, 'first: 5');
    expect(shape(planForConnection(infoFor(small), 'Device', 5).nested)).toEqual([{ 'components|0|5': [{ 'vulnerabilities|0|5': ['exploitedBy|0|5'] }] }]);
  });

  it('stops at the maximum depth and plans nothing for scalar-only selections', () => {
    const chain = `{ component(id: "x") { dependencies { edges { node { dependencies { edges { node {
      dependencies { edges { node { dependencies { edges { node { id } } } } } } } } } } } } } }`;
    const plans = planForNode(infoFor(chain), 'Component').nested;
    expect(shape(plans)).toEqual([{ 'dependencies|0|20': [{ 'dependencies|0|20': ['dependencies|0|20'] }] }]);
    const label: Label = 'Device';
    expect(planForNode(infoFor('{ device(id: "x") { id name category } }'), label).nested).toEqual([]);
  });
});
