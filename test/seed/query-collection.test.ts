/**
 * Runs every operation in docs/queries against the seeded test database and checks the
 * answers. Files are discovered by listing the folder: a query file added later without an
 * expectation registered below fails this test.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { REPO_ROOT } from '../../src/config';
import type { Database } from '../../src/store/database';
import { ANALYTICS_QUERY_FILES } from '../helpers/analyticsQueries';
import { KEYS, startTestApp, testDatabase, testNeo4jUri, type TestApp } from '../helpers/app';
import { readSeed } from '../../src/seed/loadSeed';
import { freshSeed } from '../helpers/seed';
import { QUERY_COLLECTION_DIR, readQueryCollection } from '../../src/explorer/handler';
import { WARM_UP_CALLER, warmUp } from '../../src/runtime/warmup';

const QUERY_DIR = path.join(REPO_ROOT, 'docs', 'queries');

// Loading the seed is one bulk transaction: on a cold, busy database it can outlast the API's
// per-query timeout, so it gets its own driver with a longer one (as `npm run seed` does).
const SEED_TIMEOUT_MS = 300_000;
jest.setTimeout(SEED_TIMEOUT_MS);

interface Connection<T, V = unknown> {
  totalCount?: number;
  edges: { node: T; via?: V | null }[];
}
const nodes = <T, V>(c: Connection<T, V> | null | undefined): T[] => (c ? c.edges.map((e) => e.node) : []);
const ids = (items: readonly { id: string }[]): string[] => items.map((i) => i.id).sort();
const unique = (values: readonly string[]): string[] => [...new Set(values)].sort();

interface Named {
  id: string;
  name: string;
}
interface Range {
  scope?: string | null;
  minOsVersion: string | null;
  maxOsVersion: string | null;
}

/** Dotted-version comparison with a prefix upper bound ("17.9" covers 17.9.x), as in CERTIFIES. */
function inRange(version: string, min: string | null, max: string | null): boolean {
  const parse = (v: string) => v.split('.').map(Number);
  const cmp = (a: number[], b: number[]) => {
    for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
      const d = (a[i] ?? 0) - (b[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  };
  const v = parse(version);
  if (min && cmp(v, parse(min)) < 0) return false;
  if (max) {
    const hi = parse(max);
    if (cmp(v.slice(0, hi.length), hi) > 0) return false;
  }
  return true;
}

interface CertAsOf extends Named {
  kind: string;
  issuedAt: string | null;
  validUntil: string | null;
  status: string;
  statusOnDate: string | null;
  recordedStatus?: string;
  statusHistory: { id?: string; status: string; effectiveFrom: string; reason: string | null; classification?: string; provenance: { source: string } }[];
}

/** Apple's certifications on 2024-01-01: the 2023 approval in force, the 2024 ones not yet issued (null). */
const VENDOR_STATUS_ON_2024_01_01: Record<string, string | null> = {
  'cert:corecrypto-validation': 'ACTIVE',
  'cert:independent-evaluation-2024': null,
  'cert:national-approval-2023': 'ACTIVE',
  'cert:national-approval-2024': null,
  'cert:nato-clearance-2024': null,
};

type Runner = (key: string | null) => Promise<unknown>;
type Expectation = (data: unknown, runAs: Runner) => void | Promise<void>;

const CLEARED_DEVICES = ['device:ipad-pro-m4', 'device:iphone-15', 'device:iphone-15-pro'];
const SEED_DEPLOYMENTS = [
  'deployment:civil-galaxy-s24',
  'deployment:civil-iphone-12',
  'deployment:field-iphone-15-pro-ios18',
  'deployment:field-planners-ipad-pro',
  'deployment:mod-staff-iphone-15',
];

interface CertFacts extends Named {
  kind: string;
  status: string;
  issuedAt: string | null;
  validUntil: string | null;
  reference: string | null;
  issuer: Named | null;
  assessor: Named | null;
  standards: Connection<Named>;
}
interface LineageCert extends CertFacts {
  supersedes?: Connection<CertFacts>;
  basedOn?: Connection<LineageCert>;
}

interface DeviceWithParts extends Named {
  maker?: Named | null;
  components: Connection<Part, { role: string | null }>;
}
interface Part extends Named {
  kind?: string;
  suppliers?: Connection<Named & { kind: string }>;
  implementedControls?: Connection<Named>;
  subcomponents?: Connection<Part, { role: string | null }>;
}
interface Deployment extends Named {
  classification: string;
  deviceCount: number | null;
  osVersion: string | null;
  operator: Named | null;
  runs: Connection<Named & { version: string | null; vulnerabilities?: Connection<Vuln, { versionRange: string | null; vexState: string | null }> }>;
  device: (Named & { certifications: Connection<Named & { kind: string; status: string; validUntil: string | null }, Range> }) | null;
}
interface Vuln extends Named {
  cvss: number | null;
  knownExploited: boolean;
  exploitedBy: Connection<Named & { externalId: string | null }>;
}

/** True when the list is ordered by validUntil ascending. */
function validUntilSorted(items: readonly { validUntil: string | null }[]): boolean {
  return items.every((c, i) => i === 0 || String(items[i - 1]?.validUntil) <= String(c.validUntil));
}

/** Is the deployment inside the scope of an ACTIVE certification of its device? */
function insideScope(d: Deployment): boolean {
  const version = d.osVersion;
  if (!d.device || !version) return false;
  return d.device.certifications.edges.some(
    (e) => e.node.status === 'ACTIVE' && e.via !== null && e.via !== undefined && inRange(version, e.via.minOsVersion, e.via.maxOsVersion),
  );
}

/** Seed certifications (id, kind, dates) and status history entries, to compute expected answers. */
const SEED = readSeed();
const seedCerts = SEED.nodes
  .filter((n) => n.label === 'Certification')
  .map((n) => ({
    id: n.id,
    kind: String(n.kind),
    issuedAt: typeof n.issuedAt === 'string' ? n.issuedAt : null,
    validUntil: typeof n.validUntil === 'string' ? n.validUntil : null,
  }));
const utcDay = (offset: number): string => {
  const t = new Date();
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate() + offset)).toISOString().slice(0, 10);
};
interface CertDates extends Named {
  kind: string;
  reference: string | null;
  issuedAt?: string | null;
  validUntil: string | null;
}

const EXPECTATIONS: Record<string, Expectation> = {
  'certification-changes-between-dates.graphql': (data) => {
    const d = data as {
      statusChanges: {
        totalCount: number;
        items: { certification: { id: string }; change: { status: string; effectiveFrom: string; provenance: { source: string } } }[];
      };
      issued: Connection<CertDates>;
      validityEnded: Connection<CertDates>;
    };
    const inRange = (day: string | null | undefined) => typeof day === 'string' && day >= '2024-01-01' && day <= '2024-12-31';
    // Status changes: exactly the seed's history entries of 2024 (the 2023 approval expiring on 2024-02-01), among whatever else is in the graph.
    const seedIds = new Set(seedCerts.map((c) => c.id));
    const expected = SEED.statusChanges.filter((e) => inRange(e.effectiveFrom)).map((e) => `${e.certificationId} ${e.status} ${e.effectiveFrom}`);
    expect(expected).toContain('cert:national-approval-2023 EXPIRED 2024-02-01');
    const seen = d.statusChanges.items
      .filter((i) => seedIds.has(i.certification.id))
      .map((i) => `${i.certification.id} ${i.change.status} ${i.change.effectiveFrom}`);
    expect(seen.sort()).toEqual(expected.sort());
    for (const i of d.statusChanges.items) expect(inRange(i.change.effectiveFrom)).toBe(true);
    expect(d.statusChanges.items.find((i) => i.certification.id === 'cert:national-approval-2023')?.change.provenance.source).toBe('seed');
    // Issued in 2024 / validity ended in 2024: the seed's, each node in the range.
    expect(ids(nodes(d.issued)).filter((id) => seedIds.has(id))).toEqual(
      seedCerts
        .filter((c) => inRange(c.issuedAt))
        .map((c) => c.id)
        .sort(),
    );
    for (const c of nodes(d.issued)) expect(inRange(c.issuedAt)).toBe(true);
    expect(ids(nodes(d.validityEnded)).filter((id) => seedIds.has(id))).toEqual(['cert:national-approval-2023']);
    for (const c of nodes(d.validityEnded)) expect(inRange(c.validUntil)).toBe(true);
  },
  'crypto-module-validations-ending-soon.graphql': (data) => {
    const d = data as { certifications: Connection<CertDates & { certifies: Connection<Named & { kind?: string }> }> };
    const from = utcDay(0);
    const until = utcDay(365);
    for (const c of nodes(d.certifications)) {
      expect(c.kind).toBe('CERTIFICATE');
      expect(c.validUntil !== null && c.validUntil >= from && c.validUntil <= until).toBe(true);
    }
    const expectedSeed = seedCerts
      .filter((c) => c.kind === 'CERTIFICATE' && c.validUntil !== null && c.validUntil >= from && c.validUntil <= until)
      .map((c) => c.id);
    expect(d.certifications.totalCount ?? 0).toBeGreaterThanOrEqual(expectedSeed.length);
    const listed = validUntilSorted(nodes(d.certifications));
    expect(listed).toBe(true);
  },
  'consumer-devices-with-nato-clearance.graphql': (data) => {
    const d = data as {
      certifications: Connection<
        Named & { status: string; validUntil: string; issuer: Named; certifies: Connection<Named & { category: string; maker: Named }, Range> }
      >;
    };
    const clearances = nodes(d.certifications);
    expect(ids(clearances)).toEqual(['cert:nato-clearance-2024']);
    const clearance = clearances[0];
    expect(clearance?.issuer.id).toBe('org:nato');
    expect(clearance?.validUntil).toBe('2027-10-14');
    const certified = clearance?.certifies.edges ?? [];
    expect(certified.map((e) => e.node.id).sort()).toEqual(CLEARED_DEVICES);
    expect(unique(certified.map((e) => e.node.maker.id))).toEqual(['org:apple']);
    expect(unique(certified.map((e) => e.node.category))).toEqual(['PHONE', 'TABLET']);
    const iphone = certified.find((e) => e.node.id === 'device:iphone-15');
    expect(iphone?.via).toMatchObject({ minOsVersion: '17.0', maxOsVersion: '17.9' });
  },

  'iphone-clearance-lineage.graphql': (data) => {
    const d = data as { certifications: Connection<LineageCert & { certifies: Connection<Named, Range> }> };
    const clearances = nodes(d.certifications);
    expect(ids(clearances)).toEqual(['cert:nato-clearance-2024']);
    const clearance = clearances[0];
    expect(clearance).toMatchObject({
      kind: 'CLEARANCE',
      status: 'ACTIVE',
      issuedAt: '2024-10-15',
      validUntil: '2027-10-14',
      issuer: { id: 'org:nato' },
      assessor: { id: 'org:national-security-authority' },
    });
    expect(clearance?.reference).toMatch(/illustrative/);
    expect(clearance?.certifies.edges.find((e) => e.node.id === 'device:iphone-15')?.via).toMatchObject({ minOsVersion: '17.0', maxOsVersion: '17.9' });
    expect(ids(nodes(clearance?.standards))).toEqual(['standard:nato-ia-standards']);
    const basedOn = nodes(clearance?.basedOn);
    expect(ids(basedOn)).toEqual(['cert:independent-evaluation-2024', 'cert:national-approval-2024']);
    const approval = basedOn.find((c) => c.id === 'cert:national-approval-2024');
    expect(approval).toMatchObject({ kind: 'APPROVAL', issuer: { id: 'org:national-security-authority' }, assessor: { id: 'org:assessor-lab' } });
    expect(ids(nodes(approval?.standards))).toEqual(['standard:national-mobile-baseline']);
    // History: the approval replaced an earlier, expired one.
    expect(nodes(approval?.supersedes)).toEqual([expect.objectContaining({ id: 'cert:national-approval-2023', status: 'EXPIRED', validUntil: '2024-01-31' })]);
    expect(ids(nodes(approval?.basedOn))).toEqual(['cert:independent-evaluation-2024']);
    const evaluation = basedOn.find((c) => c.id === 'cert:independent-evaluation-2024');
    expect(evaluation).toMatchObject({ kind: 'EVALUATION', validUntil: '2027-06-13', assessor: { id: 'org:assessor-lab' } });
    expect(ids(nodes(evaluation?.standards))).toEqual(['standard:pp-mdf']);
    // The evaluation rests on the crypto module validation.
    const moduleValidation = nodes(evaluation?.basedOn)[0];
    expect(moduleValidation).toMatchObject({ id: 'cert:corecrypto-validation', kind: 'CERTIFICATE', issuer: { id: 'org:nist-cmvp' } });
    expect(ids(nodes(moduleValidation?.standards))).toEqual(['standard:fips-140-3']);
  },

  'hardware-behind-clearance.graphql': (data) => {
    const d = data as { devices: Connection<DeviceWithParts> };
    const devices = nodes(d.devices);
    expect(ids(devices)).toEqual(CLEARED_DEVICES);
    const securityParts = new Set<string>();
    const implemented = new Set<string>();
    const walk = (part: Part) => {
      if (part.kind === 'SECURITY_HARDWARE' || part.kind === 'FIRMWARE') securityParts.add(part.id);
      for (const c of nodes(part.implementedControls)) implemented.add(c.id);
      for (const child of nodes(part.subcomponents)) walk(child);
    };
    for (const device of devices) for (const part of nodes(device.components)) walk(part);
    for (const id of [
      'component:secure-enclave',
      'component:hardware-key-manager',
      'component:crypto-accelerator',
      'component:memory-protection',
      'component:boot-rom',
    ]) {
      expect(securityParts).toContain(id);
    }
    for (const id of ['control:secure-boot-verification', 'control:hardware-key-protection', 'control:data-encryption', 'control:memory-isolation'])
      expect(implemented).toContain(id);
    // Every certified device's SoC carries the secure enclave.
    for (const device of devices) {
      const soc = device.components.edges.find((e) => e.via?.role === 'soc')?.node;
      expect(ids(nodes(soc?.subcomponents))).toContain('component:secure-enclave');
    }
  },

  'controls-to-retain-clearance.graphql': (data) => {
    const d = data as {
      certification: {
        requiredControls: Connection<Named & { implementedBy: Connection<Named>; mitigates: Connection<Named, { effectiveness: number | null }> }>;
        basedOn: Connection<Named & { requiredControls: Connection<Named> }>;
      };
    };
    const required = nodes(d.certification.requiredControls);
    expect(d.certification.requiredControls.totalCount).toBe(5);
    expect(ids(required)).toEqual([
      'control:device-management-policy',
      'control:incident-response',
      'control:supply-chain-verification',
      'control:timely-patching',
      'control:vulnerability-remediation',
    ]);
    for (const control of required) expect(ids(nodes(control.implementedBy))).toEqual(expect.arrayContaining(CLEARED_DEVICES));
    const patching = required.find((c) => c.id === 'control:timely-patching');
    expect(ids(nodes(patching?.mitigates))).toEqual(expect.arrayContaining(['threat:cyber-intrusion', 'threat:kernel-privilege-escalation']));
    const evaluation = nodes(d.certification.basedOn).find((c) => c.id === 'cert:independent-evaluation-2024');
    expect(ids(nodes(evaluation?.requiredControls))).toContain('control:secure-boot-verification');
  },

  'boot-chain-threats.graphql': async (data, runAs) => {
    type Stage = Named & {
      dependencies: Connection<Named>;
      threats: Connection<
        Named & {
          externalId: string | null;
          severity: number;
          mitigatedBy: Connection<Named & { implementedBy: Connection<{ id: string }> }, { effectiveness: number | null }>;
        }
      >;
    };
    const d = data as { components: Connection<Stage> };
    const stages = nodes(d.components);
    expect(ids(stages)).toEqual(['component:boot-rom', 'component:iboot', 'component:xnu-kernel']);
    const byId = new Map(stages.map((s) => [s.id, s]));
    expect(ids(nodes(byId.get('component:iboot')?.dependencies))).toEqual(['component:boot-rom']);
    expect(ids(nodes(byId.get('component:xnu-kernel')?.dependencies))).toContain('component:iboot');
    const tampering = nodes(byId.get('component:iboot')?.threats).find((t) => t.id === 'threat:firmware-tampering');
    expect(tampering).toMatchObject({ externalId: 'T1398', severity: 9 });
    const boot = tampering?.mitigatedBy.edges.find((e) => e.node.id === 'control:secure-boot-verification');
    expect(boot?.via?.effectiveness).toBe(0.8);
    expect(ids(nodes(boot?.node.implementedBy))).toEqual(['component:boot-rom', 'component:iboot']);
    const kernelThreats = nodes(byId.get('component:xnu-kernel')?.threats);
    expect(kernelThreats.map((t) => t.externalId)).toEqual(['T1404']);
    expect(nodes(byId.get('component:boot-rom')?.threats)).toEqual([]);
    // An anonymous viewer gets the same public answer.
    const anonymous = (await runAs(null)) as { components: Connection<Stage> };
    expect(ids(nodes(anonymous.components))).toEqual(ids(stages));
  },

  'deployments-versus-certified-scope.graphql': async (data, runAs) => {
    const d = data as { deployments: Connection<Deployment> };
    const seeded = nodes(d.deployments).filter((x) => SEED_DEPLOYMENTS.includes(x.id));
    expect(ids(seeded)).toEqual(SEED_DEPLOYMENTS);
    const outside = ids(seeded.filter((x) => !insideScope(x)));
    expect(outside).toEqual(['deployment:civil-galaxy-s24', 'deployment:civil-iphone-12', 'deployment:field-iphone-15-pro-ios18']);
    const ios18 = seeded.find((x) => x.id === 'deployment:field-iphone-15-pro-ios18');
    expect(ios18?.osVersion).toBe('18.0');
    expect(ids(nodes(ios18?.runs))).toEqual(['component:ios-18.0']);
    expect(ios18?.device?.certifications.edges.find((e) => e.node.id === 'cert:nato-clearance-2024')?.via).toMatchObject({ maxOsVersion: '17.9' });
    const iphone12 = seeded.find((x) => x.id === 'deployment:civil-iphone-12');
    expect(nodes(iphone12?.device?.certifications)).toEqual([expect.objectContaining({ id: 'cert:national-approval-2023', status: 'EXPIRED' })]);
    // Markings: an anonymous (UNCLASSIFIED) caller does not see the RESTRICTED and CONFIDENTIAL fleets.
    const anonymous = (await runAs(null)) as { deployments: Connection<Deployment> };
    const visible = ids(nodes(anonymous.deployments).filter((x) => SEED_DEPLOYMENTS.includes(x.id)));
    expect(visible).toEqual(['deployment:civil-iphone-12', 'deployment:field-iphone-15-pro-ios18', 'deployment:mod-staff-iphone-15']);
  },

  'suppliers-of-certified-devices.graphql': (data) => {
    const d = data as { certification: { certifies: Connection<DeviceWithParts> } };
    const suppliers = new Map<string, string>();
    const walk = (part: Part) => {
      for (const s of nodes(part.suppliers)) suppliers.set(s.id, s.kind);
      for (const child of nodes(part.subcomponents)) walk(child);
    };
    const devices = nodes(d.certification.certifies);
    expect(ids(devices)).toEqual(CLEARED_DEVICES);
    for (const device of devices) {
      expect(device.maker?.id).toBe('org:apple');
      for (const part of nodes(device.components)) walk(part);
    }
    expect([...suppliers.keys()].sort()).toEqual(['org:apple', 'org:qualcomm', 'org:samsung-display', 'org:third-party-app-developer', 'org:tsmc']);
    expect(suppliers.get('org:tsmc')).toBe('SUPPLIER');
  },

  'vulnerabilities-in-deployed-os.graphql': (data) => {
    const d = data as { deployments: Connection<Deployment> };
    const byId = new Map(nodes(d.deployments).map((x) => [x.id, x]));
    const cves = (id: string) => {
      const os = nodes(byId.get(id)?.runs)[0];
      return (os?.vulnerabilities?.edges ?? [])
        .filter((e) => e.via?.vexState === 'AFFECTED')
        .map((e) => e.node.id)
        .sort();
    };
    expect(cves('deployment:civil-iphone-12')).toEqual(['CVE-2023-41064', 'CVE-2024-23225']);
    expect(cves('deployment:field-iphone-15-pro-ios18')).toEqual(['CVE-2025-24200']);
    expect(cves('deployment:field-planners-ipad-pro')).toEqual(['CVE-2025-24200']);
    expect(cves('deployment:mod-staff-iphone-15')).toEqual([]);
    const os = nodes(byId.get('deployment:civil-iphone-12')?.runs)[0];
    const blastpass = os?.vulnerabilities?.edges.find((e) => e.node.id === 'CVE-2023-41064');
    expect(blastpass?.node).toMatchObject({ cvss: 7.8, knownExploited: true });
    expect(blastpass?.via?.versionRange).toBe('< 16.6.1');
    expect(ids(nodes(blastpass?.node.exploitedBy))).toEqual(['threat:cyber-intrusion', 'threat:zero-click-spyware']);
  },

  'device-certifications-as-of.graphql': (data) => {
    const d = data as { device: Named & { certifications: Connection<CertAsOf, Range> } };
    const certs = nodes(d.device.certifications);
    // on 2024-01-01 the 2023 approval was in force (valid until 2024-01-31); today it is EXPIRED
    expect(certs.map((c) => [c.id, c.status, c.statusOnDate, c.recordedStatus, c.validUntil])).toEqual([
      ['cert:national-approval-2023', 'EXPIRED', 'ACTIVE', 'EXPIRED', '2024-01-31'],
    ]);
    expect(certs[0]?.statusHistory.map((e) => [e.id, e.status, e.effectiveFrom, e.provenance.source, e.classification])).toEqual([
      ['status:cert:national-approval-2023:2023-02-01:ACTIVE', 'ACTIVE', '2023-02-01', 'seed', 'UNCLASSIFIED'],
      ['status:cert:national-approval-2023:2024-02-01:EXPIRED', 'EXPIRED', '2024-02-01', 'seed', 'UNCLASSIFIED'],
    ]);
    expect(certs[0]?.statusHistory[1]?.reason).toBe('validity period ended (last day 2024-01-31)');
  },

  'vendor-certifications-as-of.graphql': (data) => {
    const o = data as {
      organization: Named & {
        devices: Connection<Named & { certifications: Connection<CertAsOf> }>;
        suppliedComponents: Connection<Named & { kind: string; certifications: Connection<CertAsOf> }>;
      };
    };
    const onDate = new Map<string, string | null>();
    for (const holder of [...nodes(o.organization.devices), ...nodes(o.organization.suppliedComponents)])
      for (const c of nodes(holder.certifications)) onDate.set(c.id, c.statusOnDate);
    expect(ids(nodes(o.organization.devices))).toEqual(['device:ipad-pro-m4', 'device:iphone-12', 'device:iphone-15', 'device:iphone-15-pro']);
    expect(Object.fromEntries([...onDate].sort())).toEqual(VENDOR_STATUS_ON_2024_01_01);
  },

  'competing-devices-without-clearance.graphql': (data) => {
    const d = data as { devices: Connection<Named & { maker: Named | null; certifications: Connection<Named & { status: string }> }> };
    const all = nodes(d.devices);
    expect(ids(all)).toEqual(['device:galaxy-s24', ...CLEARED_DEVICES, 'device:iphone-12'].sort());
    const uncertified = all.filter((x) => x.certifications.totalCount === 0);
    expect(uncertified.map((x) => [x.id, x.maker?.id])).toEqual([['device:galaxy-s24', 'org:samsung']]);
  },
  'what-if-verified-boot-fails.graphql': (data) => {
    const d = data as {
      riskPaths: {
        totalCount: number;
        paths: { score: number; steps: { controls: { control: { id: string }; effectiveness: number; effectivenessSource: string }[] }[] }[];
        whatIf: {
          totalCountBefore: number;
          scoreChanged: { scoreDelta: number; before: { score: number }; after: { score: number } }[];
          lostMitigation: unknown[];
        };
      };
      exposure: { score: number; whatIf: { scoreBefore: number; scoreAfter: number; scoreDelta: number; changedThreats: unknown[] } };
    };
    // five routes before and after; the four boot-chain routes rise from 0.9 × 0.2 × 0.5 × 0.6 = 0.054 to 0.27
    expect([d.riskPaths.totalCount, d.riskPaths.whatIf.totalCountBefore]).toEqual([5, 5]);
    expect(d.riskPaths.whatIf.scoreChanged.map((c) => [c.before.score, c.after.score, c.scoreDelta])).toEqual(Array(4).fill([0.054, 0.27, 0.216]));
    expect(d.riskPaths.whatIf.lostMitigation).toEqual([]);
    const boot = d.riskPaths.paths.flatMap((p) => p.steps.flatMap((s) => s.controls)).filter((c) => c.control.id === 'control:secure-boot-verification');
    expect(boot.length).toBe(4);
    expect(boot.every((c) => c.effectiveness === 0 && c.effectivenessSource === 'ASSUMED')).toBe(true);
    // the best route (0.54, through the baseband firmware) is not guarded by verified boot: exposure unchanged
    expect(d.riskPaths.paths[0]?.score).toBe(0.54);
    expect(d.exposure.whatIf).toEqual({ scoreBefore: d.exposure.score, scoreAfter: d.exposure.score, scoreDelta: 0, changedThreats: [], notApplied: [] });
  },
  'what-if-staff-fleet-on-ios-18.graphql': (data) => {
    const d = data as {
      scopeDrift: {
        driftingCount: number;
        deployments: { osVersion: string; inScope: boolean; coveredBy: unknown[] }[];
        whatIf: {
          before: { driftingCount: number; deployments: { osVersion: string; inScope: boolean; coveredBy: { id: string }[] }[] };
          appeared: { finding: { reason: string; certification: { id: string } | null; vulnerability: { id: string } | null } }[];
          resolved: { finding: { reason: string } }[];
          leftScope: { id: string }[];
        };
      };
    };
    const w = d.scopeDrift.whatIf;
    expect(w.before.deployments[0]).toMatchObject({ osVersion: '17.4', inScope: true });
    expect(w.before.deployments[0]?.coveredBy.length).toBe(3);
    expect(d.scopeDrift.deployments[0]).toMatchObject({ osVersion: '18.0', inScope: false, coveredBy: [] });
    expect(w.appeared.map((a) => [a.finding.reason, a.finding.certification?.id ?? a.finding.vulnerability?.id])).toEqual([
      ['OS_NEWER_THAN_SCOPE', 'cert:independent-evaluation-2024'],
      ['OS_NEWER_THAN_SCOPE', 'cert:national-approval-2024'],
      ['OS_NEWER_THAN_SCOPE', 'cert:nato-clearance-2024'],
      ['KNOWN_EXPLOITED', 'CVE-2025-24200'],
      ['KEV_PAST_DUE', 'CVE-2025-24200'],
    ]);
    // iOS 17.4's support had ended by 2025-06-01; iOS 18.0's had not
    expect(w.resolved.map((r) => r.finding.reason)).toEqual(['OS_SUPPORT_ENDED']);
    expect(w.leftScope.map((x) => x.id)).toEqual(['deployment:mod-staff-iphone-15']);
    expect([w.before.driftingCount, d.scopeDrift.driftingCount]).toEqual([0, 1]);
  },
  'what-if-baseband-cut.graphql': (data) => {
    const d = data as {
      riskPaths: {
        totalCount: number;
        whatIf: { totalCountBefore: number; disappeared: { score: number; mitigated: boolean; path: { nodes: { id: string }[] } }[] };
      };
      blastRadius: { devices: unknown[]; whatIf: { reached: unknown[]; noLongerReached: { node: { id: string }; hops: number }[] } };
    };
    expect([d.riskPaths.whatIf.totalCountBefore, d.riskPaths.totalCount]).toEqual([1, 0]);
    expect(d.riskPaths.whatIf.disappeared.map((p) => [p.score, p.mitigated, p.path.nodes.map((n) => n.id)])).toEqual([
      [0.9, false, ['threat:firmware-tampering', 'component:baseband-firmware', 'component:modem-x70']],
    ]);
    expect(d.blastRadius.devices).toEqual([]);
    expect(d.blastRadius.whatIf.reached).toEqual([]);
    expect(d.blastRadius.whatIf.noLongerReached[0]).toEqual({ node: { id: 'component:modem-x70' }, hops: 1 });
    expect(d.blastRadius.whatIf.noLongerReached.map((h) => h.node.id)).toEqual(
      expect.arrayContaining(['device:iphone-15', 'device:iphone-15-pro', 'deployment:mod-staff-iphone-15']),
    );
  },
};

function queryFiles(): string[] {
  return fs
    .readdirSync(QUERY_DIR)
    .filter((f) => f.endsWith('.graphql'))
    .sort();
}

describe('query collection (docs/queries) over the seed scenario', () => {
  let t: TestApp;
  let loader: Database;
  beforeAll(async () => {
    t = await startTestApp();
    loader = testDatabase(testNeo4jUri(), SEED_TIMEOUT_MS);
    await freshSeed(loader);
  });
  afterAll(async () => {
    await loader.close();
    await t.close();
  });

  it('has the analyst questions of issue 4 and an expectation for no file that is missing', () => {
    const files = queryFiles();
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const name of Object.keys(EXPECTATIONS)) expect(files).toContain(name);
  });

  it.each(queryFiles())('%s answers as documented', async (file) => {
    const text = fs.readFileSync(path.join(QUERY_DIR, file), 'utf8');
    expect(text.startsWith('#')).toBe(true);
    const operations = parse(text).definitions.filter((def): def is OperationDefinitionNode => def.kind === Kind.OPERATION_DEFINITION);
    expect(operations).toHaveLength(1);
    expect(operations[0]?.name?.value).toMatch(/^[A-Z][A-Za-z0-9]+$/);

    const expectation = EXPECTATIONS[file];
    // analytics files are checked in detail by test/analytics/seed-analytics.test.ts, which fails when it does not run one of them
    const elsewhere = ANALYTICS_QUERY_FILES.includes(file);
    if (!expectation && !elsewhere)
      throw new Error(`docs/queries/${file} has no expectation in test/seed/query-collection.test.ts: register the answer it must give`);

    const runAs: Runner = async (key) => {
      const result = await t.run(text, {}, key);
      expect(result.errors).toBeUndefined();
      return result.data;
    };
    const data = await runAs(KEYS.admin);
    expect(data).toBeTruthy();
    if (expectation) {
      await expectation(data, runAs);
      return;
    }
    // Every top-level field answered (not null); the detailed answer is checked by seed-analytics.
    for (const value of Object.values(data as Record<string, unknown>)) expect(value).not.toBeNull();
  });

  it('the start-up warm-up (src/runtime/warmup.ts) runs every read operation of the collection once, without an error, as its own caller', async () => {
    const operations = await readQueryCollection(QUERY_COLLECTION_DIR);
    const executed: string[] = [];
    const result = await warmUp(
      operations,
      async (query, operationName, variables) => {
        executed.push(String(operationName));
        const contextValue = await t.app.contextFor({}, WARM_UP_CALLER);
        expect(contextValue.caller).toEqual(WARM_UP_CALLER);
        const response = await t.app.apollo.executeOperation({ query, operationName, variables }, { contextValue });
        return response.body.kind === 'single' ? { errors: response.body.singleResult.errors } : {};
      },
      new AbortController().signal,
    );
    expect(result.failed).toEqual([]);
    const reads = queryFiles().filter((file) => /^\s*query\b/m.test(fs.readFileSync(path.join(QUERY_DIR, file), 'utf8')));
    expect(reads.length).toBeGreaterThanOrEqual(7);
    expect(result.warmed).toBe(reads.length);
    expect(executed).toHaveLength(reads.length);
  });
});
