/**
 * The later event kinds of the change feed (src/domain/feedEvents.ts): drift events name what
 * changed and are marked with it; KEV events leave out deployments above their marking.
 */
import { driftChangedEvent, driftFindingKey, feedStateIdsOf, kevAffectsEvent } from '../../src/domain/feedEvents';

describe('feed events', () => {
  const subject = {
    deployment: { id: 'deployment:a', name: 'Fleet A', classification: 'RESTRICTED' },
    device: { id: 'device:x', classification: 'UNCLASSIFIED', edgeClassification: null },
    operators: [{ id: 'org:secret-op', classification: 'SECRET', edgeClassification: null }],
    markingOf: new Map<string, string | null>([['CVE-1', 'UNCLASSIFIED']]),
  };
  const kev = driftFindingKey({ reason: 'KNOWN_EXPLOITED', certificationId: null, controlId: null, vulnerabilityId: 'CVE-1' });

  it('names added and resolved findings; nothing when equal', () => {
    const e = driftChangedEvent(subject, ['OS_SUPPORT_ENDED|||'], [kev], '2026-12-01', 'test');
    expect(e).toMatchObject({
      type: 'SCOPE_DRIFT_CHANGED',
      classification: 'RESTRICTED',
      deploymentIds: ['deployment:a'],
      deviceIds: ['device:x'],
      organizationIds: [],
      vulnerabilityIds: ['CVE-1'],
      findingsAdded: [kev],
      findingsResolved: ['OS_SUPPORT_ENDED|||'],
    });
    expect(e?.summary).not.toContain('secret-op');
    expect(driftChangedEvent(subject, [kev], [kev], '2026-12-01', 'test')).toBeUndefined();
  });

  it('an unknown named node marks the event SECRET', () => {
    const e = driftChangedEvent(subject, [], ['KNOWN_EXPLOITED|||CVE-unknown'], '2026-12-01', 'test');
    expect(e?.classification).toBe('SECRET');
  });

  it('KEV_AFFECTS names only deployments and devices at or below its marking', () => {
    const e = kevAffectsEvent(
      { id: 'CVE-1', name: 'x', classification: 'UNCLASSIFIED' },
      null,
      {
        release: { id: 'component:os-1', name: 'OS 1', classification: 'UNCLASSIFIED' },
        runners: [
          {
            deployment: { id: 'deployment:low', classification: 'UNCLASSIFIED', edgeClassification: null },
            device: { id: 'device:low', classification: 'UNCLASSIFIED', edgeClassification: null },
            operators: [],
          },
          {
            deployment: { id: 'deployment:high', classification: 'SECRET', edgeClassification: null },
            device: { id: 'device:high', classification: 'UNCLASSIFIED', edgeClassification: null },
            operators: [],
          },
        ],
        models: [],
      },
      'test',
      '2026-12-01',
    );
    expect(e).toMatchObject({ classification: 'UNCLASSIFIED', deploymentIds: ['deployment:low'], deviceIds: ['component:os-1', 'device:low'] });
  });

  it('a deleted deployment or component takes its own stored feed state with it; other labels have none', () => {
    expect(feedStateIdsOf('Deployment', 'deployment:a')).toEqual([
      'drift:UNCLASSIFIED:deployment:a',
      'drift:RESTRICTED:deployment:a',
      'drift:CONFIDENTIAL:deployment:a',
      'drift:SECRET:deployment:a',
    ]);
    expect(feedStateIdsOf('Component', 'component:ios-17')).toEqual(['kev:component:ios-17']);
    expect(feedStateIdsOf('Certification', 'cert:x')).toEqual([]);
    expect(feedStateIdsOf('Vulnerability', 'CVE-1')).toEqual([]);
  });
});
