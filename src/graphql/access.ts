/**
 * Who may call what: one declarative table of the roles that root fields need, applied to the
 * built schema. Fields of Query not listed need only a credential the server accepts (every
 * caller, anonymous included outside production, holds `viewer`); every Mutation field must be
 * listed, else the schema is refused at start. Markings (clearance) are enforced by the stores,
 * not here.
 */
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { requireRole, type Role } from '../domain/caller';
import type { GraphQLContext } from './context';

/** The role each root field needs. */
export const FIELD_ROLES: { readonly Query: Readonly<Record<string, Role>>; readonly Mutation: Readonly<Record<string, Role>> } = {
  Query: {
    riskPaths: 'analyst',
    exposure: 'analyst',
    blastRadius: 'analyst',
    certificationLineage: 'analyst',
    scopeDrift: 'analyst',
    remediation: 'analyst',
    watches: 'curator',
  },
  Mutation: {
    upsertOrganization: 'curator',
    upsertDevice: 'curator',
    upsertComponent: 'curator',
    upsertControl: 'curator',
    upsertCertification: 'curator',
    upsertStandard: 'curator',
    upsertThreat: 'curator',
    upsertVulnerability: 'curator',
    upsertDeployment: 'curator',
    link: 'curator',
    unlink: 'curator',
    importDocument: 'curator',
    recordCertificationStatus: 'curator',
    retractCertificationStatus: 'admin',
    deleteNode: 'admin',
    createWatch: 'curator',
    deleteWatch: 'curator',
  },
};

export class AccessTableError extends Error {}

/**
 * Wraps each listed root field's resolver with its role check (run before the resolver, so a
 * refused call touches nothing). Throws when the table names a field the schema lacks or a
 * Mutation field has no entry.
 */
export function applyFieldRoles(schema: GraphQLSchema, table = FIELD_ROLES): GraphQLSchema {
  for (const typeName of ['Query', 'Mutation'] as const) {
    const type = typeName === 'Query' ? schema.getQueryType() : schema.getMutationType();
    const fields = type?.getFields() ?? {};
    for (const name of Object.keys(table[typeName])) {
      if (!fields[name]) throw new AccessTableError(`FIELD_ROLES names ${typeName}.${name}, which the schema does not have`);
    }
    for (const [name, field] of Object.entries(fields)) {
      const role = table[typeName][name];
      if (!role) {
        if (typeName === 'Mutation') throw new AccessTableError(`Mutation.${name} has no entry in FIELD_ROLES: say which role may call it`);
        continue;
      }
      const resolve: GraphQLFieldResolver<unknown, GraphQLContext> = field.resolve ?? defaultFieldResolver;
      const guarded: GraphQLFieldResolver<unknown, GraphQLContext> = (parent, args, ctx, info) => {
        requireRole(ctx.caller, role);
        return resolve(parent, args, ctx, info);
      };
      field.resolve = guarded as GraphQLFieldResolver<unknown, unknown>;
    }
  }
  return schema;
}
