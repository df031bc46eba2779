/**
 * Golden output of the synthetic generator: the planned world and every emitted row, at a small
 * scale with a fixed seed over the real sources, hashed and compared with digests recorded from
 * the code as it stood before it was split into modules. Any change to PRNG call order, to a
 * vocabulary list or to a property shows up here. When a change to the generated data is
 * intended, record the new digests (the failure message prints them) and say why in the commit.
 */
import { createHash } from 'node:crypto';
import { batches, countBatches, planWorld, type World } from '../../src/generator/generate';
import { readSources, type Sources } from '../../src/generator/sources';

const GOLDEN = {
  scale: 0.05,
  seed: 'golden',
  chunkSize: 997,
  world: 'f79ee1c81f4027152f89e7834766ea003cec2f541fd8fbc4365ac8a5f0751684',
  rows: '2a91fe4192ce976f14708e7cf8e1519012c3563ee71d019473626cea5a0c8f66',
  batches: 42,
  totalNodes: 3871,
  totalRelationships: 16316,
};

/** The planned entities, without the source catalogs (they are the input, not the plan). */
function worldDigest(world: World): string {
  const { controls: _controls, techniques: _techniques, ...plan } = world;
  return createHash('sha256').update(JSON.stringify(plan)).digest('hex');
}

function rowsDigest(world: World, chunkSize: number): { hash: string; batches: number } {
  const hash = createHash('sha256');
  let n = 0;
  for (const batch of batches(world, chunkSize)) {
    n += 1;
    const head = batch.kind === 'nodes' ? `N:${batch.label}` : `R:${batch.type}:${batch.fromLabel}:${batch.toLabel}`;
    hash.update(`#${n} ${head} ${batch.rows.length}\n`);
    for (const row of batch.rows) hash.update(`${JSON.stringify(row)}\n`);
  }
  return { hash: hash.digest('hex'), batches: n };
}

describe('generator golden output', () => {
  let sources: Sources;
  let world: World;
  beforeAll(() => {
    sources = readSources();
    world = planWorld(sources, { scale: GOLDEN.scale, seed: GOLDEN.seed });
  });

  it('plans the same world as before', () => {
    expect(worldDigest(world)).toBe(GOLDEN.world);
  });

  it('emits the same batches, row for row, in the same order', () => {
    const { hash, batches: n } = rowsDigest(world, GOLDEN.chunkSize);
    expect({ hash, batches: n }).toEqual({ hash: GOLDEN.rows, batches: GOLDEN.batches });
  });

  it('counts the same totals', () => {
    const counts = countBatches(world);
    expect({ totalNodes: counts.totalNodes, totalRelationships: counts.totalRelationships }).toEqual({
      totalNodes: GOLDEN.totalNodes,
      totalRelationships: GOLDEN.totalRelationships,
    });
  });
});
