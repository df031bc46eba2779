/**
 * The walk an analyst wants, end to end, on real data: from an empty database, load the seed,
 * import ATT&CK Mobile 17.1, the CISA KEV catalog, the shipped CVE JSON 5 records and the
 * Mappings Explorer KEV -> ATT&CK Mobile mapping, then ask through GraphQL (analyst key):
 *
 * - which node is ATT&CK T1461 (Lockscreen Bypass) now? the seed's threat it was joined to;
 * - riskPaths from it to the cleared iPad Pro (M4): Threat -EXPLOITS-> CVE-2025-24200
 *   -AFFECTS-> iPadOS release <-HAS_COMPONENT- device, each hop naming its source document;
 * - blastRadius of CVE-2025-24200: the fleets and the NATO clearance at risk;
 * - scopeDrift as of 2025-06-01: the iPad fleet with KEV_PAST_DUE.
 *
 * The data connect through one pair only: of the 14 CVEs in the mapping, CVE-2025-24200 is the one
 * with a shipped CVE record (data/cve-records), and its mapping row says `exploitation_technique`
 * T1461. The other 13 are KEV entries without records, so KEV creates them without AFFECTS.
 *
 * The integration files share one Neo4j and the seed's fixed ids, so this file starts by clearing
 * the database (the ATT&CK join needs the seed loaded before ATT&CK, and a leftover `attack:T1461`
 * would keep them apart) and ends by clearing it again and loading the seed alone, as the other
 * files expect it (the imports rewrite seed edges' provenance, e.g. CVE matching takes over the
 * seed's AFFECTS edges, so removing the documents alone would not restore the seed).
 *
 * docs/SCENARIO.md section 4 shows these queries and the answers. `WALK_OUTPUT=<file>` writes the
 * real answers of a run there as JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import { dataDir } from '../../src/config';
import { readDocument } from '../../src/importers/readDocument';
import { loadSeed } from '../../src/seed/loadSeed';
import { importDocument, type CountLine, type ImportSummary } from '../../src/services/importService';
import type { Database } from '../../src/store/database';
import { batchLoader } from '../../src/store/importStore';
import { KEYS, startTestApp, testDatabase, testNeo4jUri, type TestApp } from '../helpers/app';

const DATA = dataDir();
const refData = (p: string): string => readDocument(path.join(DATA, p));

// Whole catalogs in one transaction each, on a shared 2-core machine: minutes, not seconds.
const LONG_MS = 300_000;
jest.setTimeout(900_000);

const MAPPING_REF = 'mapping:kev mobile@07/28/2025 (ATT&CK 16.1)';
const CVE_MATCH_REF = 'cve-match:CVE-2025-24200';

const WALK_QUERIES = {
  technique: `query Technique($externalId: String!) {
  threats(filter: { externalIds: [$externalId] }) {
    edges { node { id name externalId tactics provenance { source sourceRef } exploits { edges { node { id } via { provenance { source sourceRef } } } } } }
  }
}`,
  riskPaths: `query TechniqueToClearedIpad($from: ID!, $to: ID = "device:ipad-pro-m4") {
  riskPaths(from: $from, to: $to, maxHops: 3, includeMitigated: true, first: 10) {
    source { id name }
    totalCount
    paths {
      score
      path {
        length
        nodes { __typename id name }
        edges { type direction from { id } to { id } relationship { provenance { source sourceRef } versionRange matchMethod imprecise } }
      }
    }
  }
}`,
  blastRadius: `query CveBlastRadius($vulnerabilityId: ID = "CVE-2025-24200") {
  blastRadius(vulnerabilityId: $vulnerabilityId, maxHops: 5) {
    truncated
    components { node { id } hops }
    deployments { node { id name } hops }
    certifications { certification { id name } affectedAsset { id } hops }
  }
}`,
  scopeDrift: `query IpadFleetDrift($organizationId: ID = "org:alliance-field-command", $asOf: Date = "2025-06-01") {
  scopeDrift(organizationId: $organizationId, asOf: $asOf) {
    atRiskCount
    deployments {
      deployment { id name }
      osRelease { id version }
      inScope
      atRisk
      findings { reason vulnerability { id } date }
    }
  }
}`,
};

interface Provenance {
  source: string;
  sourceRef: string | null;
}
interface PathEdge {
  type: string;
  direction: string;
  from: { id: string };
  to: { id: string };
  relationship: { provenance: Provenance; versionRange: string | null; matchMethod: string | null; imprecise: string | null };
}
interface RiskPaths {
  riskPaths: {
    source: { id: string; name: string };
    totalCount: number;
    paths: { score: number; path: { length: number; nodes: { __typename: string; id: string }[]; edges: PathEdge[] } }[];
  };
}
interface Blast {
  blastRadius: {
    truncated: boolean;
    components: { node: { id: string }; hops: number }[];
    deployments: { node: { id: string }; hops: number }[];
    certifications: { certification: { id: string }; affectedAsset: { id: string }; hops: number }[];
  };
}
interface Drift {
  scopeDrift: {
    atRiskCount: number;
    deployments: {
      deployment: { id: string };
      osRelease: { id: string; version: string } | null;
      inScope: boolean;
      atRisk: boolean;
      findings: { reason: string; vulnerability: { id: string } | null; date: string | null }[];
    }[];
  };
}

function line(lines: CountLine[], name: string): CountLine {
  return lines.find((l) => l.name === name) ?? { name, created: 0, updated: 0, unchanged: 0, skipped: 0, stale: 0 };
}

/** Deletes every node and relationship, in slices so a large leftover graph does not need one huge transaction. */
async function clearDatabase(db: Database): Promise<void> {
  for (;;) {
    const rows = await db.write(undefined, 'test walk clear', 'MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS deleted');
    if (Number(rows[0]?.deleted ?? 0) === 0) return;
  }
}

describe('the analyst walk on real data: ATT&CK technique -> CVE -> OS release -> cleared iPad', () => {
  let t: TestApp;
  let loader: Database;
  const answers: Record<string, unknown> = {};
  const imports: Record<string, ImportSummary> = {};

  beforeAll(async () => {
    t = await startTestApp();
    loader = testDatabase(testNeo4jUri(), LONG_MS);
    await clearDatabase(loader);
  });
  afterAll(async () => {
    try {
      await clearDatabase(loader);
      await loadSeed(loader);
      if (process.env.WALK_OUTPUT) fs.writeFileSync(process.env.WALK_OUTPUT, JSON.stringify({ answers, imports }, null, 2));
    } finally {
      await loader.close();
      await t.close();
    }
  });

  async function ask<T>(name: keyof typeof WALK_QUERIES, variables: Record<string, unknown> = {}): Promise<T> {
    const result = await t.run<T>(WALK_QUERIES[name], variables, KEYS.analyst);
    expect(result.errors).toBeUndefined();
    answers[name] = result.data;
    return result.data as T;
  }

  it('loads the seed, then ATT&CK Mobile 17.1, KEV, the CVE records and the KEV -> ATT&CK mapping', async () => {
    const seed = await loadSeed(loader);
    expect(seed.nodes.updated + seed.nodes.unchanged).toBe(0);
    const importAs = async (file: string): Promise<ImportSummary> => {
      const summary = await importDocument(batchLoader(loader), { text: refData(file), caller: 'test-walk', clearance: 'SECRET' });
      imports[file] = summary;
      return summary;
    };

    const attack = await importAs('mitre-attack-mobile/mobile-attack-17.1.json.gz');
    // T1461 Lockscreen Bypass is the seed's "Unauthorized access to a locked device" (externalId T1461).
    expect(attack.joined).toEqual(expect.arrayContaining([{ importedId: 'attack:T1461', existingId: 'threat:unauthorized-access' }]));

    const kev = await importAs('cisa-kev/known_exploited_vulnerabilities.json.gz');
    // 1404 entries; the seed's three CVEs already exist and are enriched, not created.
    expect(line(kev.nodes, 'Vulnerability').created).toBe(1401);

    const cve = await importAs('cve-records/cve-records.json.gz');
    expect(cve.changed).toBe(true);

    const mapping = await importAs('ctid-mappings-explorer/kev-07.28.2025_attack-16.1-mobile.json.gz');
    // 17 exploitation_technique rows; T1461 -> CVE-2025-24200 lands on the seed's own EXPLOITS edge (updated, not created).
    const exploits = line(mapping.relationships, 'EXPLOITS');
    expect(exploits).toMatchObject({ created: 16, updated: 1 });
    // The 79 shipped records are all KEV entries (updated, none created); 6 of the seed's 7 AFFECTS
    // edges are matched again and take the cve provenance (the 7th is the seed's FIXED edge to iOS 17.4).
    expect(line(cve.nodes, 'Vulnerability')).toMatchObject({ created: 0, updated: 79 });
    expect(line(cve.relationships, 'AFFECTS')).toMatchObject({ updated: 6 });
  });

  it('finds ATT&CK T1461 as the seed threat it was joined to, exploiting CVE-2025-24200 per the mapping', async () => {
    const data = await ask<{
      threats: { edges: { node: { id: string; exploits: { edges: { node: { id: string }; via: { provenance: Provenance } }[] } } }[] };
    }>('technique', { externalId: 'T1461' });
    const found = data.threats.edges.map((e) => e.node);
    expect(found.map((n) => n.id)).toEqual(['threat:unauthorized-access']);
    const exploited = found[0]?.exploits.edges.map((e) => [e.node.id, e.via.provenance.sourceRef]);
    expect(exploited).toEqual([['CVE-2025-24200', MAPPING_REF]]);
  });

  it('riskPaths: T1461 -EXPLOITS-> CVE-2025-24200 -AFFECTS-> iPadOS 17.6 <-HAS_COMPONENT- iPad Pro (M4), each hop with its source', async () => {
    const data = await ask<RiskPaths>('riskPaths', { from: 'threat:unauthorized-access' });
    const { paths } = data.riskPaths;
    const viaCve = paths.filter((p) => p.path.edges[0]?.type === 'EXPLOITS');
    // The iPad HAS_COMPONENT iPadOS 17.5, 17.6 and 18.0; the CVE record's ranges (iPadOS < 17.7 widened
    // to < 17.7.5, iOS and iPadOS < 18.3 widened to < 18.3.1) cover all three.
    expect(viaCve.map((p) => p.path.nodes.map((n) => n.id)).sort()).toEqual([
      ['threat:unauthorized-access', 'CVE-2025-24200', 'component:ipados-17.5', 'device:ipad-pro-m4'],
      ['threat:unauthorized-access', 'CVE-2025-24200', 'component:ipados-17.6', 'device:ipad-pro-m4'],
      ['threat:unauthorized-access', 'CVE-2025-24200', 'component:ipados-18.0', 'device:ipad-pro-m4'],
    ]);
    const to176 = viaCve.find((p) => p.path.nodes[2]?.id === 'component:ipados-17.6');
    expect(to176?.path.nodes.map((n) => n.__typename)).toEqual(['Threat', 'Vulnerability', 'Component', 'Device']);
    expect(to176?.path.edges.map((e) => [e.type, e.direction, e.relationship.provenance.source, e.relationship.provenance.sourceRef])).toEqual([
      ['EXPLOITS', 'FORWARD', 'mappings-explorer', MAPPING_REF],
      ['AFFECTS', 'FORWARD', 'cve', CVE_MATCH_REF],
      ['HAS_COMPONENT', 'BACKWARD', 'illustrative', 'illustrative: OS releases the model supports'],
    ]);
    // The seed's direct claim (TARGETS the device) is the fourth path.
    expect(paths.filter((p) => p.path.edges[0]?.type === 'TARGETS').map((p) => p.path.nodes.map((n) => n.id))).toEqual([
      ['threat:unauthorized-access', 'device:ipad-pro-m4'],
    ]);
    expect(data.riskPaths.totalCount).toBe(4);
  });

  it('blastRadius of CVE-2025-24200: every Apple fleet and the NATO clearance', async () => {
    const data = await ask<Blast>('blastRadius');
    const { blastRadius } = data;
    expect(blastRadius.truncated).toBe(false);
    // Matched from the record: "iPadOS" < 17.7 (read < 17.7.5) and "iOS and iPadOS" < 18.3 (read < 18.3.1),
    // no lower bound. The second entry also covers iPadOS 17.7.5, the release the description calls the fix.
    expect(blastRadius.components.filter((c) => c.hops === 1).map((c) => c.node.id)).toEqual([
      'component:ios-16.6',
      'component:ios-17.0',
      'component:ios-17.4',
      'component:ios-17.6',
      'component:ios-18.0',
      'component:ipados-17.5',
      'component:ipados-17.6',
      'component:ipados-17.7.5',
      'component:ipados-18.0',
    ]);
    // The record's "iOS and iPadOS < 18.3" has no lower bound: every seed iOS/iPadOS release is affected,
    // so every Apple fleet is reached through the release it RUNS (2 hops); the Galaxy pilot is not.
    expect(blastRadius.deployments.map((d) => [d.node.id, d.hops])).toEqual([
      ['deployment:civil-iphone-12', 2],
      ['deployment:field-iphone-15-pro-ios18', 2],
      ['deployment:field-planners-ipad-pro', 2],
      ['deployment:mod-staff-iphone-15', 2],
    ]);
    // Each certification at risk through its first device by id, at 3 hops (AFFECTS, HAS_COMPONENT, CERTIFIES).
    expect(blastRadius.certifications.map((c) => [c.certification.id, c.affectedAsset.id, c.hops])).toEqual([
      ['cert:independent-evaluation-2024', 'device:iphone-15', 3],
      ['cert:national-approval-2023', 'device:iphone-12', 3],
      ['cert:national-approval-2024', 'device:iphone-15', 3],
      ['cert:nato-clearance-2024', 'device:iphone-15', 3],
    ]);
  });

  it('scopeDrift on 2025-06-01: the iPad fleet is in scope but at risk, CVE-2025-24200 past its KEV due date (and CVE-2023-41061)', async () => {
    const data = await ask<Drift>('scopeDrift');
    const ipad = data.scopeDrift.deployments.find((d) => d.deployment.id === 'deployment:field-planners-ipad-pro');
    expect(ipad).toMatchObject({ osRelease: { id: 'component:ipados-17.6', version: '17.6' }, inScope: true, atRisk: true });
    // CVE-2023-41061 too: its CISA ADP entry for ipados says 0 <= v < 16.6.1 affected with
    // defaultStatus "affected", which the importer reads literally (every other version affected).
    expect(ipad?.findings.map((f) => [f.reason, f.vulnerability?.id ?? null, f.date])).toEqual([
      ['KNOWN_EXPLOITED', 'CVE-2023-41061', null],
      ['KEV_PAST_DUE', 'CVE-2023-41061', '2023-10-02'],
      ['KNOWN_EXPLOITED', 'CVE-2025-24200', null],
      ['KEV_PAST_DUE', 'CVE-2025-24200', '2025-03-05'],
    ]);
  });
});
