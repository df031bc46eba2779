/**
 * Scope drift per clearance level (src/domain/driftLevels.ts) and the per-level drift event
 * (src/domain/feedEvents.ts driftChangedEvent with a view clearance): each level sees only the
 * items at or below it, chooses the first visible device model and release by id (as the
 * scopeDrift statement does), and an event never names a node above its view.
 */
import { assessDeployment } from '../../src/domain/drift';
import { factsAtLevel, type LeveledCert, type LeveledScope } from '../../src/domain/driftLevels';
import { driftChangedEvent, driftFingerprint } from '../../src/domain/feedEvents';

const U = 0;
const R = 1;
const S = 3;
const AS_OF = '2026-12-01';

function cert(id: string, classification: string, more: Partial<LeveledCert> = {}): LeveledCert {
  return { id, status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2030-01-01', classification, history: [], ...more };
}

function scope(): LeveledScope {
  return {
    deploymentId: 'deployment:f',
    name: 'F',
    classification: 'UNCLASSIFIED',
    level: U,
    osVersion: null,
    devices: [
      {
        id: 'device:a',
        level: U,
        implemented: [{ id: 'control:x', level: S }],
        coverage: [
          {
            cert: cert('cert:low', 'UNCLASSIFIED'),
            level: U,
            minOsVersion: '17.0',
            maxOsVersion: '17.9',
            supersededBy: [],
            required: [{ id: 'control:x', level: U }],
          },
          {
            cert: cert('cert:high', 'SECRET', {
              history: [{ status: 'REVOKED', effectiveFrom: '2025-01-01', classification: 'SECRET' }],
            }),
            level: S,
            minOsVersion: null,
            maxOsVersion: null,
            supersededBy: [],
            required: [],
          },
        ],
      },
    ],
    releases: [
      {
        id: 'component:os-b',
        level: R,
        version: '18.0',
        supportEndsAt: null,
        implemented: [],
        knownExploited: [{ id: 'CVE-1', classification: 'UNCLASSIFIED', level: U, kevDateAdded: '2024-01-01', kevDueDate: null }],
      },
      { id: 'component:os-a', level: S, version: '17.2', supportEndsAt: null, implemented: [], knownExploited: [] },
    ],
  };
}

const keysAt = (rank: number) => {
  const v = factsAtLevel(scope(), rank);
  return v ? driftFingerprint(assessDeployment(v.facts, AS_OF).findings) : null;
};

describe('scope drift per clearance level', () => {
  it('each level sees only what is at or below it and picks the first visible release by id', () => {
    // UNCLASSIFIED: no visible release (os-b is RESTRICTED), control:x implemented only at SECRET
    expect(keysAt(U)).toEqual(['OS_VERSION_UNKNOWN|cert:low||', 'REQUIRED_CONTROL_NOT_IMPLEMENTED|cert:low|control:x|']);
    // RESTRICTED: os-b (18.0, above the range) with its known-exploited CVE-1
    expect(keysAt(R)).toEqual(['KNOWN_EXPLOITED|||CVE-1', 'OS_NEWER_THAN_SCOPE|cert:low||', 'REQUIRED_CONTROL_NOT_IMPLEMENTED|cert:low|control:x|']);
    // SECRET: os-a comes first by id (17.2, in range), control:x implemented, the SECRET certification and its SECRET revocation visible
    expect(keysAt(S)).toEqual(['CERTIFICATION_NOT_VALID|cert:high||']);
  });

  it('a status entry above the level is not in that level’s history', () => {
    const sc = scope();
    const dev = sc.devices[0];
    if (!dev?.coverage[0]) throw new Error('fixture');
    dev.coverage[0].cert.history.push({ status: 'SUSPENDED', effectiveFrom: '2025-06-01', classification: 'SECRET' });
    const low = factsAtLevel(sc, U);
    expect(low?.facts.coverage[0]?.cert.history).toEqual([]);
    expect(factsAtLevel(sc, S)?.facts.coverage.find((c) => c.cert.id === 'cert:low')?.cert.history).toHaveLength(1);
  });

  it('a deployment above the level has no view there', () => {
    expect(factsAtLevel({ ...scope(), level: S }, R)).toBeNull();
    expect(factsAtLevel({ ...scope(), level: -1 }, S)).toBeNull();
  });

  it('the per-level event carries its view and leaves out a resolved finding about a node now above it', () => {
    const subject = {
      deployment: { id: 'deployment:f', name: 'F', classification: 'UNCLASSIFIED' },
      device: { id: 'device:a', classification: 'UNCLASSIFIED', edgeClassification: null },
      operators: [],
      markingOf: new Map<string, string | null>([
        ['cert:now-secret', 'SECRET'],
        ['CVE-1', 'UNCLASSIFIED'],
      ]),
    };
    const e = driftChangedEvent(subject, ['CERTIFICATION_NOT_VALID|cert:now-secret||'], ['KNOWN_EXPLOITED|||CVE-1'], AS_OF, 'test', 'UNCLASSIFIED');
    expect(e).toMatchObject({
      viewClearance: 'UNCLASSIFIED',
      classification: 'UNCLASSIFIED',
      findingsAdded: ['KNOWN_EXPLOITED|||CVE-1'],
      findingsResolved: [],
      certificationIds: [],
    });
    expect(e?.summary).not.toContain('now-secret');
    // nothing left to say at that level: no event
    expect(driftChangedEvent(subject, ['CERTIFICATION_NOT_VALID|cert:now-secret||'], [], AS_OF, 'test', 'UNCLASSIFIED')).toBeUndefined();
    // the SECRET view names it
    expect(driftChangedEvent(subject, ['CERTIFICATION_NOT_VALID|cert:now-secret||'], [], AS_OF, 'test', 'SECRET')).toMatchObject({
      viewClearance: 'SECRET',
      classification: 'SECRET',
      findingsResolved: ['CERTIFICATION_NOT_VALID|cert:now-secret||'],
    });
  });
});
