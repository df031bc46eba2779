/**
 * Relay-style pagination. Cursors are opaque (base64url of a position in the stable
 * ordering, ties broken by id); `first` defaults to 20 and is capped at 100.
 */
import type { NeighborItem, NodeRow, Page, RelationshipRow } from '../store/rows';
import { echoInput } from '../domain/validation';
import { badInput } from './errors';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export function encodeCursor(position: number): string {
  return Buffer.from(`pos:${position}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, argumentPath: (string | number)[]): number {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^pos:(\d{1,9})$/.exec(decoded);
  if (!match || encodeCursor(Number(match[1])) !== cursor) {
    throw badInput(`Malformed cursor ${echoInput(cursor)}: pass an endCursor or edge cursor returned by this API`, argumentPath);
  }
  return Number(match[1]);
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** Validates `first`/`after` and turns them into offset and limit. */
export function pageWindow(args: PageArgs, argumentPath: (string | number)[] = []): { offset: number; limit: number } {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput(`first must be between 0 and ${MAX_PAGE_SIZE} (got ${first})`, [...argumentPath, 'first']);
  }
  const offset = args.after ? decodeCursor(args.after, [...argumentPath, 'after']) : 0;
  return { offset, limit: first };
}

/** An edge of a connection of rows `N` (a label's row, or the union of the labels the field reaches). */
export interface EdgeOut<N extends NodeRow = NodeRow> {
  cursor: string;
  node: N;
  via: RelationshipRow | null;
}

export interface ConnectionOut<N extends NodeRow = NodeRow> {
  edges: EdgeOut<N>[];
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

function connection<N extends NodeRow>(offset: number, totalCount: number, edges: EdgeOut<N>[]): ConnectionOut<N> {
  return {
    edges,
    totalCount,
    pageInfo: {
      hasNextPage: offset + edges.length < totalCount,
      hasPreviousPage: offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

export function nodeConnection<N extends NodeRow>(page: Page<N>): ConnectionOut<N> {
  return connection(
    page.offset,
    page.totalCount,
    page.items.map((node, i) => ({ cursor: encodeCursor(page.offset + i + 1), node, via: null })),
  );
}

export function neighborConnection<N extends NodeRow>(page: Page<NeighborItem<N>>): ConnectionOut<N> {
  return connection(
    page.offset,
    page.totalCount,
    page.items.map((item, i) => ({ cursor: encodeCursor(page.offset + i + 1), node: item.node, via: item.via })),
  );
}
