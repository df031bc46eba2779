import { cleanup, KEYS, startTestApp, uniquePrefix, type TestApp } from '../helpers/app';
import { snapshot } from '../helpers/graph';

describe('core mutations', () => {
  let t: TestApp;
  const p = uniquePrefix('mut');
  const id = (s: string) => `${p}${s}`;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await cleanup(t.db, p);
    await t.close();
  });

  const upsertDevice = `mutation($input: DeviceInput!) { upsertDevice(input: $input) { id name category releasedAt classification provenance { source sourceRef assertedBy } } }`;
  const upsertOrg = `mutation($input: OrganizationInput!) { upsertOrganization(input: $input) { id name kind } }`;
  const upsertCert = `mutation($input: CertificationInput!) { upsertCertification(input: $input) { id issuedAt validUntil status } }`;
  const upsertThreat = `mutation($input: ThreatInput!) { upsertThreat(input: $input) { id } }`;
  const link = `mutation($input: LinkInput!) { link(input: $input) { created from { id } to { id } relationship { type scope minOsVersion provenance { source assertedBy } } } }`;

  it('upserts a node idempotently by id and stamps provenance with the caller', async () => {
    const input = {
      id: id('phone'),
      name: '  Phone One ',
      category: 'PHONE',
      releasedAt: '2024-09-20',
      provenance: { source: 'curator-review', sourceRef: 'ticket 42' },
    };
    const first = await t.run<{ upsertDevice: Record<string, unknown> }>(upsertDevice, { input }, KEYS.curator);
    expect(first.errors).toBeUndefined();
    expect(first.data?.upsertDevice).toEqual({
      id: id('phone'),
      name: 'Phone One',
      category: 'PHONE',
      releasedAt: '2024-09-20',
      classification: 'UNCLASSIFIED',
      provenance: { source: 'curator-review', sourceRef: 'ticket 42', assertedBy: 'curator' },
    });
    const before = await snapshot(t.db, id('phone'));
    const second = await t.run(upsertDevice, { input }, KEYS.curator);
    expect(second.errors).toBeUndefined();
    expect(await snapshot(t.db, id('phone'))).toBe(before);
    const changed = await t.run<{ upsertDevice: { name: string; releasedAt: string | null } }>(
      upsertDevice,
      { input: { id: id('phone'), name: 'Phone One (2024)', category: 'PHONE', releasedAt: null } },
      KEYS.curator,
    );
    expect(changed.data?.upsertDevice).toMatchObject({ name: 'Phone One (2024)', releasedAt: null });
    const count = await t.db.read(undefined, 'count', 'MATCH (n:Device {id: $id}) RETURN count(n) AS c', { id: id('phone') });
    expect(count[0]?.c).toBe(1);
  });

  it('refuses invalid input with BAD_USER_INPUT and the argument path, writing nothing', async () => {
    const empty = await t.run(upsertDevice, { input: { id: id('empty'), name: '   ', category: 'PHONE' } }, KEYS.curator);
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentPath: ['input', 'name'] });
    expect(empty.errors?.[0]?.message).toMatch(/input\.name: must not be empty/);

    const dates = await t.run(
      upsertCert,
      { input: { id: id('cert'), name: 'Cert', kind: 'APPROVAL', status: 'ACTIVE', issuedAt: '2025-01-01', validUntil: '2024-12-31' } },
      KEYS.curator,
    );
    expect(dates.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentPath: ['input', 'validUntil'] });
    expect(dates.errors?.[0]?.message).toMatch(/validUntil \(2024-12-31\) is before issuedAt \(2025-01-01\)/);

    const range = await t.run(upsertThreat, { input: { id: id('threat'), name: 'T', kind: 'INTRUSION', likelihood: 1.5 } }, KEYS.curator);
    expect(range.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentPath: ['input', 'likelihood'] });

    const enumValue = await t.run(upsertDevice, { input: { id: id('enum'), name: 'E', category: 'TOASTER' } }, KEYS.curator);
    expect(enumValue.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(enumValue.errors?.[0]?.message).toMatch(/TOASTER/);

    const badDate = await t.run(upsertDevice, { input: { id: id('date'), name: 'D', category: 'PHONE', releasedAt: '2024-13-45' } }, KEYS.curator);
    expect(badDate.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    expect(await snapshot(t.db, p + 'empty')).toBe('[]');
    expect(await snapshot(t.db, p + 'cert')).toBe('[]');
    expect(await snapshot(t.db, p + 'threat')).toBe('[]');
    expect(await snapshot(t.db, p + 'enum')).toBe('[]');
    expect(await snapshot(t.db, p + 'date')).toBe('[]');
  });

  it('checks a date against the stored value when only one end is given', async () => {
    await t.run(
      upsertCert,
      { input: { id: id('c2'), name: 'C2', kind: 'APPROVAL', status: 'ACTIVE', issuedAt: '2024-01-01', validUntil: '2026-01-01' } },
      KEYS.curator,
    );
    const before = await snapshot(t.db, id('c2'));
    const r = await t.run(upsertCert, { input: { id: id('c2'), name: 'C2', kind: 'APPROVAL', status: 'ACTIVE', validUntil: '2023-06-01' } }, KEYS.curator);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentPath: ['input', 'validUntil'] });
    expect(await snapshot(t.db, id('c2'))).toBe(before);
  });

  it('refuses to reuse an id of another label, leaving the database unchanged', async () => {
    await t.run(upsertOrg, { input: { id: id('acme'), name: 'Acme', kind: 'VENDOR' } }, KEYS.curator);
    const before = await snapshot(t.db, id('acme'));
    const r = await t.run(upsertDevice, { input: { id: id('acme'), name: 'Not a device', category: 'PHONE' } }, KEYS.curator);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentPath: ['input', 'id'] });
    expect(await snapshot(t.db, id('acme'))).toBe(before);
  });

  it('links and unlinks with properties, validating ids, labels and properties', async () => {
    await t.run(upsertDevice, { input: { id: id('d'), name: 'D', category: 'PHONE' } }, KEYS.curator);
    await t.run(upsertCert, { input: { id: id('clr'), name: 'Clearance', kind: 'CLEARANCE', status: 'ACTIVE' } }, KEYS.curator);
    await t.run(upsertThreat, { input: { id: id('thr'), name: 'Threat', kind: 'INTRUSION' } }, KEYS.curator);
    const input = { type: 'CERTIFIES', fromId: id('clr'), toId: id('d'), properties: { scope: 'restricted', minOsVersion: '17.0' } };
    const created = await t.run<{ link: Record<string, unknown> }>(link, { input }, KEYS.curator);
    expect(created.errors).toBeUndefined();
    expect(created.data?.link).toEqual({
      created: true,
      from: { id: id('clr') },
      to: { id: id('d') },
      relationship: { type: 'CERTIFIES', scope: 'restricted', minOsVersion: '17.0', provenance: { source: 'api', assertedBy: 'curator' } },
    });
    const again = await t.run<{ link: { created: boolean } }>(link, { input }, KEYS.curator);
    expect(again.data?.link.created).toBe(false);

    const before = await snapshot(t.db, p);
    const unknown = await t.run(link, { input: { ...input, toId: id('ghost') } }, KEYS.curator);
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', argumentPath: ['input', 'toId'] });
    const wrongLabels = await t.run(link, { input: { type: 'CERTIFIES', fromId: id('thr'), toId: id('d') } }, KEYS.curator);
    expect(wrongLabels.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentPath: ['input', 'type'] });
    expect(wrongLabels.errors?.[0]?.message).toMatch(
      /a Threat cannot be linked to a Device by CERTIFIES: CERTIFIES goes from Certification to Device\|Component/,
    );
    const wrongProp = await t.run(link, { input: { type: 'TARGETS', fromId: id('thr'), toId: id('d'), properties: { scope: 'x' } } }, KEYS.curator);
    expect(wrongProp.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentPath: ['input', 'properties', 'scope'] });
    const selfLoop = await t.run(link, { input: { type: 'SUPERSEDES', fromId: id('clr'), toId: id('clr') } }, KEYS.curator);
    expect(selfLoop.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await snapshot(t.db, p)).toBe(before);

    const unlink = await t.run<{ unlink: { removed: boolean } }>(
      'mutation($input: UnlinkInput!) { unlink(input: $input) { removed } }',
      { input: { type: 'CERTIFIES', fromId: id('clr'), toId: id('d') } },
      KEYS.curator,
    );
    expect(unlink.data?.unlink.removed).toBe(true);
    const certs = await t.run<{ device: { certifications: { totalCount: number } } }>('query($id: ID!) { device(id: $id) { certifications { totalCount } } }', {
      id: id('d'),
    });
    expect(certs.data?.device.certifications.totalCount).toBe(0);
  });

  it('deletes a node only with detach when it has relationships; admin only', async () => {
    await t.run(upsertOrg, { input: { id: id('maker'), name: 'Maker', kind: 'VENDOR' } }, KEYS.curator);
    await t.run(upsertDevice, { input: { id: id('made'), name: 'Made', category: 'TABLET' } }, KEYS.curator);
    await t.run(link, { input: { type: 'MAKES', fromId: id('maker'), toId: id('made') } }, KEYS.curator);
    const del = 'mutation($id: ID!, $detach: Boolean) { deleteNode(id: $id, detach: $detach) { id relationshipsRemoved } }';
    const byCurator = await t.run(del, { id: id('made'), detach: true }, KEYS.curator);
    expect(byCurator.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const refused = await t.run(del, { id: id('made') }, KEYS.admin);
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(refused.errors?.[0]?.message).toMatch(/has 1 relationship\(s\); pass detach: true/);
    const missing = await t.run(del, { id: id('never') }, KEYS.admin);
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const ok = await t.run<{ deleteNode: { id: string; relationshipsRemoved: number } }>(del, { id: id('made'), detach: true }, KEYS.admin);
    expect(ok.data?.deleteNode).toEqual({ id: id('made'), relationshipsRemoved: 1 });
    expect(await snapshot(t.db, id('made'))).toBe('[]');
  });

  it('denies writes to viewers and analysts with FORBIDDEN, writing nothing', async () => {
    for (const key of [KEYS.viewer, KEYS.analyst]) {
      const r = await t.run(upsertOrg, { input: { id: id('denied'), name: 'Denied', kind: 'OTHER' } }, key);
      expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    expect(await snapshot(t.db, id('denied'))).toBe('[]');
  });

  it('refuses a marking above the writer clearance', async () => {
    const r = await t.run(upsertOrg, { input: { id: id('secret-org'), name: 'Secret', kind: 'OTHER', classification: 'SECRET' } }, KEYS.curatorRestricted);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentPath: ['input', 'classification'] });
    expect(await snapshot(t.db, id('secret-org'))).toBe('[]');
  });
});
