/**
 * Imports obey the caller's clearance exactly as `link`, `upsert*` and `deleteNode` do (issue 12,
 * items 1-4): a hidden endpoint is answered like a missing one and nothing is written to or from
 * it; a hidden relationship is neither changed nor revealed (the import answers as for a pair with
 * no edge); stale marking and its counts see only what the caller sees and only the document of
 * exactly that name; ids are validated and unique across labels as for `upsert*`. Every dry run
 * is checked to report what the real run then does.
 */
import type { Database } from '../../src/store/database';
import { KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';

jest.setTimeout(300000);

interface Count {
  name: string;
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  stale: number;
}
interface Summary {
  dryRun: boolean;
  changed: boolean;
  nodes: Count[];
  relationships: Count[];
  problems: string[];
}
type ImportResult = { importDocument: Summary };

const IMPORT = `mutation($format: ImportFormat, $document: String!, $name: String, $dryRun: Boolean) {
  importDocument(format: $format, document: $document, name: $name, dryRun: $dryRun) {
    dryRun changed
    nodes { name created updated unchanged skipped stale }
    relationships { name created updated unchanged skipped stale }
    problems
  }
}`;

const ZERO = { created: 0, updated: 0, unchanged: 0, skipped: 0, stale: 0 };
function line(lines: Count[] | undefined, name: string): Omit<Count, 'name'> {
  const found = (lines ?? []).find((l) => l.name === name);
  if (!found) return { ...ZERO };
  const { name: _n, ...counts } = found;
  return counts;
}

/** Removes every node whose id contains the prefix (imported ids carry it inside, e.g. `nist-800-53:<prefix>zz-98`). */
async function removeAll(db: Database, prefix: string): Promise<void> {
  await db.write(undefined, 'test cleanup (contains)', 'MATCH (n) WHERE n.id CONTAINS $prefix DETACH DELETE n', { prefix });
}

/** Runs the import twice, as a dry run then for real, and checks the dry run reported exactly what the real run did. */
async function dryThenReal(t: TestApp, variables: Record<string, unknown>, key: string): Promise<Summary> {
  const dry = await t.run<ImportResult>(IMPORT, { ...variables, dryRun: true }, key);
  expect(dry.errors).toBeUndefined();
  const real = await t.run<ImportResult>(IMPORT, { ...variables, dryRun: false }, key);
  expect(real.errors).toBeUndefined();
  const drySummary = dry.data?.importDocument;
  const realSummary = real.data?.importDocument;
  if (!drySummary || !realSummary) throw new Error('no summary');
  expect({ ...drySummary, dryRun: false }).toEqual(realSummary);
  return realSummary;
}

function componentDefinition(prefix: string, controlIds: string[], source = 'https://example.org/NIST_SP-800-53_rev5_catalog.json'): string {
  return JSON.stringify({
    'component-definition': {
      uuid: `${prefix}cd`,
      metadata: { title: `${prefix}component definition`, version: '1.0' },
      components: [
        {
          uuid: `${prefix}comp`,
          type: 'service',
          title: `${prefix} service`,
          'control-implementations': [
            { uuid: `${prefix}impl`, source, 'implemented-requirements': controlIds.map((id, i) => ({ uuid: `${prefix}req${i}`, 'control-id': id })) },
          ],
        },
      ],
    },
  });
}

function bom(vulnerabilities: Record<string, unknown>[], components: Record<string, unknown>[] = []): string {
  return JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components, vulnerabilities });
}

function problemsAbout(summary: Summary, id: string): string[] {
  return summary.problems.filter((p) => p.includes(id));
}

/** Problems with the test's ids replaced by a placeholder, to compare wording. */
function wording(problems: string[], ids: string[]): string[] {
  return problems.map((p) => ids.reduce((text, id) => text.split(id).join('<id>'), p).replace(/\[\d+\]/g, '[i]'));
}

describe('imports obey the caller’s markings (issue 12)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('1. a hidden endpoint is answered exactly like a missing one, and nothing is written to it', async () => {
    const prefix = uniquePrefix('impmark-ends');
    const visible = `${prefix}zz-97`;
    const hidden = `${prefix}zz-98`;
    const missing = `${prefix}zz-99`;
    await t.db.write(
      undefined,
      'test controls',
      `CREATE (:Control {id: 'nist-800-53:' + $visible, controlId: $visible, name: 'Visible', framework: 'NIST SP 800-53 rev5', classification: 'UNCLASSIFIED', source: 'test'})
       CREATE (:Control {id: 'nist-800-53:' + $hidden, controlId: $hidden, name: 'Hidden', framework: 'NIST SP 800-53 rev5', classification: 'SECRET', source: 'test'})
       CREATE (:Control {id: 'other:' + $visible, controlId: $visible + '-k', name: 'Visible by key', framework: 'other', classification: 'UNCLASSIFIED', source: 'test'})
       CREATE (:Control {id: 'other:' + $hidden, controlId: $hidden + '-k', name: 'Hidden by key', framework: 'other', classification: 'SECRET', source: 'test'})`,
      { visible, hidden },
    );
    try {
      // 800-53 rev5 source: targets named by id.
      const byId = await dryThenReal(t, { document: componentDefinition(prefix, [visible, hidden, missing]), name: `${prefix}doc` }, KEYS.curatorRestricted);
      expect(line(byId.relationships, 'IMPLEMENTS')).toEqual({ ...ZERO, created: 1, skipped: 2 });
      const hiddenProblem = problemsAbout(byId, hidden);
      const missingProblem = problemsAbout(byId, missing);
      expect(hiddenProblem).toHaveLength(1);
      expect(missingProblem).toHaveLength(1);
      expect(wording(hiddenProblem, [hidden])).toEqual(wording(missingProblem, [missing]));
      expect(missingProblem.join()).toMatch(/no Control .* in the graph/);

      // Another catalog: targets named by controlId.
      const byKey = await dryThenReal(
        t,
        {
          document: componentDefinition(`${prefix}k-`, [`${visible}-k`, `${hidden}-k`, `${missing}-k`], 'https://example.org/other-catalog.json'),
          name: `${prefix}doc-k`,
        },
        KEYS.curatorRestricted,
      );
      expect(line(byKey.relationships, 'IMPLEMENTS')).toEqual({ ...ZERO, created: 1, skipped: 2 });
      expect(
        wording(
          byKey.problems.filter((p) => p.includes(`${hidden}-k`)),
          [`${hidden}-k`],
        ),
      ).toEqual(
        wording(
          byKey.problems.filter((p) => p.includes(`${missing}-k`)),
          [`${missing}-k`],
        ),
      );

      const into = await t.db.read(
        undefined,
        'test edges into hidden',
        'MATCH (c:Control) WHERE c.id CONTAINS $hidden RETURN COUNT { (c)<-[:IMPLEMENTS]-() } AS n',
        { hidden },
      );
      expect(into.map((r) => Number(r.n))).toEqual([0, 0]);
      const intoVisible = await t.db.read(
        undefined,
        'test edges into visible',
        'MATCH (c:Control) WHERE c.id CONTAINS $visible RETURN COUNT { (c)<-[:IMPLEMENTS]-() } AS n',
        { visible },
      );
      expect(intoVisible.map((r) => Number(r.n))).toEqual([1, 1]);
    } finally {
      await removeAll(t.db, prefix);
    }
  });

  it('2. a hidden relationship is neither changed nor revealed: the import answers as for a pair with no edge', async () => {
    const prefix = uniquePrefix('impmark-rel');
    const component = `pkg:generic/${prefix}lib@1.0`;
    const withHiddenEdge = `${prefix}vuln-hidden-edge`;
    const withoutEdge = `${prefix}vuln-no-edge`;
    await t.db.write(
      undefined,
      'test vex pair',
      `CREATE (c:Component {id: $component, name: 'lib', kind: 'LIBRARY', classification: 'UNCLASSIFIED', source: 'test'})
       CREATE (a:Vulnerability {id: $withHiddenEdge, name: 'A', classification: 'UNCLASSIFIED', source: 'test'})
       CREATE (:Vulnerability {id: $withoutEdge, name: 'B', classification: 'UNCLASSIFIED', source: 'test'})
       CREATE (a)-[:AFFECTS {vexState: 'AFFECTED', classification: 'SECRET', source: 'test'}]->(c)`,
      { component, withHiddenEdge, withoutEdge },
    );
    const vex = (id: string) => ({ id, analysis: { state: 'not_affected', justification: 'code_not_reachable' }, affects: [{ ref: 'lib' }] });
    const document = (id: string) => bom([vex(id)], [{ type: 'library', name: 'lib', version: '1.0', purl: component, 'bom-ref': 'lib' }]);
    try {
      const noEdge = await dryThenReal(t, { document: document(withoutEdge), name: `${prefix}vex-a`, format: 'CYCLONEDX' }, KEYS.curatorRestricted);
      const hiddenEdge = await dryThenReal(t, { document: document(withHiddenEdge), name: `${prefix}vex-b`, format: 'CYCLONEDX' }, KEYS.curatorRestricted);
      expect(line(noEdge.relationships, 'AFFECTS')).toEqual({ ...ZERO, created: 1 });
      expect(line(hiddenEdge.relationships, 'AFFECTS')).toEqual(line(noEdge.relationships, 'AFFECTS'));

      // The SECRET claim is untouched.
      const secret = await t.db.read(
        undefined,
        'test hidden edge',
        "MATCH (:Vulnerability {id: $id})-[r:AFFECTS]->(:Component {id: $component}) WHERE r.classification = 'SECRET' RETURN r.vexState AS state, r.source AS source, r.stale AS stale",
        { id: withHiddenEdge, component },
      );
      expect(secret).toEqual([{ state: 'AFFECTED', source: 'test', stale: null }]);
      // The curator sees its own claim only.
      const seen = await t.run<{ vulnerability: { affects: { edges: { via: { vexState: string; classification: string } }[] } } }>(
        'query($id: ID!) { vulnerability(id: $id) { affects { edges { via { vexState classification } } } } }',
        { id: withHiddenEdge },
        KEYS.curatorRestricted,
      );
      expect(seen.data?.vulnerability.affects.edges.map((e) => e.via)).toEqual([{ vexState: 'NOT_AFFECTED', classification: 'UNCLASSIFIED' }]);

      // Importing the same statement again is unchanged, and leaves the hidden claim alone.
      const again = await t.run<ImportResult>(
        IMPORT,
        { document: document(withHiddenEdge), name: `${prefix}vex-b`, format: 'CYCLONEDX' },
        KEYS.curatorRestricted,
      );
      expect(line(again.data?.importDocument.relationships, 'AFFECTS')).toEqual({ ...ZERO, unchanged: 1 });
      const after = await t.db.read(
        undefined,
        'test hidden edge again',
        "MATCH (:Vulnerability {id: $id})-[r:AFFECTS {classification: 'SECRET'}]->() RETURN r.vexState AS state",
        { id: withHiddenEdge },
      );
      expect(after).toEqual([{ state: 'AFFECTED' }]);
    } finally {
      await removeAll(t.db, prefix);
    }
  });

  it('3. stale marking and its counts see only what the caller sees, and only the document of exactly that name', async () => {
    const prefix = uniquePrefix('impmark-stale');
    const name = `${prefix}bom`;
    const ref = `cyclonedx:${name}@1.0 (BOM v1, CycloneDX 1.6)`;
    // A document whose name starts with the same text followed by the version separator.
    const otherRef = `cyclonedx:${name}@other@1.0 (BOM v1, CycloneDX 1.6)`;
    await t.db.write(
      undefined,
      'test earlier version',
      `CREATE (a:Component {id: $p + 'a', name: 'a', kind: 'LIBRARY', classification: 'UNCLASSIFIED', source: 'cyclonedx', sourceRef: $ref})
       CREATE (b:Component {id: $p + 'b', name: 'b', kind: 'LIBRARY', classification: 'RESTRICTED', source: 'cyclonedx', sourceRef: $ref})
       CREATE (s:Component {id: $p + 's', name: 's', kind: 'LIBRARY', classification: 'SECRET', source: 'cyclonedx', sourceRef: $ref})
       CREATE (o:Component {id: $p + 'o', name: 'o', kind: 'LIBRARY', classification: 'UNCLASSIFIED', source: 'cyclonedx', sourceRef: $otherRef})
       CREATE (a)-[:HAS_COMPONENT {source: 'cyclonedx', sourceRef: $ref}]->(b)
       CREATE (a)-[:DEPENDS_ON {source: 'cyclonedx', sourceRef: $ref, classification: 'SECRET'}]->(b)
       CREATE (a)-[:HAS_COMPONENT {source: 'cyclonedx', sourceRef: $ref}]->(s)
       CREATE (a)-[:DEPENDS_ON {source: 'cyclonedx', sourceRef: $otherRef}]->(o)`,
      { p: prefix, ref, otherRef },
    );
    try {
      const summary = await dryThenReal(t, { document: bom([]), name, format: 'CYCLONEDX' }, KEYS.curatorRestricted);
      expect(line(summary.nodes, 'Component')).toEqual({ ...ZERO, stale: 2 });
      expect(line(summary.relationships, 'HAS_COMPONENT')).toEqual({ ...ZERO, stale: 1 });
      expect(line(summary.relationships, 'DEPENDS_ON')).toEqual({ ...ZERO });
      const nodes = await t.db.read(
        undefined,
        'test stale nodes',
        'MATCH (n:Component) WHERE n.id STARTS WITH $p RETURN n.id AS id, coalesce(n.stale, false) AS stale ORDER BY id',
        { p: prefix },
      );
      expect(nodes).toEqual([
        { id: `${prefix}a`, stale: true },
        { id: `${prefix}b`, stale: true },
        { id: `${prefix}o`, stale: false },
        { id: `${prefix}s`, stale: false },
      ]);
      const rels = await t.db.read(
        undefined,
        'test stale relationships',
        'MATCH (a)-[r]->(b) WHERE a.id STARTS WITH $p RETURN type(r) AS type, b.id AS to, coalesce(r.classification, "UNCLASSIFIED") AS marking, coalesce(r.stale, false) AS stale ORDER BY type, to, marking',
        { p: prefix },
      );
      expect(rels).toEqual([
        { type: 'DEPENDS_ON', to: `${prefix}b`, marking: 'SECRET', stale: false },
        { type: 'DEPENDS_ON', to: `${prefix}o`, marking: 'UNCLASSIFIED', stale: false },
        { type: 'HAS_COMPONENT', to: `${prefix}b`, marking: 'UNCLASSIFIED', stale: true },
        { type: 'HAS_COMPONENT', to: `${prefix}s`, marking: 'UNCLASSIFIED', stale: false },
      ]);
    } finally {
      await removeAll(t.db, prefix);
    }
  });

  it('4. imported ids are validated and unique across labels; a hidden id and a visible one of another label get the same answer', async () => {
    const prefix = uniquePrefix('impmark-ids');
    const device = `${prefix}device:iphone-15`;
    const hiddenDevice = `${prefix}device:hidden`;
    const fresh = `${prefix}vuln-fresh`;
    await t.db.write(
      undefined,
      'test devices',
      `CREATE (:Device {id: $device, name: 'iPhone 15', category: 'PHONE', classification: 'UNCLASSIFIED', source: 'test'})
       CREATE (:Device {id: $hiddenDevice, name: 'Hidden phone', category: 'PHONE', classification: 'SECRET', source: 'test'})`,
      { device, hiddenDevice },
    );
    try {
      const document = bom([{ id: device }, { id: hiddenDevice }, { id: fresh }]);
      for (const key of [KEYS.curatorRestricted, KEYS.curator]) {
        const summary = await dryThenReal(t, { document, name: `${prefix}doc-${key}`, format: 'CYCLONEDX' }, key);
        expect(line(summary.nodes, 'Vulnerability')).toMatchObject({ skipped: 2 });
        const visibleProblem = problemsAbout(summary, device);
        const hiddenProblem = problemsAbout(summary, hiddenDevice);
        expect(visibleProblem).toHaveLength(1);
        expect(wording(visibleProblem, [device])).toEqual(wording(hiddenProblem, [hiddenDevice]));
        expect(visibleProblem.join()).not.toMatch(/Device|SECRET|clearance/);
      }
      const labels = await t.db.read(undefined, 'test labels', 'MATCH (n) WHERE n.id IN $ids RETURN n.id AS id, labels(n) AS labels ORDER BY id', {
        ids: [device, hiddenDevice, fresh],
      });
      expect(labels).toEqual([
        { id: hiddenDevice, labels: ['Device'] },
        { id: device, labels: ['Device'] },
        { id: fresh, labels: ['Vulnerability'] },
      ]);
      const read = await t.run<{ node: { __typename: string } | null; device: { id: string; name: string } | null }>(
        'query($id: ID!) { node(id: $id) { __typename } device(id: $id) { id name } }',
        { id: device },
        KEYS.curator,
      );
      expect(read.data).toEqual({ node: { __typename: 'Device' }, device: { id: device, name: 'iPhone 15' } });

      // The id rules of upsert*: an id with a space is refused, naming the place; nothing is written.
      const bad = await t.run<ImportResult>(IMPORT, { document: bom([{ id: `${prefix}has space` }]), name: `${prefix}bad`, format: 'CYCLONEDX' }, KEYS.curator);
      expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(bad.errors?.[0]?.message).toMatch(/^vulnerabilities\[0\].*id.*without spaces/);
      const written = await t.db.read(undefined, 'test bad id', 'MATCH (n) WHERE n.id = $id RETURN count(n) AS n', { id: `${prefix}has space` });
      expect(Number(written[0]?.n)).toBe(0);
    } finally {
      await removeAll(t.db, prefix);
    }
  });
});
