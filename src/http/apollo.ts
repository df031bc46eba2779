/**
 * The Apollo Server of the API: the schema, the operation limits (src/security), error
 * formatting (src/graphql/errors.ts) and the plugins. Started before it is returned.
 */
import type http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Logger } from 'pino';
import type { AppConfig } from '../config';
import type { GraphQLContext } from '../graphql/context';
import { makeFormatError } from '../graphql/errors';
import { NoSubscriptionsOverHttpRule } from '../graphql/operationRules';
import { buildSchema } from '../graphql/schema';
import { RequestAbortedError } from '../security/deadline';
import { limitErrorsPassThrough, queryLimitProtection, queryLimitsFrom } from '../security/limits';

export async function createApolloServer(config: AppConfig, logger: Logger, httpServer: http.Server): Promise<ApolloServer<GraphQLContext>> {
  const production = config.NODE_ENV === 'production';
  const limits = queryLimitProtection(queryLimitsFrom(config), production);
  const apollo = new ApolloServer<GraphQLContext>({
    schema: buildSchema(),
    introspection: !production,
    // src/main.ts owns SIGINT/SIGTERM and stops Apollo in order (app.stop()). Apollo's own handler
    // would call stop() a second time concurrently, and in @apollo/server 5.5.1 a second stop() during
    // a stop that succeeds waits forever (its barrier is resolved only on failure): shutdown then
    // sat out its whole grace period.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: !production,
    csrfPrevention: true,
    // One operation per HTTP request: a batch would multiply every per-request limit.
    allowBatchedHttpRequests: false,
    validationRules: [...limits.validationRules, NoSubscriptionsOverHttpRule],
    parseOptions: limits.parseOptions,
    formatError: limitErrorsPassThrough(
      makeFormatError(
        (error) => {
          // a query refused after the deadline: the caller already has its 503
          if (error instanceof RequestAbortedError) logger.debug({ err: error }, 'query refused after the request deadline');
          else logger.error({ err: error }, 'unexpected error in resolver');
        },
        !production,
        { hideSuggestions: production },
      ),
      !production,
    ),
    plugins: [
      ...limits.plugins,
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // The explorer at / and /explorer (src/explorer) replaces Apollo's CDN-loaded landing page.
      ApolloServerPluginLandingPageDisabled(),
      // no cache hints are used; the default cache-control plugin would otherwise run per field
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
  await apollo.start();
  return apollo;
}
