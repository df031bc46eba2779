/**
 * Certification status history (docs/CERTIFICATION-LIFECYCLE.md): `status` (in force today),
 * `statusOn(date)`, `recordedStatus`, `statusHistory`, and the curator and admin writes. The
 * history comes with the parent row when its statement read it (`__history`: look-ahead reads of
 * nodes and pages that select status, statusOn or statusHistory; analytics; mutation
 * results), else from one batched read for every certification at this level (DataLoader).
 */
import DataLoader from 'dataloader';
import { today } from '../../domain/lineage';
import { isCertificationStatus, type CertificationStatus } from '../../domain/model';
import * as statusHistory from '../../services/statusHistory';
import type { CertificationRow, NodeRow, ProvenanceRow } from '../../store/rows';
import { historyOfRow, type StatusChangeRow } from '../../store/statusHistoryStore';
import type { GraphQLContext } from '../context';
import type { Resolvers } from '../generated/resolvers-types';

function historyLoader(ctx: GraphQLContext): DataLoader<string, StatusChangeRow[]> {
  let loader = ctx.loaders.get('statusHistory') as DataLoader<string, StatusChangeRow[]> | undefined;
  if (!loader) {
    loader = new DataLoader<string, StatusChangeRow[]>(async (ids) => {
      const histories = await ctx.store.statusHistories(ids);
      return ids.map((id) => histories.get(id) ?? []);
    });
    ctx.loaders.set('statusHistory', loader);
  }
  return loader;
}

const byEffectiveDate = (rows: readonly StatusChangeRow[]): StatusChangeRow[] =>
  [...rows].sort((a, b) => cmp(a.effectiveFrom, b.effectiveFrom) || cmp(a.recordedAt, b.recordedAt) || cmp(a.id, b.id));

/**
 * The visible, non-retracted history of a certification row, oldest first: synchronous when the
 * row carries it (no promise per certification), else from the batched read.
 */
function historyOf(parent: NodeRow, ctx: GraphQLContext): StatusChangeRow[] | Promise<StatusChangeRow[]> {
  const carried = historyOfRow(parent);
  return carried ? byEffectiveDate(carried) : historyLoader(ctx).load(parent.id).then(byEffectiveDate);
}

/** `f(value)`, or `value.then(f)` for a promise. */
function thenMaybe<T, R>(value: T | Promise<T>, f: (v: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(f) : f(value);
}

function recorded(parent: CertificationRow): CertificationStatus {
  return isCertificationStatus(parent.status) ? parent.status : 'ACTIVE';
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const statusHistoryResolvers: Resolvers = {
  Certification: {
    // not issued yet and nothing in force today: the status recorded on it
    status: (parent, _args, ctx) => thenMaybe(historyOf(parent, ctx), (history) => statusHistory.statusOfRow(parent, history, today()) ?? recorded(parent)),
    statusOn: (parent, { date }, ctx) =>
      thenMaybe(historyOf(parent, ctx), (history) => statusHistory.statusOfRow(parent, history, statusHistory.dateText(date))),
    recordedStatus: (parent) => recorded(parent),
    statusHistory: (parent, _args, ctx) => historyOf(parent, ctx),
  },
  CertificationStatusChange: {
    provenance: (entry): ProvenanceRow => ({ source: entry.source, sourceRef: entry.sourceRef, assertedAt: entry.recordedAt, assertedBy: null }),
  },
  Mutation: {
    recordCertificationStatus: (_p, { input }, ctx) => statusHistory.recordCertificationStatus(ctx, input),
    retractCertificationStatus: (_p, { input }, ctx) => statusHistory.retractCertificationStatus(ctx, input),
  },
};
