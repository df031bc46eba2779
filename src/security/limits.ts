/**
 * Limits against abusive queries, configured with graphql-armor (not hand-rolled): selection
 * depth, cost, aliases and directives (tokens: graphql-js's parser limit, see below), plus field suggestions masked in production
 * (they would reveal the schema that introspection hides). Each rejection is a
 * GRAPHQL_VALIDATION_FAILED error whose message names the limit and the variable that sets it,
 * with `extensions.limit` and `extensions.max` for clients.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
import type { AppConfig } from '../config';

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
}

export function queryLimitsFrom(config: AppConfig): QueryLimits {
  return {
    maxDepth: config.GRAPHQL_MAX_DEPTH,
    maxCost: config.GRAPHQL_MAX_COST,
    maxAliases: config.GRAPHQL_MAX_ALIASES,
    maxDirectives: config.GRAPHQL_MAX_DIRECTIVES,
    maxTokens: config.GRAPHQL_MAX_TOKENS,
  };
}

/** Rewrites armor's "Syntax Error: X limit of N exceeded" into a validation error naming the setting. */
function reject(limit: string, variable: string, max: number) {
  return (ctx: ValidationContext | null, error: GraphQLError): void => {
    const detail = error.message.replace(/^Syntax Error:\s*/, '');
    const rewritten = new GraphQLError(`Query rejected: ${detail} (${limit} limit, set by ${variable})`, {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit, max },
    });
    if (ctx) ctx.reportError(rewritten);
    else throw rewritten;
  };
}

export interface ArmorProtection {
  plugins: ApolloServerPlugin[];
  validationRules: ValidationRule[];
  /** Apollo `parseOptions`: the token limit, enforced by the parser itself. */
  parseOptions: ParseOptions;
}

const TOKEN_LIMIT_MESSAGE = /^Syntax Error: Document contains more (?:that|than) (\d+) tokens\. Parsing aborted\.$/;

/**
 * Names the token limit in the parser's rejection. (graphql-armor's own max-tokens plugin for
 * Apollo throws from `parsingDidStart`, which Apollo turns into a 500; the same count done by
 * graphql-js's parser `maxTokens` option is reported as a 400 parse error.)
 */
function tokenLimitMessagePlugin(maxTokens: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            if (TOKEN_LIMIT_MESSAGE.test(error.message)) {
              error.message = `Query rejected: Token limit of ${maxTokens} exceeded. (tokens limit, set by GRAPHQL_MAX_TOKENS)`;
              Object.assign(error.extensions, { limit: 'tokens', max: maxTokens });
            }
          }
        },
      };
    },
  };
}

export function queryLimitProtection(limits: QueryLimits, production: boolean): ArmorProtection {
  const armor = new ApolloArmor({
    maxDepth: { n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, propagateOnRejection: false, onReject: [reject('depth', 'GRAPHQL_MAX_DEPTH', limits.maxDepth)] },
    costLimit: {
      maxCost: limits.maxCost,
      objectCost: 2,
      scalarCost: 1,
      depthCostFactor: 1.5,
      flattenFragments: true,
      ignoreIntrospection: true,
      propagateOnRejection: false,
      onReject: [reject('cost', 'GRAPHQL_MAX_COST', limits.maxCost)],
    },
    maxAliases: { n: limits.maxAliases, allowList: [], propagateOnRejection: false, onReject: [reject('aliases', 'GRAPHQL_MAX_ALIASES', limits.maxAliases)] },
    maxDirectives: { n: limits.maxDirectives, propagateOnRejection: false, onReject: [reject('directives', 'GRAPHQL_MAX_DIRECTIVES', limits.maxDirectives)] },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: production, mask: '' },
  });
  const { plugins, validationRules } = armor.protect();
  return {
    plugins: [...(plugins as ApolloServerPlugin[]), tokenLimitMessagePlugin(limits.maxTokens)],
    validationRules: validationRules as ValidationRule[],
    parseOptions: { maxTokens: limits.maxTokens },
  };
}
