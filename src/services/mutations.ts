/**
 * Write operations of the API. Each runs in one transaction: validation that needs the
 * database happens inside it, and any error rolls everything back.
 */
import { relationshipAllows, type Label, type RelationshipType } from '../domain/model';
import {
  describeEnds,
  echoInput,
  normalizeTemporal,
  validateId,
  validateNodeInput,
  validateProvenance,
  validateRelationshipProperties,
  type Problem,
} from '../domain/validation';
import { mergeRelationships, upsertNodes, type ProvenanceStamp } from '../store/bulkWrites';
import type { Tx } from '../store/database';
import { appendEvents, loadNeighbourhood } from '../store/eventStore';
import { basisChangeEvents, type BasisChange } from '../domain/feedEvents';
import type { LineageNeighbourhood } from '../domain/events';
import { reachFeedSubjects, refreshFeedState, refreshFeedStateAfterDelete } from '../store/feedEmitters';
import { linkEvent } from '../domain/events';
import { today } from '../domain/lineage';

/** What a write needs: who asks, and the store bound to their markings (it opens the transaction). */
export interface WriteDeps {
  caller: Caller;
  store: GraphStore;
}
import type { NodeRow, RelationshipRow, RowOf } from '../store/rows';
import type { Caller } from '../domain/caller';
import type { GraphStore } from '../store/graphStore';
import { rowOf } from '../store/projection';
import { forbiddenError as forbidden, invalidInput as badInput, notFoundError as notFound, type DomainError } from '../domain/errors';

function firstProblem(problems: Problem[]): DomainError | undefined {
  const p = problems[0];
  return p ? badInput(`${p.path.join('.')}: ${p.message}`, p.path) : undefined;
}

function stampFor(ctx: WriteDeps, provenance: { source?: string | null; sourceRef?: string | null } | null | undefined): ProvenanceStamp {
  return { source: provenance?.source || 'api', sourceRef: provenance?.sourceRef ?? null, assertedBy: ctx.caller.id, assertedAt: new Date() };
}

export interface NodeInput {
  id: string;
  provenance?: { source?: string | null; sourceRef?: string | null } | null;
  [key: string]: unknown;
}

/** Creates or updates one node by id. */
export async function upsertNode<L extends Label>(ctx: WriteDeps, label: L, input: NodeInput): Promise<RowOf<L>> {
  const { id, provenance, ...rest } = input;
  const given: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) given[key] = typeof value === 'string' && key === 'name' ? value.trim() : value;
  const props = normalizeTemporal(label, given);
  const idError = firstProblem([...validateId(id, ['input', 'id']), ...validateProvenance(provenance, ['input', 'provenance'])]);
  if (idError) throw idError;
  // Checks that need no stored values (lengths, ranges, markings) run before a transaction opens.
  const inputError = firstProblem(validateNodeInput(label, props, ctx.caller.clearance));
  if (inputError) throw inputError;
  return ctx.store.writeTransaction(async (tx) => {
    const existingLabel = await ctx.store.anyLabelOf(tx, id);
    const existing = existingLabel ? await ctx.store.getNodeTx(tx, id) : undefined;
    if (existingLabel && (!existing || existingLabel !== label)) {
      throw badInput(`input.id: ${echoInput(id)} is already used by another node; choose another id`, ['input', 'id']);
    }
    const error = firstProblem(validateNodeInput(label, props, ctx.caller.clearance, existing ?? {}));
    if (error) throw error;
    await upsertNodes(tx, label, [{ id, props }], stampFor(ctx, provenance));
    await refreshFeedState(tx, [id], `curator:${ctx.caller.id}`);
    const row = await ctx.store.getNodeTx(tx, id);
    if (!row)
      throw notFound(`${label} ${echoInput(id)} is not visible after writing it: its classification is above your clearance`, ['input', 'classification']);
    return rowOf([label], row);
  });
}

export interface LinkArgs {
  type: RelationshipType;
  fromId: string;
  toId: string;
  properties?: Record<string, unknown> | null;
  provenance?: { source?: string | null; sourceRef?: string | null } | null;
}

const NO_SELF_LOOPS: RelationshipType[] = ['HAS_COMPONENT', 'DEPENDS_ON', 'SUPERSEDES', 'BASED_ON', 'MAPS_TO'];

async function resolveEnds(ctx: WriteDeps, tx: Tx, type: RelationshipType, fromId: string, toId: string) {
  const labels = await ctx.store.labelsOf(tx, [fromId, toId]);
  const fromLabel = labels.get(fromId);
  const toLabel = labels.get(toId);
  if (!fromLabel) throw notFound(`input.fromId: no node with id ${echoInput(fromId)}`, ['input', 'fromId']);
  if (!toLabel) throw notFound(`input.toId: no node with id ${echoInput(toId)}`, ['input', 'toId']);
  if (!relationshipAllows(type, fromLabel, toLabel)) {
    throw badInput(
      `input.type: a ${fromLabel} cannot be linked to a ${toLabel} by ${type}: ${describeEnds(type)}${type === 'SUPERSEDES' ? ' (both ends of the same label)' : ''}`,
      ['input', 'type'],
    );
  }
  return { fromLabel, toLabel };
}

export async function link(ctx: WriteDeps, args: LinkArgs): Promise<{ from: NodeRow; to: NodeRow; relationship: RelationshipRow; created: boolean }> {
  const props: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args.properties ?? {})) if (value !== undefined && value !== null) props[key] = value;
  const error = firstProblem([
    ...validateRelationshipProperties(args.type, props, ctx.caller.clearance, ['input', 'properties']),
    ...validateProvenance(args.provenance, ['input', 'provenance']),
  ]);
  if (error) throw error;
  if (args.fromId === args.toId && NO_SELF_LOOPS.includes(args.type))
    throw badInput(`input.toId: a node cannot be linked to itself by ${args.type}`, ['input', 'toId']);
  return ctx.store.writeTransaction(async (tx) => {
    const { fromLabel, toLabel } = await resolveEnds(ctx, tx, args.type, args.fromId, args.toId);
    // Merging would rewrite (or declassify) a claim the caller cannot see.
    if (await ctx.store.hasHiddenRelationship(tx, args.type, args.fromId, args.toId))
      throw forbidden(`input: this ${args.type} relationship cannot be written at your clearance`);
    // A new basis can break (or mend) the lineage of the certification and what rests on it: read it before and after.
    const lineageBefore = args.type === 'BASED_ON' ? await loadNeighbourhood(tx, [args.fromId]) : undefined;
    const counts = await mergeRelationships(
      tx,
      args.type,
      fromLabel,
      toLabel,
      [{ fromId: args.fromId, toId: args.toId, props }],
      stampFor(ctx, args.provenance),
    );
    const relationship = await ctx.store.getRelationship(tx, args.type, args.fromId, args.toId);
    const from = await ctx.store.getNodeTx(tx, args.fromId);
    const to = await ctx.store.getNodeTx(tx, args.toId);
    if (!relationship || !from || !to) throw notFound('the linked nodes are no longer visible', ['input']);
    // The change feed (docs/EVENTS.md): a new CERTIFIES or SUPERSEDES claim, in this transaction.
    if (counts.created === 1) {
      const node = (n: NodeRow) => ({
        id: n.id,
        name: n.name,
        classification: n.classification,
        label: n.__label,
        issuedAt: 'issuedAt' in n && typeof n.issuedAt === 'string' ? n.issuedAt : null,
      });
      const marking = typeof relationship.classification === 'string' ? relationship.classification : null;
      const event = linkEvent(args.type, node(from), node(to), marking, `curator:${ctx.caller.id}`, today());
      if (event) await appendEvents(tx, [event]);
      if (lineageBefore) await appendBasisEvents(tx, lineageBefore, { certificationId: args.fromId, basisId: args.toId, kind: 'added' }, ctx);
    }
    await refreshFeedState(tx, [args.fromId, args.toId], `curator:${ctx.caller.id}`);
    return { from, to, relationship, created: counts.created === 1 };
  });
}

export async function unlink(ctx: WriteDeps, args: { type: RelationshipType; fromId: string; toId: string }): Promise<{ removed: boolean }> {
  return ctx.store.writeTransaction(async (tx) => {
    const { fromLabel, toLabel } = await resolveEnds(ctx, tx, args.type, args.fromId, args.toId);
    const lineageBefore = args.type === 'BASED_ON' ? await loadNeighbourhood(tx, [args.fromId]) : undefined;
    const removed = await ctx.store.unlink(tx, args.type, fromLabel, toLabel, args.fromId, args.toId);
    if (removed > 0 && lineageBefore) await appendBasisEvents(tx, lineageBefore, { certificationId: args.fromId, basisId: args.toId, kind: 'removed' }, ctx);
    if (removed > 0) await refreshFeedState(tx, [args.fromId, args.toId], `curator:${ctx.caller.id}`);
    return { removed: removed > 0 };
  });
}

export async function deleteNode(ctx: WriteDeps, id: string, detach: boolean): Promise<{ id: string; relationshipsRemoved: number }> {
  return ctx.store.writeTransaction(async (tx) => {
    const node = await ctx.store.getNodeTx(tx, id);
    if (!node) throw notFound(`id: no node with id ${echoInput(id)}`, ['id']);
    // Deleting a basis would silently change what the lineage of the certifications resting on it
    // says, with no event: the BASED_ON claims are unlinked first (each reported by the feed), or
    // the basis gets a status change (REVOKED, WITHDRAWN, …) instead.
    if (node.__label === 'Certification') {
      const dependents = await ctx.store.basisDependents(tx, id);
      if (dependents.visible.length > 0 || dependents.hidden) {
        const named =
          dependents.visible.length > 0
            ? `${dependents.visible.length} certification(s): ${dependents.visible.slice(0, 10).map(echoInput).join(', ')}${dependents.visible.length > 10 ? ', …' : ''}`
            : 'other certifications';
        throw badInput(
          `id: Certification ${echoInput(id)} is the basis (BASED_ON) of ${named}; deleting it would change their lineage without a trace. Unlink those BASED_ON claims first, or record a status change (REVOKED, WITHDRAWN) instead`,
          ['id'],
        );
      }
    }
    const degree = await ctx.store.countRelationships(tx, id);
    if (degree > 0 && !detach) {
      throw badInput(`id: ${node.__label} ${echoInput(id)} has ${degree} relationship(s); pass detach: true to delete them with it`, ['detach']);
    }
    // The change feed (docs/EVENTS.md): what the node reaches must be read before the DETACH DELETE
    // (afterwards it reaches nothing); the refresh runs after it, in this transaction.
    const reached = await reachFeedSubjects(tx, [id]);
    const removed = await ctx.store.deleteNode(tx, id);
    await refreshFeedStateAfterDelete(tx, { id, label: node.__label, classification: node.classification }, reached, `curator:${ctx.caller.id}`);
    return { id, relationshipsRemoved: removed };
  });
}

/** The lineage events of a BASED_ON claim a curator added or removed, appended in the caller's transaction. */
async function appendBasisEvents(tx: Tx, before: LineageNeighbourhood, change: BasisChange, ctx: WriteDeps): Promise<void> {
  const after = await loadNeighbourhood(tx, [change.certificationId]);
  const drafts = basisChangeEvents(before, after, change, `curator:${ctx.caller.id}`, today());
  if (drafts.length > 0) await appendEvents(tx, drafts);
}
