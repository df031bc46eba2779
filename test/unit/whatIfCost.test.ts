/**
 * An assumption does not let a caller escape the cost bound (src/security/cost.ts): a what-if
 * answers twice and each added relationship or moved fleet starts one more walk, so its weight is
 * the analysis' weight × (2 + added + moved); the lists under `whatIf` and `before` count with the
 * analysis' `first`.
 */
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { buildSchema } from '../../src/graphql/schema';
import { operationCost, whatIfFactor } from '../../src/security/cost';

const schema = buildSchema();
const cost = (text: string, variables: Record<string, unknown> = {}) => {
  const operation = parse(text).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error('no operation');
  return operationCost(schema, operation, {}, variables).cost;
};

describe('cost of what-if analyses', () => {
  it('multiplies the traversal weight by 2 + added relationships + moved fleets', () => {
    expect(whatIfFactor({})).toBe(1);
    expect(whatIfFactor({ assume: {} })).toBe(2);
    expect(whatIfFactor({ assume: { addRelationships: [{}, {}], moveFleets: [{}], failControls: ['a', 'b', 'c'] } })).toBe(5);
    const plain = cost('{ exposure(deviceId: "d") { score } }');
    expect(plain).toBe(4 ** 6 + 1);
    expect(cost('{ exposure(deviceId: "d", assume: {}) { score } }')).toBe(2 * 4 ** 6 + 1);
    const q = 'query($a: Assumption) { scopeDrift(deploymentId: "x", assume: $a) { driftingCount } }';
    expect(cost(q, { a: { moveFleets: [{ deploymentId: 'x', osReleaseId: 'y' }] } })).toBe(3 * 5000 + 1);
  });

  it('refuses what the cost bound (3,000,000 by default) refuses: 8 hops with a large assumption cannot pass', () => {
    const q = 'query($a: Assumption) { riskPaths(from: "t", maxHops: 8, assume: $a) { totalCount } }';
    const added = Array.from({ length: 50 }, (_, i) => ({ type: 'TARGETS', fromId: 't', toId: `c${i}` }));
    expect(cost(q, { a: { addRelationships: added } })).toBe(52 * 4 ** 9 + 1);
    expect(cost(q, { a: { addRelationships: added } })).toBeGreaterThan(3_000_000);
  });

  it('counts the lists of whatIf and its before answer with the analysis first', () => {
    const q = (first: number) => `{ riskPaths(from: "t", first: ${first}, assume: {}) { whatIf { appeared { score } before { paths { score } } } } }`;
    const traversal = 2 * 4 ** 6;
    // riskPaths 1 + whatIf 1 + appeared first × 1 + before 1 + paths first × 1
    expect(cost(q(100)) - traversal).toBe(1 + 1 + 100 + 1 + 100);
    expect(cost(q(5)) - traversal).toBe(1 + 1 + 5 + 1 + 5);
  });
});
