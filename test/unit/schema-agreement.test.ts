/**
 * The SDL, the domain model and the filter/order/role tables must agree in both directions: a
 * value, field or property added on one side only fails here, not in production.
 */
import { buildASTSchema, GraphQLEnumType, GraphQLInputObjectType, GraphQLObjectType, parse, type GraphQLSchema } from 'graphql';
import { buildSchema, loadTypeDefs } from '../../src/graphql/schema';
import { AccessTableError, applyFieldRoles, FIELD_ROLES } from '../../src/graphql/access';
import { FILTER_RULES, ORDER_KEYS } from '../../src/graphql/filters';
import {
  CERTIFICATION_KINDS,
  CERTIFICATION_STATUSES,
  CLASSIFICATIONS,
  COMMON_NODE_PROPERTIES,
  COMPONENT_KINDS,
  DEVICE_CATEGORIES,
  LABELS,
  NODE_PROPERTIES,
  ORGANIZATION_KINDS,
  RELATIONSHIP_TYPES,
  THREAT_KINDS,
  VEX_STATES,
} from '../../src/domain/model';
import { IMPORT_FORMATS } from '../../src/importers/types';
import { DomainError } from '../../src/domain/errors';
import type { GraphQLContext } from '../../src/graphql/context';
import codegenConfig from '../../codegen';

const sdl: GraphQLSchema = buildASTSchema(parse(loadTypeDefs().join('\n')));

function enumValues(name: string): string[] {
  const type = sdl.getType(name);
  if (!(type instanceof GraphQLEnumType)) throw new Error(`${name} is not an enum in the SDL`);
  return type
    .getValues()
    .map((v) => v.name)
    .sort();
}

function inputFields(name: string): string[] {
  const type = sdl.getType(name);
  if (!(type instanceof GraphQLInputObjectType)) throw new Error(`${name} is not an input type in the SDL`);
  return Object.keys(type.getFields()).sort();
}

const sorted = (values: readonly string[]): string[] => [...values].sort();

describe('SDL enums and domain enums', () => {
  const pairs: [string, readonly string[]][] = [
    ['Classification', CLASSIFICATIONS],
    ['OrganizationKind', ORGANIZATION_KINDS],
    ['DeviceCategory', DEVICE_CATEGORIES],
    ['ComponentKind', COMPONENT_KINDS],
    ['CertificationKind', CERTIFICATION_KINDS],
    ['CertificationStatus', CERTIFICATION_STATUSES],
    ['ThreatKind', THREAT_KINDS],
    ['VexState', VEX_STATES],
    ['NodeLabel', LABELS],
    ['RelationshipType', RELATIONSHIP_TYPES],
    ['ImportFormat', IMPORT_FORMATS],
  ];
  it.each(pairs)('%s has exactly the domain values', (name, values) => {
    expect(enumValues(name)).toEqual(sorted(values));
  });
});

describe('filter rules and the <Label>Filter inputs', () => {
  const COMMON_FILTER_FIELDS = ['ids', 'nameContains', 'nameStartsWith', 'classifications', 'includeStale'];
  it.each(LABELS.map((l) => [l]))('%sFilter has the common fields plus exactly the rules of FILTER_RULES', (label) => {
    const extra = label === 'Threat' ? ['includeRevoked'] : [];
    expect(inputFields(`${label}Filter`)).toEqual(sorted([...COMMON_FILTER_FIELDS, ...extra, ...Object.keys(FILTER_RULES[label])]));
  });
  it.each(LABELS.map((l) => [l]))('every %s filter rule on a property names a property of the model', (label) => {
    const known = new Set([...Object.keys(COMMON_NODE_PROPERTIES), ...Object.keys(NODE_PROPERTIES[label])]);
    for (const rule of Object.values(FILTER_RULES[label]))
      if (rule.kind !== 'related') expect(known.has(rule.key) ? rule.key : `missing ${rule.key}`).toBe(rule.key);
  });
});

describe('order keys and the <Label>OrderField enums', () => {
  it.each(LABELS.map((l) => [l]))('%sOrderField is NAME, ID and exactly the keys of ORDER_KEYS, each a model property', (label) => {
    expect(enumValues(`${label}OrderField`)).toEqual(sorted(['NAME', 'ID', ...Object.keys(ORDER_KEYS[label])]));
    for (const key of Object.values(ORDER_KEYS[label])) expect(Object.keys(NODE_PROPERTIES[label])).toContain(key);
  });
});

describe('node properties and the SDL object types', () => {
  it.each(LABELS.map((l) => [l]))('every model property of %s is a field of the GraphQL type', (label) => {
    const type = sdl.getType(label);
    if (!(type instanceof GraphQLObjectType)) throw new Error(`${label} is not an object type`);
    const fields = Object.keys(type.getFields());
    for (const property of Object.keys(NODE_PROPERTIES[label])) expect(fields).toContain(property);
  });
});

describe('the role table', () => {
  it('covers every Mutation field and names only fields the schema has', () => {
    const mutationFields = Object.keys(sdl.getMutationType()?.getFields() ?? {}).sort();
    expect(sorted(Object.keys(FIELD_ROLES.Mutation))).toEqual(mutationFields);
    const queryFields = Object.keys(sdl.getQueryType()?.getFields() ?? {});
    for (const field of Object.keys(FIELD_ROLES.Query)) expect(queryFields).toContain(field);
  });

  it('refuses a schema whose mutation has no entry, or a table naming a field that does not exist', () => {
    const extra = buildASTSchema(parse('type Query { a: Int } type Mutation { doIt: Int }'));
    expect(() => applyFieldRoles(extra, { Query: {}, Mutation: {} })).toThrow(AccessTableError);
    const ok = buildASTSchema(parse('type Query { a: Int } type Mutation { doIt: Int }'));
    expect(() => applyFieldRoles(ok, { Query: { b: 'analyst' }, Mutation: { doIt: 'curator' } })).toThrow(/Query\.b/);
  });

  it('checks the role before the resolver runs', () => {
    const schema = buildSchema();
    const field = schema.getMutationType()?.getFields().deleteNode;
    if (!field?.resolve) throw new Error('deleteNode has no resolver');
    const ctx = { caller: { id: 'curator-1', roles: ['viewer', 'analyst', 'curator'], clearance: 'SECRET' } } as unknown as GraphQLContext;
    let thrown: unknown;
    try {
      // The resolver itself would need a database: reaching it would fail differently.
      void field.resolve({}, { id: 'x', detach: false }, ctx, {} as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).kind).toBe('FORBIDDEN');
    expect((thrown as DomainError).message).toMatch(/needs the admin role/);
  });
});

describe('codegen mappers and the labels (one row type per label, src/store/rows.ts)', () => {
  const output = codegenConfig.generates['src/graphql/generated/resolvers-types.ts'];
  const mappers: Record<string, unknown> =
    output && typeof output === 'object' && 'config' in output && typeof output.config?.mappers === 'object'
      ? (output.config.mappers as Record<string, unknown>)
      : {};

  it('maps every SDL object type of a label to its own row, and every SDL type named in the mappers exists', () => {
    const labelTypes = Object.values(sdl.getTypeMap()).filter((t) => t instanceof GraphQLObjectType && (LABELS as readonly string[]).includes(t.name));
    expect(sorted(labelTypes.map((t) => t.name))).toEqual(sorted(LABELS));
    for (const label of LABELS) expect([label, mappers[label]]).toEqual([label, `../../store/rows#${label}Row`]);
    expect(mappers.Node).toBe('../../store/rows#NodeRow');
    expect(mappers.Asset).toBe('../../store/rows#AssetRow');
    for (const name of Object.keys(mappers)) expect([name, sdl.getType(name) !== undefined]).toEqual([name, true]);
  });

  it('maps every SDL object type implementing Node (each is a label)', () => {
    const implementors = Object.values(sdl.getTypeMap()).filter((t) => t instanceof GraphQLObjectType && t.getInterfaces().some((i) => i.name === 'Node'));
    expect(implementors.length).toBe(LABELS.length);
    for (const t of implementors) expect([t.name, mappers[t.name]]).toEqual([t.name, `../../store/rows#${t.name}Row`]);
  });
});
