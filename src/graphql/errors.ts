/**
 * GraphQL errors a caller can act on: what was wrong and where (argument path, object id),
 * with an extension code. Internal errors are logged and replaced by a generic message.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, type ErrorKind } from '../domain/errors';
import { DatabaseUnavailableError, QueryTimeoutError } from '../store/database';

/** The extension code of each kind of domain error. */
const DOMAIN_CODES: Record<ErrorKind, string> = { INVALID_INPUT: 'BAD_USER_INPUT', NOT_FOUND: 'NOT_FOUND', FORBIDDEN: 'FORBIDDEN', UNAUTHENTICATED: 'UNAUTHENTICATED' };

export function badInput(message: string, argumentPath: (string | number)[] = []): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argumentPath } });
}

export function notFound(message: string, argumentPath: (string | number)[] = []): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'NOT_FOUND', argumentPath } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

export function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } });
}

const PUBLIC_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'SERVICE_UNAVAILABLE',
  'QUERY_TIMEOUT',
  'PAYLOAD_TOO_LARGE',
]);

/**
 * Apollo `formatError`: database outages and timeouts become clear, retryable errors;
 * anything unexpected becomes INTERNAL_SERVER_ERROR without stack or message details.
 */
export function makeFormatError(log: (error: unknown) => void, includeStack: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
    if (original instanceof DomainError) {
      const extensions = original.kind === 'INVALID_INPUT' || original.kind === 'NOT_FOUND' ? { code: DOMAIN_CODES[original.kind], argumentPath: original.argumentPath } : { code: DOMAIN_CODES[original.kind] };
      return { message: original.message, locations: formatted.locations, path: formatted.path, extensions };
    }
    if (original instanceof DatabaseUnavailableError) {
      return { message: 'The graph database is unreachable; the request was not completed. Try again shortly.', path: formatted.path, extensions: { code: 'SERVICE_UNAVAILABLE' } };
    }
    if (original instanceof QueryTimeoutError) {
      return {
        message: 'The operation took longer than its transaction timeout and was stopped; nothing was written. Narrow a query (fewer hops, a smaller page); import large documents with `npm run import`.',
        path: formatted.path,
        extensions: { code: 'QUERY_TIMEOUT', limit: 'QUERY_TIMEOUT_MS' },
      };
    }
    const code = String(formatted.extensions?.code ?? '');
    if (PUBLIC_CODES.has(code)) {
      if (includeStack) return formatted;
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    log(original);
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
