import {
  carriedByEntry,
  highestMarking,
  lineageEvents,
  matchesFilter,
  normalizeFilter,
  parseSequenceCursor,
  retryDelayMs,
  statusChangeEvent,
  type LineageCert,
  type LineageNeighbourhood,
  type StatusEntry,
} from '../../src/domain/events';
import { isPrivateHost, urlProblem } from '../../src/domain/webhooks';
import { basisChangeEvents } from '../../src/domain/feedEvents';

function cert(id: string, classification = 'UNCLASSIFIED', extra: Partial<LineageCert> = {}): LineageCert {
  return {
    id,
    name: `Name of ${id}`,
    classification,
    status: 'ACTIVE',
    issuedAt: '2024-01-01',
    validUntil: '2030-01-01',
    history: [],
    certifies: [],
    organizations: [],
    ...extra,
  };
}

/** The seed's chain: clearance -> evaluation -> crypto module validation; approval -> evaluation. */
function chain(clearanceMarking = 'UNCLASSIFIED'): LineageNeighbourhood {
  return {
    certs: [
      cert('crypto'),
      cert('evaluation', 'UNCLASSIFIED', { certifies: [{ id: 'device:phone', classification: 'UNCLASSIFIED', edgeClassification: null }] }),
      cert('approval'),
      cert('clearance', clearanceMarking, {
        certifies: [
          { id: 'device:phone', classification: 'UNCLASSIFIED', edgeClassification: null },
          { id: 'device:secret-phone', classification: 'SECRET', edgeClassification: null },
        ],
        organizations: [{ id: 'org:nato', classification: 'UNCLASSIFIED', edgeClassification: 'UNCLASSIFIED' }],
      }),
    ],
    basedOn: [
      { fromId: 'evaluation', toId: 'crypto', classification: 'UNCLASSIFIED' },
      { fromId: 'approval', toId: 'evaluation', classification: 'UNCLASSIFIED' },
      { fromId: 'clearance', toId: 'evaluation', classification: 'UNCLASSIFIED' },
      { fromId: 'clearance', toId: 'approval', classification: 'UNCLASSIFIED' },
    ],
    supersedes: [],
  };
}

const revoke: StatusEntry = {
  id: 'status:crypto:2026-12-01:REVOKED',
  certificationId: 'crypto',
  status: 'REVOKED',
  effectiveFrom: '2026-12-01',
  reason: 'key compromise',
  source: 'curator:alice',
  classification: 'UNCLASSIFIED',
};

function withEntry(n: LineageNeighbourhood, entry: StatusEntry): LineageNeighbourhood {
  return {
    ...n,
    certs: n.certs.map((c) =>
      c.id === entry.certificationId
        ? { ...c, history: [...c.history, { id: entry.id, status: entry.status, effectiveFrom: entry.effectiveFrom, recordedAt: '2026-12-01T00:00:00Z' }] }
        : c,
    ),
  };
}

describe('change feed events (pure)', () => {
  it('revoking the basis breaks every certification resting on it, transitively, naming the cause', () => {
    const drafts = lineageEvents(withEntry(chain(), revoke), [revoke]);
    expect(drafts.map((d) => [d.type, d.certificationIds[0]])).toEqual([
      ['LINEAGE_BROKEN', 'approval'],
      ['LINEAGE_BROKEN', 'clearance'],
      ['LINEAGE_BROKEN', 'evaluation'],
    ]);
    for (const d of drafts) {
      expect(d.causeIds).toEqual(['crypto']);
      expect(d.effectiveDate).toBe('2026-12-01');
      expect(d.source).toBe('curator:alice');
      expect(d.summary).toContain('no longer holds from 2026-12-01');
      expect(d.summary).toContain('crypto');
    }
  });

  it('marks a lineage event with the highest marking it reveals and leaves out related nodes above it', () => {
    const drafts = lineageEvents(withEntry(chain('SECRET'), revoke), [revoke]);
    const clearance = drafts.find((d) => d.certificationIds[0] === 'clearance');
    expect(clearance?.classification).toBe('SECRET');
    expect(clearance?.deviceIds).toEqual(['device:phone', 'device:secret-phone']);
    const evaluation = drafts.find((d) => d.certificationIds[0] === 'evaluation');
    expect(evaluation?.classification).toBe('UNCLASSIFIED');
    // an UNCLASSIFIED event never names the SECRET clearance
    for (const d of drafts.filter((x) => x.classification === 'UNCLASSIFIED')) expect(d.summary).not.toContain('clearance');

    const unclassifiedClearance = lineageEvents(withEntry(chain(), revoke), [revoke]).find((d) => d.certificationIds[0] === 'clearance');
    expect(unclassifiedClearance?.classification).toBe('UNCLASSIFIED');
    expect(unclassifiedClearance?.deviceIds).toEqual(['device:phone']);
  });

  it('a hidden BASED_ON claim raises the marking of the lineage event that follows it', () => {
    const n = chain();
    n.basedOn = n.basedOn.map((e) => (e.fromId === 'evaluation' ? { ...e, classification: 'CONFIDENTIAL' } : e));
    const drafts = lineageEvents(withEntry(n, revoke), [revoke]);
    expect(drafts.every((d) => d.classification === 'CONFIDENTIAL')).toBe(true);
  });

  it('restoring the basis restores the lineage; an entry that changes nothing emits nothing', () => {
    const revoked = withEntry(chain(), revoke);
    const reinstate: StatusEntry = { ...revoke, id: 'status:crypto:2026-12-10:ACTIVE', status: 'ACTIVE', effectiveFrom: '2026-12-10', reason: null };
    const drafts = lineageEvents(withEntry(revoked, reinstate), [reinstate]);
    expect(drafts.map((d) => d.type)).toEqual(['LINEAGE_RESTORED', 'LINEAGE_RESTORED', 'LINEAGE_RESTORED']);
    const again: StatusEntry = { ...revoke, id: 'status:crypto:2026-12-02:REVOKED', effectiveFrom: '2026-12-02' };
    expect(lineageEvents(withEntry(revoked, again), [again])).toEqual([]);
  });

  it('a status event carries old and new status; EXPIRED becomes CERTIFICATION_EXPIRED', () => {
    const c = chain().certs[0] as LineageCert;
    const e = statusChangeEvent(revoke, 'ACTIVE', c);
    expect(e).toMatchObject({ type: 'STATUS_CHANGED', oldStatus: 'ACTIVE', newStatus: 'REVOKED', effectiveDate: '2026-12-01', certificationIds: ['crypto'] });
    expect(e.summary).toBe('Name of crypto (crypto): ACTIVE → REVOKED from 2026-12-01 (key compromise)');
    expect(statusChangeEvent({ ...revoke, status: 'EXPIRED' }, 'ACTIVE', c).type).toBe('CERTIFICATION_EXPIRED');
    expect(statusChangeEvent({ ...revoke, classification: 'RESTRICTED' }, 'ACTIVE', c).classification).toBe('RESTRICTED');
  });

  it('a status event is carried by its entry only when a reader derives exactly its fields from the entry', () => {
    const c = chain().certs[0] as LineageCert;
    const e = statusChangeEvent(revoke, 'ACTIVE', c);
    expect(carriedByEntry(e, revoke)).toBe(true);
    expect(carriedByEntry(statusChangeEvent({ ...revoke, status: 'EXPIRED' }, 'ACTIVE', c), { ...revoke, status: 'EXPIRED' })).toBe(true);
    // any field the entry would answer differently: the event is a node of its own
    expect(carriedByEntry(e, { ...revoke, reason: null })).toBe(false);
    expect(carriedByEntry(e, { ...revoke, source: 'other' })).toBe(false);
    expect(carriedByEntry(e, { ...revoke, effectiveFrom: '2026-12-02' })).toBe(false);
    expect(carriedByEntry(e, { ...revoke, status: 'SUSPENDED' })).toBe(false);
    expect(carriedByEntry(e, { ...revoke, certificationId: 'other' })).toBe(false);
    expect(carriedByEntry({ ...e, type: 'STATUS_RETRACTED' }, revoke)).toBe(false);
    expect(carriedByEntry({ ...e, causeIds: ['x'] }, revoke)).toBe(false);
    // lineage events are never carried
    for (const d of lineageEvents(withEntry(chain(), revoke), [revoke])) expect(carriedByEntry(d, revoke)).toBe(false);
  });

  it('filters, cursors, markings and backoff', () => {
    const e = statusChangeEvent(revoke, 'ACTIVE', chain().certs[0] as LineageCert);
    expect(matchesFilter(e, normalizeFilter({ types: ['STATUS_CHANGED'], certificationIds: ['crypto', 'x'] }))).toBe(true);
    expect(matchesFilter(e, normalizeFilter({ deviceIds: ['device:phone'] }))).toBe(false);
    expect(matchesFilter(e, normalizeFilter({ types: [], deviceIds: null }))).toBe(true);
    expect(() => normalizeFilter({ deviceIds: Array.from({ length: 101 }, (_, i) => `d${i}`) })).toThrow(/deviceIds: at most 100/);
    expect(parseSequenceCursor(undefined)).toBe(0);
    expect(parseSequenceCursor('42')).toBe(42);
    expect(() => parseSequenceCursor('cG9zOjE=')).toThrow(/sequence number/);
    expect(highestMarking(['UNCLASSIFIED', null, 'CONFIDENTIAL', 'RESTRICTED'])).toBe('CONFIDENTIAL');
    expect(highestMarking(['NOT-A-MARKING'])).toBe('SECRET');
    expect([1, 2, 3, 4, 20].map((a) => retryDelayMs(a, 100, 1000))).toEqual([100, 200, 400, 800, 1000]);
  });

  it('webhook URLs: http(s) only, no credentials, private hosts per policy, allow-list', () => {
    const open = { allowedHosts: [], allowPrivate: true };
    const strict = { allowedHosts: [], allowPrivate: false };
    expect(urlProblem('http://127.0.0.1:9000/hook', open)).toBeNull();
    expect(urlProblem('ftp://example.com/x', open)).toMatch(/http or https/);
    expect(urlProblem('https://user:pw@example.com/x', open)).toMatch(/credentials/);
    expect(urlProblem('not a url', open)).toMatch(/absolute URL/);
    expect(urlProblem('http://127.0.0.1:9000/hook', strict)).toMatch(/loopback or private/);
    expect(urlProblem('http://[::1]:9000/hook', strict)).toMatch(/loopback or private/);
    expect(urlProblem('https://hooks.example.com/x', strict)).toBeNull();
    const listed = { allowedHosts: ['*.example.com', '127.0.0.1'], allowPrivate: false };
    expect(urlProblem('https://a.example.com/x', listed)).toBeNull();
    expect(urlProblem('https://example.org/x', listed)).toMatch(/not in WEBHOOK_ALLOWED_HOSTS/);
    expect(urlProblem('http://127.0.0.1/x', listed)).toBeNull();
    expect(['10.1.2.3', '192.168.0.1', '172.20.0.1', '169.254.169.254', 'localhost'].every(isPrivateHost)).toBe(true);
    expect(isPrivateHost('8.8.8.8')).toBe(false);
  });
});

describe('lineage events of a BASED_ON claim added or removed (pure)', () => {
  const revokedCrypto = (n: LineageNeighbourhood): LineageNeighbourhood => ({
    ...n,
    certs: n.certs.map((c) => (c.id === 'crypto' ? { ...c, status: 'REVOKED' } : c)),
  });
  const without = (n: LineageNeighbourhood, fromId: string, toId: string): LineageNeighbourhood => ({
    ...n,
    basedOn: n.basedOn.filter((e) => !(e.fromId === fromId && e.toId === toId)),
  });

  it('removing the only claim on a broken basis restores the certification and what rests on it, marked with the removed claim', () => {
    const before = revokedCrypto({ ...chain(), basedOn: chain().basedOn.map((e) => (e.fromId === 'evaluation' ? { ...e, classification: 'RESTRICTED' } : e)) });
    const after = without(before, 'evaluation', 'crypto');
    const events = basisChangeEvents(before, after, { certificationId: 'evaluation', basisId: 'crypto', kind: 'removed' }, 'curator:alice', '2026-12-02');
    expect(events.map((e) => [e.type, e.certificationIds[0]])).toEqual([
      ['LINEAGE_RESTORED', 'approval'],
      ['LINEAGE_RESTORED', 'clearance'],
      ['LINEAGE_RESTORED', 'evaluation'],
    ]);
    // the removed claim was RESTRICTED: every event reveals it
    expect(events.every((e) => e.classification === 'RESTRICTED')).toBe(true);
    expect(events.find((e) => e.certificationIds[0] === 'clearance')).toMatchObject({
      certificationIds: ['clearance', 'evaluation', 'crypto'],
      causeIds: ['crypto'],
      reason: 'BASED_ON claim removed',
      source: 'curator:alice',
      effectiveDate: '2026-12-02',
      deviceIds: ['device:phone'],
    });
  });

  it('a claim that changes no verdict writes nothing: another broken basis remains, or the new basis holds', () => {
    // the clearance rests on the evaluation directly and through the approval: removing one path leaves it broken
    const before = revokedCrypto(chain());
    const after = without(before, 'clearance', 'approval');
    expect(basisChangeEvents(before, after, { certificationId: 'clearance', basisId: 'approval', kind: 'removed' }, 'curator:alice', '2026-12-02')).toEqual([]);
    // a new claim on a holding basis
    const holding = chain();
    const added: LineageNeighbourhood = { ...holding, basedOn: [...holding.basedOn, { fromId: 'approval', toId: 'crypto', classification: null }] };
    expect(basisChangeEvents(holding, added, { certificationId: 'approval', basisId: 'crypto', kind: 'added' }, 'curator:alice', '2026-12-02')).toEqual([]);
  });

  it('adding a claim on a broken basis breaks the certification and what rests on it; a SECRET dependant gets its own SECRET event', () => {
    const n = chain('SECRET');
    const broken = cert('old-module', 'UNCLASSIFIED', { status: 'REVOKED' });
    const before: LineageNeighbourhood = {
      ...n,
      certs: n.certs.filter((c) => c.id !== 'crypto' && c.id !== 'evaluation'),
      basedOn: [{ fromId: 'clearance', toId: 'approval', classification: 'UNCLASSIFIED' }],
    };
    const after: LineageNeighbourhood = {
      ...before,
      certs: [...before.certs, broken],
      basedOn: [...before.basedOn, { fromId: 'approval', toId: 'old-module', classification: null }],
    };
    const events = basisChangeEvents(before, after, { certificationId: 'approval', basisId: 'old-module', kind: 'added' }, 'import', '2026-12-02');
    expect(events.map((e) => [e.type, e.certificationIds[0], e.classification])).toEqual([
      ['LINEAGE_BROKEN', 'approval', 'UNCLASSIFIED'],
      ['LINEAGE_BROKEN', 'clearance', 'SECRET'],
    ]);
    expect(events[0]?.summary).toContain('now rests on');
    expect(events[0]?.summary).not.toContain('clearance');
  });
});
