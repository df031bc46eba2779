/**
 * An overall deadline for one GraphQL request. Each Neo4j transaction is already bounded by
 * QUERY_TIMEOUT_MS; a request that runs many of them (nested connections, several analytics
 * fields) is bounded as a whole by REQUEST_TIMEOUT_MS: the caller gets a clear 503 once the
 * deadline passes, and work still running is cut by its own transaction timeout.
 */
export class RequestTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`The request took longer than REQUEST_TIMEOUT_MS (${timeoutMs} ms) and was abandoned; narrow it (fewer nested fields, smaller pages, fewer hops).`);
  }
}

export async function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new RequestTimeoutError(timeoutMs)), timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
