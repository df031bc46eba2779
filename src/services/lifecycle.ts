/**
 * What changed between two dates (status changes of certifications), for the
 * `certificationStatusChanges` query: checks the arguments, reads through the store.
 */
import { DomainError } from '../domain/errors';
import { isDate } from '../domain/statusHistory';
import type { GraphStore } from '../store/graphStore';
import { statusChangesBetween, type StatusEvent } from '../store/lifecycleStore';

export const MAX_STATUS_EVENTS = 500;
export const DEFAULT_STATUS_EVENTS = 100;

export interface StatusChangesArgs {
  from: string;
  to: string;
  statuses?: readonly string[] | null;
  issuedBy?: string | null;
  first?: number | null;
}

export async function certificationStatusChanges(store: GraphStore, args: StatusChangesArgs): Promise<{ totalCount: number; items: StatusEvent[] }> {
  if (!isDate(args.from)) throw new DomainError('INVALID_INPUT', `from: ${JSON.stringify(args.from)} is not a date (YYYY-MM-DD)`, ['from']);
  if (!isDate(args.to)) throw new DomainError('INVALID_INPUT', `to: ${JSON.stringify(args.to)} is not a date (YYYY-MM-DD)`, ['to']);
  if (args.to < args.from) throw new DomainError('INVALID_INPUT', `to: ${args.to} is before from (${args.from})`, ['to']);
  const first = args.first ?? DEFAULT_STATUS_EVENTS;
  if (!Number.isInteger(first) || first < 1 || first > MAX_STATUS_EVENTS)
    throw new DomainError('INVALID_INPUT', `first: must be 1..${MAX_STATUS_EVENTS}`, ['first']);
  const result = await statusChangesBetween(store.db, store.stats, store.markings, {
    from: args.from,
    to: args.to,
    statuses: args.statuses && args.statuses.length > 0 ? args.statuses : null,
    issuedBy: args.issuedBy ?? null,
    limit: first,
  });
  return { totalCount: result.total, items: result.items };
}
