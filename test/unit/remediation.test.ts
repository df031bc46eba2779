/**
 * The remediation rule (src/domain/remediation.ts) on hand-written facts: which newer releases fix
 * every known-exploited vulnerability of the running one, the lowest, and whether it stays in each
 * certification's range. Expected values are worked out by hand in the comments.
 */
import { planRemediation, type CandidateFacts, type RemediationCoverage, type RemediationFacts } from '../../src/domain/remediation';

const asOf = '2025-06-01';
const cert = (id: string, min: string | null, max: string | null, validUntil = '2027-01-01'): RemediationCoverage => ({
  cert: { id, status: 'ACTIVE', issuedAt: '2024-01-01', validUntil, history: [] },
  minOsVersion: min,
  maxOsVersion: max,
  supersededBy: [],
});
const release = (id: string, version: string, distance: number, affectedBy: string[], releasedAt: string | null = '2025-01-01'): CandidateFacts => ({
  id,
  name: `OS ${version}`,
  version,
  releasedAt,
  distance,
  affectedBy,
});
const kev = (id: string, kevDateAdded: string | null = '2025-02-12') => ({ id, kevDateAdded, kevDueDate: '2025-03-05' });

function facts(extra: Partial<RemediationFacts>): RemediationFacts {
  return {
    deploymentId: 'D',
    deviceId: 'X',
    release: { id: 'r17.6', name: 'OS 17.6', version: '17.6', releasedAt: '2024-07-29' },
    knownExploited: [kev('CVE-1'), kev('CVE-2')],
    candidates: [],
    coverage: [cert('C', '17.0', '17.9')],
    ...extra,
  };
}

describe('remediation', () => {
  it('picks the lowest release that fixes every CVE, and it keeps the scope', () => {
    // 17.7 still has CVE-2; 17.7.5 fixes both; 18.3.1 fixes both but is higher. 17.7.5 is inside 17.0..17.9.x.
    const plan = planRemediation(
      facts({ candidates: [release('r18.3.1', '18.3.1', 3, []), release('r17.7', '17.7', 1, ['CVE-2']), release('r17.7.5', '17.7.5', 2, [])] }),
      asOf,
    );
    expect(plan.knownExploitedIds).toEqual(['CVE-1', 'CVE-2']);
    expect(plan.candidates.map((c) => [c.id, c.fixesAll, c.stillAffectedBy])).toEqual([
      ['r17.7', false, ['CVE-2']],
      ['r17.7.5', true, []],
      ['r18.3.1', true, []],
    ]);
    expect(plan.lowestFixId).toBe('r17.7.5');
    expect(plan.certifications).toEqual([
      {
        certId: 'C',
        holds: true,
        currentInScope: true,
        fixInScope: true,
        explanation: 'the fix needs OS 17.7.5 or later; C covers 17.0 to 17.9.x, so patching keeps its certified scope',
      },
    ]);
    expect(plan.fixKeepsScope).toBe(true);
    expect(plan.explanation).toBe(
      'the fix needs OS 17.7.5 or later to fix CVE-1, CVE-2; it lies inside the certified scope of C, so patching keeps the fleet certified',
    );
  });

  it('says plainly when the only fix leaves every certified scope', () => {
    // only 18.3.1 fixes; C covers up to 17.9.x, K up to 17.x: both left.
    const plan = planRemediation(
      facts({
        candidates: [release('r17.7', '17.7', 1, ['CVE-1']), release('r18.3.1', '18.3.1', 2, [])],
        coverage: [cert('K', '17.0', '17'), cert('C', '17.0', '17.9')],
      }),
      asOf,
    );
    expect(plan.lowestFixId).toBe('r18.3.1');
    expect(plan.certifications.map((c) => [c.certId, c.currentInScope, c.fixInScope])).toEqual([
      ['C', true, false],
      ['K', true, false],
    ]);
    expect(plan.certifications[0]?.explanation).toBe('the fix needs OS 18.3.1 or later; C covers 17.0 to 17.9.x, so patching leaves its certified scope');
    expect(plan.fixKeepsScope).toBe(false);
    expect(plan.explanation).toBe(
      'the fix needs OS 18.3.1 or later to fix CVE-1, CVE-2, but C covers 17.0 to 17.9.x; K covers 17.0 to 17.x, so patching leaves the certified scope: the scope must be extended, or the risk accepted until it is',
    );
  });

  it('no newer release fixes everything (the seed iPad case: 18.0 is affected too)', () => {
    const plan = planRemediation(facts({ knownExploited: [kev('CVE-2025-24200')], candidates: [release('r18.0', '18.0', 1, ['CVE-2025-24200'])] }), asOf);
    expect(plan.lowestFixId).toBeNull();
    expect(plan.certifications[0]?.fixInScope).toBeNull();
    expect(plan.explanation).toBe(
      'OS 17.6 is affected by known-exploited CVE-2025-24200, and no newer release of its line out by 2025-06-01 fixes it (the newest known, OS 18.0, is still affected by CVE-2025-24200)',
    );
  });

  it('ignores releases not out by asOf, releases not newer by version, and CVEs listed after asOf', () => {
    const plan = planRemediation(
      facts({
        knownExploited: [kev('CVE-1'), kev('CVE-LATER', '2025-07-01')],
        candidates: [release('r17.7.5', '17.7.5', 2, [], '2025-07-01'), release('r17.5', '17.5', 1, []), release('r17.8', '17.8', 3, ['CVE-LATER'])],
      }),
      asOf,
    );
    // 17.7.5 is not out yet, 17.5 is older than 17.6; CVE-LATER does not count, so 17.8 fixes all.
    expect(plan.knownExploitedIds).toEqual(['CVE-1']);
    expect(plan.candidates.map((c) => c.id)).toEqual(['r17.8']);
    expect(plan.lowestFixId).toBe('r17.8');
  });

  it('nothing to fix, no release, an invalid certification', () => {
    expect(planRemediation(facts({ knownExploited: [] }), asOf).explanation).toBe(
      'OS 17.6 is affected by no known-exploited vulnerability listed by 2025-06-01; nothing to fix',
    );
    const none = planRemediation(facts({ release: null }), asOf);
    expect(none.explanation).toBe('D records no OS release it RUNS, so its known-exploited vulnerabilities cannot be judged');
    // the certifications the fleet relies on are still listed
    expect(none.certifications).toEqual([
      { certId: 'C', holds: true, currentInScope: false, fixInScope: null, explanation: "C covers 17.0 to 17.9.x; the fleet's OS release is not recorded" },
    ]);
    const expired = planRemediation(facts({ candidates: [release('r17.7.5', '17.7.5', 1, [])], coverage: [cert('C', '17.0', '17.9', '2024-12-31')] }), asOf);
    expect(expired.certifications[0]?.holds).toBe(false);
    expect(expired.certifications[0]?.fixInScope).toBe(true);
    expect(expired.fixKeepsScope).toBe(false);
    expect(expired.certifications[0]?.explanation).toBe(
      'the fix needs OS 17.7.5 or later; C covers 17.0 to 17.9.x, so patching keeps its certified scope (C itself does not hold on 2025-06-01)',
    );
  });
});
