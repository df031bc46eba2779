/**
 * Limits against abusive queries: selection depth, aliases and directives with graphql-armor,
 * tokens with graphql-js's parser limit (see below), cost and concurrent analytics with the
 * plugin of src/security/cost.ts (it sees variable values), plus field suggestions masked in production
 * (they would reveal the schema that introspection hides). Each rejection is a
 * GRAPHQL_VALIDATION_FAILED error whose message names the limit and the variable that sets it,
 * with `extensions.limit` and `extensions.max` for clients.
 */
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type GraphQLFormattedError, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
import type { AppConfig } from '../config';
import type { GraphQLContext } from '../graphql/context';
import { costLimitPlugin } from './cost';

export interface QueryLimits {
  maxDepth: number;
  maxCost: number;
  maxConcurrentAnalytics: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
}

export function queryLimitsFrom(config: AppConfig): QueryLimits {
  return {
    maxDepth: config.GRAPHQL_MAX_DEPTH,
    maxCost: config.GRAPHQL_MAX_COST,
    maxConcurrentAnalytics: config.ANALYTICS_MAX_CONCURRENT,
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
  plugins: ApolloServerPlugin<GraphQLContext>[];
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
    maxDepth: {
      n: limits.maxDepth,
      ignoreIntrospection: true,
      flattenFragments: true,
      propagateOnRejection: false,
      onReject: [reject('depth', 'GRAPHQL_MAX_DEPTH', limits.maxDepth)],
    },
    // armor's cost rule is a validation rule: it cannot see variable values (a `first` given as
    // a variable would count as 1); cost is the plugin of cost.ts instead
    costLimit: { enabled: false },
    maxAliases: { n: limits.maxAliases, allowList: [], propagateOnRejection: false, onReject: [reject('aliases', 'GRAPHQL_MAX_ALIASES', limits.maxAliases)] },
    maxDirectives: { n: limits.maxDirectives, propagateOnRejection: false, onReject: [reject('directives', 'GRAPHQL_MAX_DIRECTIVES', limits.maxDirectives)] },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: production, mask: '' },
  });
  const { plugins, validationRules } = armor.protect();
  return {
    plugins: [...(plugins as ApolloServerPlugin<GraphQLContext>[]), tokenLimitMessagePlugin(limits.maxTokens), costLimitPlugin(limits)],
    validationRules: validationRules,
    parseOptions: { maxTokens: limits.maxTokens },
  };
}

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** Shows the caller the refusals of the cost plugin whose codes formatError does not know (without stack outside development). */
export function limitErrorsPassThrough(format: FormatError, includeStack: boolean): FormatError {
  return (formatted, error) => {
    if (formatted.extensions?.code !== 'TOO_MANY_CONCURRENT_ANALYTICS') return format(formatted, error);
    if (includeStack) return formatted;
    const { stacktrace: _stack, ...extensions } = formatted.extensions;
    return { ...formatted, extensions };
  };
}
