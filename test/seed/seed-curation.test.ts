/**
 * Loading the seed (as `npm start` does at every start) never undoes curation: a marking an
 * admin raised stays raised, a name a curator changed stays changed, and the seed never lowers a
 * marking even on what it still owns.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSeed } from '../../src/seed/loadSeed';
import type { Database } from '../../src/store/database';
import { KEYS, cleanup, startTestApp, testDatabase, testNeo4jUri, uniquePrefix, type TestApp } from '../helpers/app';
import { freshSeed } from '../helpers/seed';

const SEED_TIMEOUT_MS = 300_000;
jest.setTimeout(SEED_TIMEOUT_MS);

const UPSERT_DEVICE = `mutation ($input: DeviceInput!) { upsertDevice(input: $input) { id name classification } }`;

describe('the seed does not undo curation', () => {
  let t: TestApp;
  let loader: Database;
  beforeAll(async () => {
    t = await startTestApp();
    loader = testDatabase(testNeo4jUri(), SEED_TIMEOUT_MS);
  });
  afterAll(async () => {
    await loader.close();
    await t.close();
  });

  async function device(id: string): Promise<Record<string, unknown> | undefined> {
    const rows = await t.db.read(
      undefined,
      'test curated device',
      'MATCH (d:Device {id: $id}) RETURN d.name AS name, d.classification AS classification, d.assertedBy AS assertedBy',
      { id },
    );
    return rows[0];
  }

  it('keeps device:iphone-15-pro SECRET after an admin raised it, and a curator-edited name, when the seed is loaded again', async () => {
    await freshSeed(loader);
    try {
      const raised = await t.run(
        UPSERT_DEVICE,
        { input: { id: 'device:iphone-15-pro', name: 'iPhone 15 Pro', category: 'PHONE', classification: 'SECRET' } },
        KEYS.admin,
      );
      expect(raised.errors).toBeUndefined();
      const renamed = await t.run(
        UPSERT_DEVICE,
        { input: { id: 'device:ipad-pro-m4', name: 'iPad Pro 13-inch (M4, curated)', category: 'TABLET' } },
        KEYS.curator,
      );
      expect(renamed.errors).toBeUndefined();

      // What a restart with SEED=true does.
      const summary = await loadSeed(loader);
      expect(summary.nodes.kept).toBe(2);
      expect(summary.nodes.updated).toBe(0);

      expect(await device('device:iphone-15-pro')).toEqual({ name: 'iPhone 15 Pro', classification: 'SECRET', assertedBy: 'admin' });
      expect(await device('device:ipad-pro-m4')).toEqual({ name: 'iPad Pro 13-inch (M4, curated)', classification: 'UNCLASSIFIED', assertedBy: 'curator' });
      // An UNCLASSIFIED reader no longer sees the raised device.
      const unclassified = await t.run<{ node: unknown }>(`{ node(id: "device:iphone-15-pro") { id } }`, {}, 'test-analyst-unclassified-key');
      expect(unclassified.data?.node ?? null).toBeNull();
    } finally {
      // Give both back to the seed so other test files see the scenario as shipped. The name is
      // removed so the next load rewrites them, provenance included (the admin's upsert left an
      // equal name, which the seed would otherwise count as unchanged and leave with `source: api`).
      await t.db.write(
        undefined,
        'test restore seed devices',
        `MATCH (d:Device) WHERE d.id IN $ids SET d.classification = 'UNCLASSIFIED', d.assertedBy = 'seed' REMOVE d.name`,
        { ids: ['device:iphone-15-pro', 'device:ipad-pro-m4'] },
      );
      await loadSeed(loader);
    }
    expect(await device('device:ipad-pro-m4')).toEqual({ name: 'iPad Pro (M4)', classification: 'UNCLASSIFIED', assertedBy: 'seed' });
  });

  it('updates what it still owns to a new seed version but never lowers its marking; curated relationships are kept too', async () => {
    const prefix = uniquePrefix('seedcur');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-curation-'));
    const org = (classification: string, description: string) => ({
      label: 'Organization',
      id: `${prefix}org`,
      name: 'Maker',
      source: 'illustrative',
      kind: 'VENDOR',
      classification,
      description,
    });
    const dev = { label: 'Device', id: `${prefix}dev`, name: 'Phone', source: 'illustrative', category: 'PHONE' };
    const makes = { type: 'MAKES', from: `${prefix}org`, to: `${prefix}dev`, source: 'illustrative' };
    try {
      fs.writeFileSync(path.join(dir, '01.json'), JSON.stringify({ nodes: [org('RESTRICTED', 'v1'), dev], relationships: [makes] }));
      expect((await loadSeed(loader, dir)).nodes.created).toBe(2);

      fs.writeFileSync(
        path.join(dir, '01.json'),
        JSON.stringify({ nodes: [org('UNCLASSIFIED', 'v2'), dev], relationships: [{ ...makes, classification: 'UNCLASSIFIED' }] }),
      );
      await t.db.write(
        undefined,
        'test curate relationship',
        `MATCH (:Organization {id: $from})-[r:MAKES]->(:Device {id: $to}) SET r.classification = 'CONFIDENTIAL', r.assertedBy = 'curator'`,
        { from: `${prefix}org`, to: `${prefix}dev` },
      );
      const second = await loadSeed(loader, dir);
      expect(second.nodes).toEqual({ created: 0, updated: 1, unchanged: 1, kept: 0 });
      expect(second.relationships).toEqual({ created: 0, updated: 0, unchanged: 0, kept: 1 });
      const rows = await t.db.read(
        undefined,
        'test seed versions',
        `MATCH (o:Organization {id: $from})-[r:MAKES]->(:Device {id: $to}) RETURN o.description AS description, o.classification AS classification, r.classification AS rel`,
        { from: `${prefix}org`, to: `${prefix}dev` },
      );
      expect(rows).toEqual([{ description: 'v2', classification: 'RESTRICTED', rel: 'CONFIDENTIAL' }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await cleanup(t.db, prefix);
    }
  });
});
