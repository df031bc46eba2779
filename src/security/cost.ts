/**
 * What a query really costs, computed with its variable values before anything runs, and the
 * per-caller cap on concurrent analytics. Both run in Apollo's `didResolveOperation` hook (the
 * document is valid and the variables are known; no resolver has run, no transaction is open).
 *
 * Cost (docs/SECURITY.md, "Cost"):
 * - a scalar or enum field, `__typename`: 0;
 * - an object field: 1 + the cost of its selection;
 * - a list is multiplied by its size: the `first` of the field that returns it (the value given,
 *   as a literal or a variable, else the argument's default, else 20), the number of `ids` of
 *   `nodes`, or 20 for lists without either; connections pass their `first` to `edges`, so
 *   nested connections multiply along the path;
 * - an analytics field adds the weight of its traversal: riskPaths, exposure and blastRadius
 *   4^(maxHops+1), the paths a walk with 4 branches per node may visit (4,096 at the default
 *   5 hops, 262,144 at 8), scopeDrift 5,000 (up to 500 deployments and their certifications),
 *   certificationLineage 1,000; with `assume` (what-if) the weight is multiplied by
 *   2 + (added relationships + moved fleets), and the lists under `whatIf` and `before` get the
 *   analysis' `first` like its own;
 * - abstract selections (fragments on several types) cost the most expensive type's branch.
 */
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  GraphQLError,
  isCompositeType,
  isListType,
  Kind,
  OperationTypeNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE } from '../graphql/pagination';
import type { GraphQLContext } from '../graphql/context';

/** Size assumed for a list whose size no argument gives. */
export const DEFAULT_LIST_SIZE = DEFAULT_PAGE_SIZE;

/** Weight of each analytics field's traversal, from its arguments. */
export const ANALYTICS_WEIGHTS: Record<string, (args: Record<string, unknown>) => number> = {
  riskPaths: (args) => 4 ** (hops(args) + 1) * whatIfFactor(args),
  exposure: (args) => 4 ** (hops(args) + 1) * whatIfFactor(args),
  blastRadius: (args) => 4 ** (hops(args) + 1) * whatIfFactor(args),
  scopeDrift: (args) => 5000 * whatIfFactor(args),
  certificationLineage: () => 1000,
};

/**
 * An `assume` argument (what-if) answers twice, and every relationship it adds or fleet it moves
 * starts one more bounded walk: 2 + (added relationships + moved fleets); 1 without `assume`.
 */
export function whatIfFactor(args: Record<string, unknown>): number {
  const assume = args.assume;
  if (typeof assume !== 'object' || assume === null) return 1;
  const count = (key: string) => {
    const value = (assume as Record<string, unknown>)[key];
    return Array.isArray(value) ? value.length : 0;
  };
  return 2 + count('addRelationships') + count('moveFleets');
}

/** Fields that wrap an analysis' answer without a page of their own: their lists get the analysis' `first`. */
const PASS_FIRST_THROUGH = new Set(['whatIf', 'before']);

function hops(args: Record<string, unknown>): number {
  const n = typeof args.maxHops === 'number' && Number.isFinite(args.maxHops) ? args.maxHops : 5;
  // out-of-range values are refused by the resolver; cost them at the nearest bound
  return Math.min(Math.max(Math.trunc(n), 1), 8);
}

export interface OperationCost {
  cost: number;
  /** Analytics fields in the operation (aliases counted). */
  analytics: number;
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  analytics: number;
}

function argumentsOf(walk: Walk, parent: GraphQLCompositeType, node: FieldNode): Record<string, unknown> {
  const def = 'getFields' in parent ? parent.getFields()[node.name.value] : undefined;
  if (!def) return {};
  try {
    return getArgumentValues(def, node, walk.variables);
  } catch {
    // an invalid argument is reported by execution (before any query); cost it with defaults
    return {};
  }
}

function sizeFromArgs(args: Record<string, unknown>): number | undefined {
  if (typeof args.first === 'number' && Number.isFinite(args.first)) return Math.max(0, args.first);
  if (Array.isArray(args.ids)) return args.ids.length;
  return undefined;
}

function fieldType(parent: GraphQLCompositeType, name: string): GraphQLOutputType | undefined {
  if (!('getFields' in parent)) return undefined;
  return parent.getFields()[name]?.type;
}

/** Cost of a selection set on a type; `pending` is the size handed down by a connection's `first`. */
function selectionCost(walk: Walk, parent: GraphQLCompositeType, selectionSet: SelectionSetNode, pending: number | undefined, seen: Set<string>): number {
  let own = 0;
  const branches = new Map<string, number>();
  const addBranch = (typeName: string, cost: number) => branches.set(typeName, (branches.get(typeName) ?? 0) + cost);
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      own += fieldCost(walk, parent, selection, pending, seen);
      continue;
    }
    let typeName: string | undefined;
    let set: SelectionSetNode;
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      typeName = selection.typeCondition?.name.value;
      set = selection.selectionSet;
    } else {
      const name = selection.name.value;
      const fragment = walk.fragments[name];
      // a fragment cycle is a validation error; never loop on it
      if (!fragment || seen.has(name)) continue;
      typeName = fragment.typeCondition.name.value;
      set = fragment.selectionSet;
      seen = new Set(seen).add(name);
    }
    const type = typeName ? walk.schema.getType(typeName) : parent;
    if (!type || !isCompositeType(type)) continue;
    const cost = selectionCost(walk, type, set, pending, seen);
    if (type === parent) own += cost;
    else addBranch(type.name, cost);
  }
  return own + Math.max(0, ...branches.values());
}

function fieldCost(walk: Walk, parent: GraphQLCompositeType, node: FieldNode, pending: number | undefined, seen: Set<string>): number {
  const name = node.name.value;
  if (name.startsWith('__')) return 0;
  const type = fieldType(parent, name);
  if (!type) return 0;
  const args = argumentsOf(walk, parent, node);
  const weight = parent === walk.schema.getQueryType() ? ANALYTICS_WEIGHTS[name] : undefined;
  if (weight) walk.analytics += 1;
  const traversal = weight ? weight(args) : 0;
  const named = getNamedType(type);
  if (!isCompositeType(named) || !node.selectionSet) return traversal;
  const ownSize = sizeFromArgs(args);
  const fieldDef = 'getFields' in parent ? parent.getFields()[name] : undefined;
  const declaresFirst = fieldDef?.args.some((a) => a.name === 'first') ?? false;
  const list = isListType(getNullableType(type));
  const inner = (handDown: number | undefined) => 1 + selectionCost(walk, named, node.selectionSet as SelectionSetNode, handDown, seen);
  if (list) {
    const size = ownSize ?? pending ?? DEFAULT_LIST_SIZE;
    return traversal + size * inner(undefined);
  }
  // an object that returns a page (a connection, a riskPaths result): its lists get `first`
  return traversal + inner(declaresFirst ? (ownSize ?? DEFAULT_PAGE_SIZE) : PASS_FIRST_THROUGH.has(name) ? pending : undefined);
}

/**
 * The cost of one operation with these variable values. Variables that do not coerce are
 * left to execution (which refuses them before any query); they are costed as absent.
 */
export function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  rawVariables: Record<string, unknown> | undefined,
): OperationCost {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  const variables = coerced.coerced ?? {};
  const root =
    operation.operation === OperationTypeNode.QUERY
      ? schema.getQueryType()
      : operation.operation === OperationTypeNode.MUTATION
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  if (!root) return { cost: 0, analytics: 0 };
  const walk: Walk = { schema, fragments, variables, analytics: 0 };
  const cost = selectionCost(walk, root, operation.selectionSet, undefined, new Set());
  return { cost: Math.round(cost), analytics: walk.analytics };
}

export interface CostLimits {
  maxCost: number;
  /** Analytics fields one caller may have executing at once (an operation's aliases count one each). */
  maxConcurrentAnalytics: number;
}

/**
 * Refuses an operation whose cost is above the limit (400 GRAPHQL_VALIDATION_FAILED,
 * `extensions.limit = cost`), and an operation whose analytics fields would take the caller
 * above `maxConcurrentAnalytics` executing at once (429 TOO_MANY_CONCURRENT_ANALYTICS).
 * Nothing has run. The slots are held until the response is complete.
 */
export function costLimitPlugin(limits: CostLimits): ApolloServerPlugin<GraphQLContext> {
  const running = new Map<string, number>();
  return {
    async requestDidStart() {
      let held: { caller: string; slots: number } | undefined;
      const release = () => {
        if (!held) return;
        const left = (running.get(held.caller) ?? 0) - held.slots;
        if (left <= 0) running.delete(held.caller);
        else running.set(held.caller, left);
        held = undefined;
      };
      return {
        async didResolveOperation(rc: GraphQLRequestContext<GraphQLContext>) {
          const { document, operation } = rc;
          if (!document || !operation) return;
          const fragments: Record<string, FragmentDefinitionNode> = {};
          for (const def of document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments[def.name.value] = def;
          const { cost, analytics } = operationCost(rc.schema, operation, fragments, rc.request.variables);
          if (cost > limits.maxCost) {
            throw new GraphQLError(
              `Query rejected: Query Cost limit of ${limits.maxCost} exceeded, found ${cost}. (cost limit, set by GRAPHQL_MAX_COST; see docs/SECURITY.md for how cost is counted)`,
              {
                extensions: { code: 'GRAPHQL_VALIDATION_FAILED', limit: 'cost', max: limits.maxCost, found: cost, http: { status: 400 } },
              },
            );
          }
          if (analytics === 0) return;
          const caller = rc.contextValue.caller.id;
          const now = running.get(caller) ?? 0;
          if (now + analytics > limits.maxConcurrentAnalytics) {
            throw new GraphQLError(
              `Too many analytics at once: this operation has ${analytics} analytics field(s) and caller ${caller} already has ${now} running (limit ${limits.maxConcurrentAnalytics} per caller, set by ANALYTICS_MAX_CONCURRENT). Wait for them to finish and retry.`,
              {
                extensions: { code: 'TOO_MANY_CONCURRENT_ANALYTICS', limit: 'analyticsConcurrency', max: limits.maxConcurrentAnalytics, http: { status: 429 } },
              },
            );
          }
          running.set(caller, now + analytics);
          held = { caller, slots: analytics };
        },
        async willSendResponse() {
          release();
        },
      };
    },
  };
}
