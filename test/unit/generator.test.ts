/**
 * The synthetic generator, without a database: determinism, shape, and that its output passes
 * the same validation as imported data (ids, property types and ranges, relationship ends).
 */
import { createHash } from 'node:crypto';
import { CLASSIFICATIONS, LABELS, relationshipAllows, type Label } from '../../src/domain/model';
import { validateId, validateNodeInput, validateRelationshipProperties } from '../../src/domain/validation';
import { batches, countBatches, planWorld, type Batch, type World } from '../../src/generator/generate';
import { readSources, type Sources } from '../../src/generator/sources';

let sources: Sources;
beforeAll(() => {
  sources = readSources();
});

function digest(world: World, chunkSize: number): { hash: string; batches: number } {
  const hash = createHash('sha256');
  let n = 0;
  for (const batch of batches(world, chunkSize)) {
    n += 1;
    const head = batch.kind === 'nodes' ? `N:${batch.label}` : `R:${batch.type}:${batch.fromLabel}:${batch.toLabel}`;
    for (const row of batch.rows) hash.update(`${head}|${JSON.stringify(row)}\n`);
  }
  return { hash: hash.digest('hex'), batches: n };
}

function collect(world: World): Batch[] {
  return [...batches(world, 5000)];
}

describe('generator determinism', () => {
  it('gives the same rows for the same seed, whatever the chunk size', () => {
    const a = digest(planWorld(sources, { scale: 0.05, seed: 'determinism' }), 10000);
    const b = digest(planWorld(sources, { scale: 0.05, seed: 'determinism' }), 777);
    expect(b.hash).toBe(a.hash);
    expect(b.batches).toBeGreaterThan(a.batches);
  });

  it('gives a different graph for a different seed, with the same id scheme', () => {
    const a = planWorld(sources, { scale: 0.05, seed: 'one' });
    const b = planWorld(sources, { scale: 0.05, seed: 'two' });
    expect(digest(b, 10000).hash).not.toBe(digest(a, 10000).hash);
    expect(b.devices.map((d) => d.id)).toEqual(a.devices.map((d) => d.id));
  });

  it('rejects a scale outside (0, 100] and an empty seed', () => {
    expect(() => planWorld(sources, { scale: 0, seed: 's' })).toThrow(/scale must be a number in \(0, 100\]/);
    expect(() => planWorld(sources, { scale: 1, seed: '' })).toThrow(/seed must not be empty/);
  });
});

describe('generator shape', () => {
  let world: World;
  let all: Batch[];
  beforeAll(() => {
    world = planWorld(sources, { scale: 0.1, seed: 'shape' });
    all = collect(world);
  });

  it('takes the real 800-53 controls and ATT&CK Mobile techniques', () => {
    expect(world.controls).toHaveLength(1189);
    expect(world.controls.filter((c) => c.withdrawn)).toHaveLength(182);
    expect(world.techniques).toHaveLength(188);
    expect(world.techniques.find((t) => t.externalId === 'T1456')?.name).toBe('Drive-By Compromise');
  });

  it('gives every device 20 to 60 direct components, one OS release among them, with parts shared across devices', () => {
    const useCount = new Map<number, number>();
    for (const device of world.devices) {
      expect(device.components.length).toBeGreaterThanOrEqual(20);
      expect(device.components.length).toBeLessThanOrEqual(60);
      expect(device.components.filter((p) => world.components[p.component]?.kind === 'OS_RELEASE')).toHaveLength(1);
      for (const p of device.components) useCount.set(p.component, (useCount.get(p.component) ?? 0) + 1);
    }
    const shared = [...useCount.values()].filter((n) => n > 1).length;
    expect(shared).toBeGreaterThan(100);
  });

  it('chains OS releases with SUPERSEDES (newer to older, each release once)', () => {
    const supersedes = all.flatMap((b) => (b.kind === 'relationships' && b.type === 'SUPERSEDES' && b.fromLabel === 'Component' ? b.rows : []));
    const byId = new Map(world.components.map((c) => [c.id, c]));
    const osLinks = supersedes.filter((r) => byId.get(r.fromId)?.kind === 'OS_RELEASE');
    const osReleases = world.components.filter((c) => c.kind === 'OS_RELEASE').length;
    expect(osLinks).toHaveLength(osReleases - world.vendors.length);
    for (const link of osLinks) expect((byId.get(link.fromId)?.releasedAt ?? '') > (byId.get(link.toId)?.releasedAt ?? '')).toBe(true);
  });

  it('builds certification lineages of depth 2 to 4 and scopes over devices with an OS range', () => {
    const basedOn = new Map(world.certifications.map((c) => [c.id, c.basedOn === undefined ? undefined : world.certifications[c.basedOn]?.id]));
    const depth = (id: string): number => {
      const parent = basedOn.get(id);
      return parent === undefined ? 1 : 1 + depth(parent);
    };
    const depths = new Set(world.certifications.map((c) => depth(c.id)));
    expect([...depths].sort()).toEqual([1, 2, 3, 4]);
    const leaves = world.certifications.filter(
      (c) => !world.certifications.some((o) => o.basedOn !== undefined && world.certifications[o.basedOn]?.id === c.id),
    );
    for (const leaf of leaves) {
      if (leaf.supersedes === undefined) expect(depth(leaf.id)).toBeGreaterThanOrEqual(2);
    }
    const certifiesDevices = all.flatMap((b) => (b.kind === 'relationships' && b.type === 'CERTIFIES' && b.toLabel === 'Device' ? b.rows : []));
    expect(certifiesDevices.length).toBeGreaterThan(0);
    for (const r of certifiesDevices.filter((row) => row.props.minOsVersion !== undefined)) expect(typeof r.props.maxOsVersion).toBe('string');
    expect(certifiesDevices.filter((row) => typeof row.props.minOsVersion === 'string').length).toBeGreaterThan(certifiesDevices.length / 2);
  });

  it('lets vulnerabilities affect a fraction of the components', () => {
    const affected = new Set(all.flatMap((b) => (b.kind === 'relationships' && b.type === 'AFFECTS' ? b.rows.map((r) => r.toId) : [])));
    const fraction = affected.size / world.components.length;
    expect(fraction).toBeGreaterThan(0.05);
    expect(fraction).toBeLessThan(0.5);
  });

  it('uses every marking on nodes of each marked label and on relationships', () => {
    const nodeMarkings = new Map<Label, Set<unknown>>();
    const relMarkings = new Set<unknown>();
    for (const b of all) {
      if (b.kind === 'nodes') {
        const set = nodeMarkings.get(b.label) ?? new Set<unknown>();
        for (const r of b.rows) set.add(r.props.classification);
        nodeMarkings.set(b.label, set);
      } else for (const r of b.rows) relMarkings.add(r.props.classification);
    }
    for (const label of ['Device', 'Component', 'Vulnerability', 'Certification', 'Deployment'] as const)
      expect([...(nodeMarkings.get(label) ?? [])].sort()).toEqual([...CLASSIFICATIONS].sort());
    expect([...relMarkings].sort()).toEqual([...CLASSIFICATIONS].sort());
  });

  it('passes the validation imported data goes through, with every relationship end emitted under an allowed label', () => {
    const labelOf = new Map<string, Label>();
    const problems: string[] = [];
    for (const b of all) {
      if (b.kind !== 'nodes') continue;
      for (const row of b.rows) {
        if (labelOf.has(row.id)) problems.push(`duplicate id ${row.id}`);
        labelOf.set(row.id, b.label);
        for (const p of [...validateId(row.id, ['id']), ...validateNodeInput(b.label, row.props, 'SECRET')])
          problems.push(`${b.label} ${row.id} ${p.path.join('.')}: ${p.message}`);
      }
    }
    const seen = new Set<string>();
    for (const b of all) {
      if (b.kind !== 'relationships') continue;
      if (!relationshipAllows(b.type, b.fromLabel, b.toLabel)) problems.push(`${b.type} not allowed ${b.fromLabel}->${b.toLabel}`);
      for (const row of b.rows) {
        if (labelOf.get(row.fromId) !== b.fromLabel || labelOf.get(row.toId) !== b.toLabel)
          problems.push(`${b.type} ${row.fromId}->${row.toId}: end missing or of another label`);
        const key = `${b.type}|${row.fromId}|${row.toId}`;
        if (seen.has(key)) problems.push(`duplicate ${key}`);
        seen.add(key);
        for (const p of validateRelationshipProperties(b.type, row.props, 'SECRET', [b.type])) problems.push(`${key} ${p.path.join('.')}: ${p.message}`);
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect([...new Set(labelOf.values())].sort()).toEqual([...LABELS].sort());
  });

  it('is about 50k nodes and 300k relationships at scale 1', () => {
    const counts = countBatches(planWorld(sources, { scale: 1, seed: 'size' }));
    expect(counts.totalNodes).toBeGreaterThan(45000);
    expect(counts.totalNodes).toBeLessThan(55000);
    expect(counts.totalRelationships).toBeGreaterThan(250000);
    expect(counts.totalRelationships).toBeLessThan(350000);
  });
});
