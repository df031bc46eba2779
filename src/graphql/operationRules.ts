/**
 * Validation rules about the kind of operation a request may carry over HTTP.
 */
import { GraphQLError, OperationTypeNode, type ASTVisitor, type ValidationContext } from 'graphql';

export const SUBSCRIPTIONS_OVER_HTTP_MESSAGE =
  'Subscriptions are not served over HTTP POST: this endpoint answers queries and mutations only (a subscription needs a WebSocket connection, which this server does not offer yet).';

/**
 * Refuses `subscription` operations with a 400 GRAPHQL_VALIDATION_FAILED naming the reason. The
 * schema has no Subscription type, and graphql-js 16 would otherwise let the document through
 * validation and fail it at execution with an unnamed error.
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
