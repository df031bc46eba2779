/**
 * Each role against each mutation (enumerated from the schema's Mutation type: a mutation
 * without a case fails), and the write rules of markings: a writer cannot create or raise a
 * node above its clearance, overwrite a hidden node, link to a node it cannot see, or rewrite
 * a relationship it cannot see. Every refused call is checked to have written nothing.
 */
import { createHash } from 'node:crypto';
import { buildSchema } from '../../src/graphql/schema';
import { LABELS, type Label } from '../../src/domain/model';
import { recordStatusChanges } from '../../src/store/statusHistoryStore';
import { cleanup, KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';

const prefix = uniquePrefix('secroles');
const ROLE_ORDER = ['anonymous', 'viewer', 'analyst', 'curator', 'admin'] as const;
type Caller = (typeof ROLE_ORDER)[number];
const KEY_OF: Record<Caller, string | null> = { anonymous: null, viewer: KEYS.viewer, analyst: KEYS.analyst, curator: KEYS.curator, admin: KEYS.admin };

type Result = Awaited<ReturnType<TestApp['run']>>;

/** A digest of everything in the database: every node and relationship with its properties. */
async function snapshot(t: TestApp): Promise<string> {
  const rows = await t.db.read(
    undefined,
    'security test snapshot',
    `MATCH (n) WITH n ORDER BY elementId(n)
     OPTIONAL MATCH (n)-[r]->(m)
     WITH n, r, m ORDER BY elementId(r)
     RETURN n.id AS id, labels(n) AS labels, properties(n) AS props, collect([type(r), m.id, properties(r)]) AS out`,
    {},
  );
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex');
}

interface MutationCase {
  minRole: 'curator' | 'admin';
  /** Prepares data and returns the operation for one attempt (fresh ids per attempt). */
  prepare: (t: TestApp, attempt: string) => Promise<{ query: string; variables: Record<string, unknown> }>;
}

/** Required fields of each upsert input besides id and name. */
const REQUIRED: Record<Label, Record<string, unknown>> = {
  Organization: { kind: 'VENDOR' },
  Device: { category: 'PHONE' },
  Component: { kind: 'LIBRARY' },
  Control: { framework: 'test' },
  Certification: { kind: 'CERTIFICATE', status: 'ACTIVE' },
  Standard: {},
  Threat: { kind: 'OTHER' },
  Vulnerability: {},
  Deployment: {},
};

const upsert = (label: Label): MutationCase => ({
  minRole: 'curator',
  prepare: async (_t, attempt) => ({
    query: `mutation($input: ${label}Input!) { upsert${label}(input: $input) { id } }`,
    variables: { input: { id: `${prefix}${attempt}-${label}`, name: `Role test ${label}`, ...REQUIRED[label] } },
  }),
});

async function createPair(t: TestApp, attempt: string, linked: boolean): Promise<{ from: string; to: string }> {
  const from = `${prefix}${attempt}-org`;
  const to = `${prefix}${attempt}-dev`;
  await t.db.write(
    undefined,
    'security test pair',
    `CREATE (o:Organization {id: $from, name: 'Maker', classification: 'UNCLASSIFIED', source: 'test'})
     CREATE (d:Device {id: $to, name: 'Made', classification: 'UNCLASSIFIED', source: 'test'})
     FOREACH (_ IN CASE WHEN $linked THEN [1] ELSE [] END | CREATE (o)-[:MAKES {classification: 'UNCLASSIFIED'}]->(d))`,
    { from, to, linked },
  );
  return { from, to };
}

/** A certification (ACTIVE since 2024-01-01) with, when `suspended`, a SUSPENDED entry from 2025-03-01 in its status history. */
async function createCertification(t: TestApp, attempt: string, suspended: boolean): Promise<{ id: string; entryId: string }> {
  const id = `${prefix}${attempt}-cert`;
  await t.db.write(
    undefined,
    'security test certification',
    `CREATE (c:Certification {id: $id, name: 'Certified', kind: 'CERTIFICATE', status: 'ACTIVE', issuedAt: date('2024-01-01'), classification: 'UNCLASSIFIED', source: 'test'})`,
    { id },
  );
  if (suspended)
    await t.db.writeTransaction(undefined, (tx) =>
      recordStatusChanges(tx, [{ certificationId: id, status: 'SUSPENDED', effectiveFrom: '2025-03-01', source: 'test' }]),
    );
  return { id, entryId: `status:${id}:2025-03-01:SUSPENDED` };
}

const MUTATION_CASES: Record<string, MutationCase> = {
  recordCertificationStatus: {
    minRole: 'curator',
    prepare: async (t, attempt) => {
      const { id } = await createCertification(t, attempt, false);
      return {
        query: 'mutation($input: RecordCertificationStatusInput!) { recordCertificationStatus(input: $input) { entry { id } } }',
        variables: { input: { certificationId: id, status: 'SUSPENDED', effectiveFrom: '2025-03-01', reason: 'role test' } },
      };
    },
  },
  retractCertificationStatus: {
    minRole: 'admin',
    prepare: async (t, attempt) => {
      const { entryId } = await createCertification(t, attempt, true);
      return {
        query: 'mutation($input: RetractCertificationStatusInput!) { retractCertificationStatus(input: $input) { entry { id } } }',
        variables: { input: { entryId, reason: 'role test' } },
      };
    },
  },
  createWatch: {
    minRole: 'curator',
    prepare: async (_t, attempt) => ({
      query: 'mutation($url: String!, $secret: String!) { createWatch(url: $url, secret: $secret) { id } }',
      variables: { url: `http://127.0.0.1:9/${prefix}${attempt}`, secret: 'role-test-secret-0123456789' },
    }),
  },
  deleteWatch: {
    minRole: 'curator',
    prepare: async (t, attempt) => {
      // a watch is its creator's: curators and admins delete their own; lower roles try a curator's
      const role = ROLE_ORDER.find((r) => attempt.endsWith(`-${r}`)) ?? 'curator';
      const owner = role === 'admin' ? KEYS.admin : KEYS.curator;
      const created = await t.run<{ createWatch: { id: string } }>(
        'mutation($url: String!, $secret: String!) { createWatch(url: $url, secret: $secret) { id } }',
        { url: `http://127.0.0.1:9/${prefix}${attempt}`, secret: 'role-test-secret-0123456789' },
        owner,
      );
      if (!created.data) throw new Error(`createWatch failed: ${JSON.stringify(created.errors)}`);
      return { query: 'mutation($id: ID!) { deleteWatch(id: $id) }', variables: { id: created.data.createWatch.id } };
    },
  },
  ...Object.fromEntries(LABELS.map((label) => [`upsert${label}`, upsert(label)])),
  link: {
    minRole: 'curator',
    prepare: async (t, attempt) => {
      const { from, to } = await createPair(t, attempt, false);
      return { query: 'mutation($input: LinkInput!) { link(input: $input) { created } }', variables: { input: { type: 'MAKES', fromId: from, toId: to } } };
    },
  },
  unlink: {
    minRole: 'curator',
    prepare: async (t, attempt) => {
      const { from, to } = await createPair(t, attempt, true);
      return { query: 'mutation($input: UnlinkInput!) { unlink(input: $input) { removed } }', variables: { input: { type: 'MAKES', fromId: from, toId: to } } };
    },
  },
  deleteNode: {
    minRole: 'admin',
    prepare: async (t, attempt) => {
      const { from } = await createPair(t, attempt, true);
      return { query: 'mutation($id: ID!) { deleteNode(id: $id, detach: true) { id } }', variables: { id: from } };
    },
  },
  importDocument: {
    minRole: 'curator',
    prepare: async (_t, attempt) => ({
      query: 'mutation($format: ImportFormat!, $document: String!) { importDocument(format: $format, document: $document) { __typename } }',
      variables: {
        format: 'CYCLONEDX',
        document: JSON.stringify({
          bomFormat: 'CycloneDX',
          specVersion: '1.5',
          serialNumber: `urn:uuid:00000000-0000-4000-8000-${attempt
            .replace(/[^0-9a-f]/g, '')
            .padEnd(12, '0')
            .slice(0, 12)}`,
          version: 1,
          metadata: { component: { type: 'device', 'bom-ref': `${prefix}${attempt}-bom-device`, name: 'Role test device' } },
          components: [{ type: 'library', 'bom-ref': `${prefix}${attempt}-bom-lib`, name: 'role-test-lib', version: '1.0.0' }],
        }),
      },
    }),
  },
};

describe('roles against every mutation', () => {
  let t: TestApp;
  const schema = buildSchema();
  const mutationFields = Object.keys(schema.getMutationType()?.getFields() ?? {});

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.db.write(undefined, 'test remove role-test watches', 'MATCH (w:Watch) WHERE w.url CONTAINS $prefix DETACH DELETE w', { prefix });
    await cleanup(t.db, prefix);
    await t.close();
  });

  it('has a case for every Mutation field of the schema', () => {
    expect(mutationFields.filter((f) => !MUTATION_CASES[f])).toEqual([]);
  });

  const pairs = mutationFields.flatMap((m) => ROLE_ORDER.map((role) => [m, role] as [string, Caller]));
  it.each(pairs)('%s as %s: allowed only from its minimum role; refused calls write nothing', async (mutation: string, role: Caller) => {
    const c = MUTATION_CASES[mutation];
    if (!c) throw new Error(`no case for ${mutation}`);
    const attempt = `${mutation}-${role}`;
    const op = await c.prepare(t, attempt);
    const before = await snapshot(t);
    const r: Result = await t.run(op.query, op.variables, KEY_OF[role]);
    const allowed = ROLE_ORDER.indexOf(role) >= ROLE_ORDER.indexOf(c.minRole);
    const codes = (r.errors ?? []).map((e) => e.extensions?.code);
    if (allowed) {
      expect(codes.filter((code) => code === 'FORBIDDEN' || code === 'UNAUTHENTICATED')).toEqual([]);
    } else {
      expect(codes).toEqual([role === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN']);
      expect(r.errors?.[0]?.message).toMatch(new RegExp(`needs the ${c.minRole} role`));
      expect(await snapshot(t)).toBe(before);
    }
  });
});

describe('writes and markings', () => {
  let t: TestApp;
  const p = `${prefix}w-`;
  beforeAll(async () => {
    t = await startTestApp();
    await t.db.write(
      undefined,
      'security test marked nodes',
      `CREATE (:Device {id: $p + 'restricted', name: 'Restricted device', classification: 'RESTRICTED', source: 'test'})
       CREATE (s:Device {id: $p + 'secret', name: 'Secret device', classification: 'SECRET', source: 'test'})
       CREATE (o:Organization {id: $p + 'org', name: 'Open maker', classification: 'UNCLASSIFIED', source: 'test'})
       CREATE (d:Device {id: $p + 'open', name: 'Open device', classification: 'UNCLASSIFIED', source: 'test'})
       CREATE (o)-[:MAKES {classification: 'SECRET', source: 'test', sourceRef: 'secret claim'}]->(d)
       CREATE (:Device {id: $p + 'open2', name: 'Open device 2', classification: 'UNCLASSIFIED', source: 'test'})`,
      { p },
    );
  });
  afterAll(async () => {
    await cleanup(t.db, prefix);
    await t.close();
  });

  const upsertDevice = 'mutation($input: DeviceInput!) { upsertDevice(input: $input) { id classification } }';
  const linkOp = 'mutation($input: LinkInput!) { link(input: $input) { created relationship { classification } } }';

  async function expectUnchanged(op: () => Promise<Result>): Promise<Result> {
    const before = await snapshot(t);
    const r = await op();
    expect(await snapshot(t)).toBe(before);
    return r;
  }

  it('refuses to create a node above the writer clearance', async () => {
    const r = await expectUnchanged(() =>
      t.run(upsertDevice, { input: { id: `${p}new-secret`, name: 'Too high', category: 'PHONE', classification: 'SECRET' } }, KEYS.curatorRestricted),
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toMatch(/classification: cannot be above your clearance \(RESTRICTED\)/);
  });

  it('refuses to raise a visible node above the writer clearance', async () => {
    const r = await expectUnchanged(() =>
      t.run(
        upsertDevice,
        { input: { id: `${p}restricted`, name: 'Restricted device', category: 'PHONE', classification: 'CONFIDENTIAL' } },
        KEYS.curatorRestricted,
      ),
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('does not overwrite a node above the writer clearance that has the same id', async () => {
    const r = await expectUnchanged(() =>
      t.run(upsertDevice, { input: { id: `${p}secret`, name: 'Overwritten', category: 'PHONE', classification: 'RESTRICTED' } }, KEYS.curatorRestricted),
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(r)).not.toMatch(/Secret device|SECRET/);
  });

  it('refuses to link to a node it cannot see, exactly as to a missing node', async () => {
    const hidden = await expectUnchanged(() => t.run(linkOp, { input: { type: 'MAKES', fromId: `${p}org`, toId: `${p}secret` } }, KEYS.curatorRestricted));
    const missing = await t.run(linkOp, { input: { type: 'MAKES', fromId: `${p}org`, toId: `${p}nowhere` } }, KEYS.curatorRestricted);
    expect(hidden.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(JSON.stringify(hidden).split(`${p}secret`).join('<ID>')).toBe(JSON.stringify(missing).split(`${p}nowhere`).join('<ID>'));
  });

  it('refuses a relationship marked above the writer clearance', async () => {
    const r = await expectUnchanged(() =>
      t.run(linkOp, { input: { type: 'MAKES', fromId: `${p}org`, toId: `${p}open2`, properties: { classification: 'SECRET' } } }, KEYS.curatorRestricted),
    );
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('does not merge into (or declassify) a relationship above the writer clearance', async () => {
    for (const properties of [null, { classification: 'UNCLASSIFIED' }]) {
      const r = await expectUnchanged(() =>
        t.run(linkOp, { input: { type: 'MAKES', fromId: `${p}org`, toId: `${p}open`, properties } }, KEYS.curatorRestricted),
      );
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(JSON.stringify(r)).not.toMatch(/secret claim|SECRET/);
    }
  });

  it('cannot unlink a relationship it cannot see: answers as for a missing one', async () => {
    const r = await expectUnchanged(() =>
      t.run(
        'mutation($input: UnlinkInput!) { unlink(input: $input) { removed } }',
        { input: { type: 'MAKES', fromId: `${p}org`, toId: `${p}open` } },
        KEYS.curatorRestricted,
      ),
    );
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ unlink: { removed: false } });
  });

  it('an admin cannot delete a node above its clearance: answers as for a missing node', async () => {
    const op = 'mutation($id: ID!) { deleteNode(id: $id, detach: true) { id relationshipsRemoved } }';
    const hidden = await expectUnchanged(() => t.run(op, { id: `${p}secret` }, KEYS.adminRestricted));
    const missing = await t.run(op, { id: `${p}nowhere` }, KEYS.adminRestricted);
    expect(hidden.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(JSON.stringify(hidden).split(`${p}secret`).join('<ID>')).toBe(JSON.stringify(missing).split(`${p}nowhere`).join('<ID>'));
  });

  it('an admin deleting a visible node is told only of the relationships it can see', async () => {
    const r = await t.run('mutation($id: ID!) { deleteNode(id: $id) { id relationshipsRemoved } }', { id: `${p}org` }, KEYS.adminRestricted);
    // The only relationship of the organization is SECRET: the count does not reveal it.
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ deleteNode: { id: `${p}org`, relationshipsRemoved: 0 } });
  });
});
