import fs from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { DateResolver, DateTimeResolver, NonNegativeIntResolver } from 'graphql-scalars';
import { REPO_ROOT } from '../config';
import { applyFieldRoles } from './access';
import type { GraphQLContext } from './context';
import type { Resolvers } from './generated/resolvers-types';
import { allResolvers } from './resolvers';

/** The SDL of every file in schema/, in file-name order. */
export function loadTypeDefs(dir = path.join(REPO_ROOT, 'schema')): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

/** Every resolver map is a generated `Resolvers` value; graphql-tools accepts them as they are (no conversion). */
export function buildSchema(): GraphQLSchema {
  const scalars: Resolvers = { Date: DateResolver, DateTime: DateTimeResolver, NonNegativeInt: NonNegativeIntResolver };
  return applyFieldRoles(makeExecutableSchema<GraphQLContext>({ typeDefs: loadTypeDefs(), resolvers: [scalars, ...allResolvers] }));
}
