import {
  baseRisk,
  checkHops,
  combineExposure,
  comparePaths,
  DEFAULT_CONTROL_EFFECTIVENESS,
  effectivenessOf,
  explainExposure,
  scorePath,
  type MitigationFact,
} from '../../src/domain/risk';

const fact = (nodeId: string, controlId: string, edge: number | null, control: number | null, threatId = 'T'): MitigationFact => ({
  nodeId,
  controlId,
  threatId,
  edgeEffectiveness: edge,
  controlEffectiveness: control,
});

describe('risk scoring', () => {
  it('bases a threat on severity × likelihood, a vulnerability on cvss × (1 if known exploited else 0.5), with defaults', () => {
    expect(baseRisk({ __label: 'Threat', severity: 8, likelihood: 0.5 })).toEqual({ severity: 8, likelihood: 0.5, base: 4 });
    expect(baseRisk({ __label: 'Threat' })).toEqual({ severity: 5, likelihood: 0.5, base: 2.5 });
    expect(baseRisk({ __label: 'Vulnerability', cvss: 9.8, knownExploited: true }).base).toBe(9.8);
    expect(baseRisk({ __label: 'Vulnerability', cvss: 9.8 }).base).toBe(4.9);
  });

  it('takes effectiveness from the MITIGATES edge, else the control, else the default', () => {
    expect(effectivenessOf(fact('n', 'c', 0.9, 0.2))).toEqual({ effectiveness: 0.9, source: 'MITIGATES_EDGE' });
    expect(effectivenessOf(fact('n', 'c', null, 0.2))).toEqual({ effectiveness: 0.2, source: 'CONTROL' });
    expect(effectivenessOf(fact('n', 'c', null, null))).toEqual({ effectiveness: DEFAULT_CONTROL_EFFECTIVENESS, source: 'DEFAULT' });
    expect(effectivenessOf(fact('n', 'c', 1.7, null)).effectiveness).toBe(1);
  });

  it('multiplies (1 − effectiveness) over distinct controls on the path and ignores controls off the path', () => {
    const s = scorePath(4, ['a', 'b'], [fact('a', 'c1', 0.5, null), fact('b', 'c2', 0.2, null), fact('z', 'c3', 0.9, null)]);
    expect(s.residualFactor).toBe(0.4);
    expect(s.score).toBe(1.6);
    expect(s.mitigated).toBe(true);
    expect(s.blocked).toBe(false);
    expect(s.controlsByNode.get('a')?.map((c) => c.controlId)).toEqual(['c1']);
    expect(s.controlsByNode.has('z')).toBe(false);
  });

  it('counts a control implemented at two steps once, with its strongest claim', () => {
    const s = scorePath(10, ['a', 'b'], [fact('a', 'c1', 0.5, null), fact('b', 'c1', 0.5, null), fact('b', 'c1', 0.8, null, 'T2')]);
    expect(s.residualFactor).toBe(0.2);
    expect(s.score).toBe(2);
  });

  it('reports an unmitigated path with factor 1 and a fully effective control as blocking', () => {
    expect(scorePath(3, ['a'], [])).toMatchObject({ residualFactor: 1, score: 3, mitigated: false, blocked: false });
    expect(scorePath(3, ['a'], [fact('a', 'c', 1, null)])).toMatchObject({ score: 0, mitigated: true, blocked: true });
  });

  it('orders paths by score, then length, then ids', () => {
    const paths = [
      { score: 1, nodeIds: ['t', 'a', 'd'] },
      { score: 2, nodeIds: ['t', 'b', 'c', 'd'] },
      { score: 2, nodeIds: ['t', 'b', 'd'] },
      { score: 2, nodeIds: ['t', 'a', 'd'] },
    ];
    expect([...paths].sort(comparePaths).map((p) => p.nodeIds.join(''))).toEqual(['tad', 'tbd', 'tbcd', 'tad']);
  });

  it('combines threats as a probabilistic OR on the 0..10 scale and explains it', () => {
    expect(combineExposure([])).toBe(0);
    expect(combineExposure([5])).toBe(5);
    expect(combineExposure([5, 5])).toBe(7.5);
    expect(combineExposure([10, 1])).toBe(10);
    expect(explainExposure(0, [], false)).toMatch(/No threat/);
    expect(explainExposure(7.5, [{ threatId: 'T1', best: 5, pathCount: 2, mitigated: 1, unmitigated: 1 }], true)).toMatch(
      /1 threat\(s\).*1 of them.*T1 5.*lower bounds/,
    );
  });

  it('accepts maxHops 1..8 only', () => {
    expect(checkHops(undefined)).toEqual({ ok: true, hops: 5 });
    expect(checkHops(1)).toEqual({ ok: true, hops: 1 });
    expect(checkHops(8)).toEqual({ ok: true, hops: 8 });
    for (const bad of [0, 9, -1, 2.5]) expect(checkHops(bad)).toMatchObject({ ok: false, message: expect.stringMatching(/between 1 and 8/) });
  });
});
