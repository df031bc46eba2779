/**
 * Start-up warm-up (issue 16, target 6): once the API listens, the read operations of the query
 * collection (docs/queries) are executed once, one after the other, in the background, as an
 * internal SECRET-cleared analyst, through Apollo and the stores exactly as a request would. Neo4j
 * then has planned and compiled their Cypher (and V8 the request path) before a user's first
 * question of the same shapes. Nothing is written (mutations are skipped), answers are dropped,
 * failures are counted and logged, never raised; it stops at the next operation when `signal`
 * aborts (shutdown). Readiness does not wait for it.
 */
import { Kind, OperationTypeNode, parse } from 'graphql';
import type { Caller } from '../domain/caller';

/** One operation to warm, e.g. from readQueryCollection. */
export interface WarmUpOperation {
  name: string;
  query: string;
  /** JSON text of the variables, or empty. */
  variables: string;
}

export interface WarmUpResult {
  warmed: number;
  skipped: number;
  failed: { name: string; message: string }[];
  ms: number;
}

/** The caller the warm-up runs as: reads everything an analyst may, at the highest clearance. */
export const WARM_UP_CALLER: Caller = { id: 'warm-up', roles: ['analyst'], clearance: 'SECRET' };

/** The operations of a document that only read (queries), by name; a file that does not parse yields none. */
export function readOperations(op: WarmUpOperation): { operationName: string | undefined; variables: Record<string, unknown> }[] {
  let doc;
  try {
    doc = parse(op.query);
  } catch {
    return [];
  }
  let variables: Record<string, unknown> = {};
  if (op.variables.trim() !== '') {
    try {
      const v: unknown = JSON.parse(op.variables);
      if (v && typeof v === 'object' && !Array.isArray(v)) variables = v as Record<string, unknown>;
    } catch {
      return [];
    }
  }
  return doc.definitions
    .filter((d) => d.kind === Kind.OPERATION_DEFINITION && d.operation === OperationTypeNode.QUERY)
    .map((d) => ({ operationName: d.kind === Kind.OPERATION_DEFINITION ? d.name?.value : undefined, variables }));
}

export async function warmUp(
  operations: readonly WarmUpOperation[],
  execute: (query: string, operationName: string | undefined, variables: Record<string, unknown>) => Promise<{ errors?: readonly { message: string }[] }>,
  signal: AbortSignal,
): Promise<WarmUpResult> {
  const t0 = performance.now();
  const result: WarmUpResult = { warmed: 0, skipped: 0, failed: [], ms: 0 };
  for (const op of operations) {
    const reads = readOperations(op);
    if (reads.length === 0) result.skipped += 1;
    for (const { operationName, variables } of reads) {
      if (signal.aborted) break;
      try {
        const answer = await execute(op.query, operationName, variables);
        if (answer.errors?.length) result.failed.push({ name: `${op.name}/${operationName ?? ''}`, message: answer.errors[0]?.message ?? '' });
        else result.warmed += 1;
      } catch (error) {
        result.failed.push({ name: `${op.name}/${operationName ?? ''}`, message: error instanceof Error ? error.message : String(error) });
      }
    }
  }
  result.ms = Math.round(performance.now() - t0);
  return result;
}
