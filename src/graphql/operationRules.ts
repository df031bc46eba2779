/**
 * Validation rules about the kind of operation a request may carry over HTTP.
 */
import { GraphQLError, OperationTypeNode, type ASTVisitor, type ValidationContext } from 'graphql';

export const SUBSCRIPTIONS_OVER_HTTP_MESSAGE =
  'Subscriptions are not served over HTTP POST: this endpoint answers queries and mutations only (subscriptions are served over WebSocket at the same path, graphql-ws protocol: see docs/EVENTS.md).';

/**
 * Refuses `subscription` operations over HTTP with a 400 GRAPHQL_VALIDATION_FAILED naming the
 * reason: subscriptions are served over WebSocket (src/http/subscriptions.ts).
 */
export function NoSubscriptionsOverHttpRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (node.operation === OperationTypeNode.SUBSCRIPTION) {
        context.reportError(
          new GraphQLError(SUBSCRIPTIONS_OVER_HTTP_MESSAGE, {
            nodes: [node],
            extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'SUBSCRIPTIONS_NOT_SERVED_OVER_HTTP' },
          }),
        );
      }
    },
  };
}
