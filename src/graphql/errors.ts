/**
 * GraphQL errors a caller can act on: what was wrong and where (argument path, object id),
 * with an extension code. Internal errors are logged and replaced by a generic message.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, type ErrorKind } from '../domain/errors';
import { ECHO_MAX_CHARS } from '../domain/validation';
import { DatabaseUnavailableError, QueryTimeoutError } from '../store/database';
import { scalarText } from '../domain/text';

/** The extension code of each kind of domain error. */
const DOMAIN_CODES: Record<ErrorKind, string> = {
  INVALID_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
};

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

/** Longest message sent back (a backstop; quoted values are capped first). */
const MESSAGE_MAX_CHARS = 2000;

/**
 * Caps every double-quoted value in a message (GraphQL's own messages quote what the caller
 * sent: values, variable contents, names) at ECHO_MAX_CHARS characters plus '…', then the whole
 * message at MESSAGE_MAX_CHARS.
 */
export function capEchoes(message: string): string {
  const capped = message.replace(/"((?:[^"\\]|\\.)*)"/g, (whole, inner: string) =>
    inner.length > ECHO_MAX_CHARS + 1 ? `"${inner.slice(0, ECHO_MAX_CHARS)}…"` : whole,
  );
  return capped.length > MESSAGE_MAX_CHARS ? `${capped.slice(0, MESSAGE_MAX_CHARS)}…` : capped;
}

/**
 * Removes graphql-js "Did you mean ...?" suggestions (they name fields, arguments and enum values
 * that introspection hides in production), and the stray " ?" that graphql-armor's own masking
 * leaves where it cut one.
 */
export function stripSuggestions(message: string): string {
  return message
    .replace(/\s*Did you mean [^?]*\?/g, '')
    .replace(/\s+\?(?=\s|$)/g, '')
    .trim();
}

export interface FormatErrorOptions {
  /** Remove "Did you mean" suggestions from messages (production). */
  hideSuggestions?: boolean;
}

/**
 * Apollo `formatError`: database outages and timeouts become clear, retryable errors;
 * anything unexpected becomes INTERNAL_SERVER_ERROR without stack or message details. Public
 * messages have their echoed input capped and, in production, suggestions removed.
 */
export function makeFormatError(log: (error: unknown) => void, includeStack: boolean, options: FormatErrorOptions = {}) {
  const clean = (message: string) => capEchoes(options.hideSuggestions ? stripSuggestions(message) : message);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
    if (original instanceof DomainError) {
      const extensions =
        original.kind === 'INVALID_INPUT' || original.kind === 'NOT_FOUND'
          ? { code: DOMAIN_CODES[original.kind], argumentPath: original.argumentPath }
          : { code: DOMAIN_CODES[original.kind] };
      return { message: clean(original.message), locations: formatted.locations, path: formatted.path, extensions };
    }
    if (original instanceof DatabaseUnavailableError) {
      return {
        message: 'The graph database is unreachable; the request was not completed. Try again shortly.',
        path: formatted.path,
        extensions: { code: 'SERVICE_UNAVAILABLE' },
      };
    }
    if (original instanceof QueryTimeoutError) {
      return {
        message:
          'The operation took longer than its transaction timeout and was stopped; nothing was written. Narrow a query (fewer hops, a smaller page); import large documents with `npm run import`.',
        path: formatted.path,
        extensions: { code: 'QUERY_TIMEOUT', limit: 'QUERY_TIMEOUT_MS' },
      };
    }
    const code = scalarText(formatted.extensions?.code);
    if (PUBLIC_CODES.has(code)) {
      if (includeStack) {
        const stack = formatted.extensions?.stacktrace;
        const extensions = Array.isArray(stack) ? { ...formatted.extensions, stacktrace: stack.map((line) => capEchoes(String(line))) } : formatted.extensions;
        return { ...formatted, message: clean(formatted.message), extensions };
      }
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, message: clean(formatted.message), extensions };
    }
    log(original);
    return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}
