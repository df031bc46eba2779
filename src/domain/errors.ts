/**
 * Errors the domain and service layers throw when a caller's request cannot be carried out.
 * They know nothing of GraphQL: src/graphql/errors.ts maps each kind to an extension code
 * (BAD_USER_INPUT, NOT_FOUND, FORBIDDEN, UNAUTHENTICATED) and keeps the argument path.
 */
export type ErrorKind = 'INVALID_INPUT' | 'NOT_FOUND' | 'FORBIDDEN' | 'UNAUTHENTICATED';

export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** Where the problem is: the argument path (e.g. ['input', 'id']). */
    readonly argumentPath: (string | number)[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** The input is wrong: says what and where. */
export function invalidInput(message: string, argumentPath: (string | number)[] = []): DomainError {
  return new DomainError('INVALID_INPUT', message, argumentPath);
}

/** No such object visible to the caller (missing and hidden ids are answered alike). */
export function notFoundError(message: string, argumentPath: (string | number)[] = []): DomainError {
  return new DomainError('NOT_FOUND', message, argumentPath);
}

/** The caller is known but may not do this. */
export function forbiddenError(message: string): DomainError {
  return new DomainError('FORBIDDEN', message);
}

/** The caller must present credentials. */
export function unauthenticatedError(message: string): DomainError {
  return new DomainError('UNAUTHENTICATED', message);
}
