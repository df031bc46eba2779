/**
 * A restart skips the seed when nothing changed (issue 16, start-up): `npm start` loads the seed
 * with `skipUnchanged`, which compares the fingerprint of the seed files and the loader's code with
 * the one the last load recorded in the graph (in its own transaction). Unchanged: nothing is
 * written and the load reports `unchanged`. Changed: the seed is loaded as always, curation kept.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSeed, seedFingerprint } from '../../src/seed/loadSeed';
import type { Database } from '../../src/store/database';
import { cleanup, testDatabase, testNeo4jUri, uniquePrefix } from '../helpers/app';

const SEED_TIMEOUT_MS = 300_000;
jest.setTimeout(SEED_TIMEOUT_MS);

describe('the seed fingerprint: a restart with an unchanged seed writes nothing', () => {
  let db: Database;
  const prefix = uniquePrefix('seedfp');
  let dir: string;
  const org = (description: string) => ({ label: 'Organization', id: `${prefix}org`, name: 'Maker', source: 'illustrative', kind: 'VENDOR', description });
  const dev = { label: 'Device', id: `${prefix}dev`, name: 'Phone', source: 'illustrative', category: 'PHONE' };
  const makes = { type: 'MAKES', from: `${prefix}org`, to: `${prefix}dev`, source: 'illustrative' };
  const writeSeed = (description: string) =>
    fs.writeFileSync(path.join(dir, '01.json'), JSON.stringify({ nodes: [org(description), dev], relationships: [makes] }));

  beforeAll(() => {
    db = testDatabase(testNeo4jUri(), SEED_TIMEOUT_MS);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-fingerprint-'));
  });
  afterAll(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    await cleanup(db, prefix);
    await db.close();
  });

  const state = async () =>
    (
      await db.read(
        undefined,
        'test seed fingerprint state',
        `MATCH (o:Organization {id: $org})-[:MAKES]->(d:Device {id: $dev})
         OPTIONAL MATCH (s:SeedLoad)
         RETURN o.description AS description, d.name AS name, d.assertedBy AS assertedBy, collect(s.fingerprint) AS fingerprints`,
        { org: `${prefix}org`, dev: `${prefix}dev` },
      )
    )[0];

  it('depends on the seed files: the same bytes give the same fingerprint, a changed file another', () => {
    writeSeed('v1');
    const first = seedFingerprint(dir);
    expect(seedFingerprint(dir)).toBe(first);
    writeSeed('v2');
    expect(seedFingerprint(dir)).not.toBe(first);
    writeSeed('v1');
    expect(seedFingerprint(dir)).toBe(first);
  });

  it('loads a seed it has not recorded, then skips it unchanged, and loads it again once a file changed', async () => {
    writeSeed('v1');
    const first = await loadSeed(db, dir, { skipUnchanged: true });
    expect(first.status).toBe('loaded');
    expect(first.nodes.created).toBe(2);
    expect(first.relationships.created).toBe(1);
    expect(await state()).toEqual({ description: 'v1', name: 'Phone', assertedBy: 'seed', fingerprints: [seedFingerprint(dir)] });

    // Something changes a node the seed owns behind its back: an unchanged-seed start must not even look.
    await db.write(undefined, 'test drift a seed node', `MATCH (d:Device {id: $id}) SET d.name = 'drifted'`, { id: `${prefix}dev` });
    const restart = await loadSeed(db, dir, { skipUnchanged: true });
    expect(restart.status).toBe('unchanged');
    expect(restart.fingerprint).toBe(first.fingerprint);
    expect(restart.nodes).toEqual({ created: 0, updated: 0, unchanged: 0, kept: 0 });
    expect(restart.relationships).toEqual({ created: 0, updated: 0, unchanged: 0, kept: 0 });
    expect((await state())?.name).toBe('drifted');

    // Without skipUnchanged (npm run seed) the load is always a full one.
    const full = await loadSeed(db, dir);
    expect(full.status).toBe('loaded');
    expect(full.nodes).toEqual({ created: 0, updated: 1, unchanged: 1, kept: 0 });
    expect((await state())?.name).toBe('Phone');

    // A changed seed file is loaded at the next start, and its fingerprint recorded (one record only).
    writeSeed('v2');
    const changed = await loadSeed(db, dir, { skipUnchanged: true });
    expect(changed.status).toBe('loaded');
    expect(changed.fingerprint).not.toBe(first.fingerprint);
    expect(changed.nodes).toEqual({ created: 0, updated: 1, unchanged: 1, kept: 0 });
    expect(await state()).toEqual({ description: 'v2', name: 'Phone', assertedBy: 'seed', fingerprints: [changed.fingerprint] });
    expect((await loadSeed(db, dir, { skipUnchanged: true })).status).toBe('unchanged');
  });

  it('still never undoes curation: a curated node stays as the curator left it, whether the seed changed or not', async () => {
    writeSeed('v3');
    expect((await loadSeed(db, dir, { skipUnchanged: true })).status).toBe('loaded');
    await db.write(undefined, 'test curate a seed node', `MATCH (d:Device {id: $id}) SET d.name = 'Curated phone', d.assertedBy = 'curator'`, {
      id: `${prefix}dev`,
    });
    expect((await loadSeed(db, dir, { skipUnchanged: true })).status).toBe('unchanged');
    expect((await state())?.name).toBe('Curated phone');
    writeSeed('v4');
    const changed = await loadSeed(db, dir, { skipUnchanged: true });
    expect(changed.status).toBe('loaded');
    expect(changed.nodes.kept).toBe(1);
    expect(await state()).toMatchObject({ description: 'v4', name: 'Curated phone', assertedBy: 'curator' });
  });
});
