/**
 * The pure parts of the one write path (src/store/batchWriter.ts): grouping flat rows and
 * validating every row against the model at the writer's clearance, before any transaction.
 */
import { InvalidRowError, groupNodes, groupRelationships, validateWriteBatch } from '../../src/store/batchWriter';

describe('batch writer', () => {
  it('groups node rows by label and source, and relationship rows by type, end labels and source, in first-seen order', () => {
    const nodes = groupNodes([
      { label: 'Device', id: 'd1', props: { name: 'A' } },
      { label: 'Organization', id: 'o1', source: 'x', props: { name: 'O' } },
      { label: 'Device', id: 'd2', props: { name: 'B' } },
      { label: 'Organization', id: 'o2', source: 'y', props: { name: 'P' } },
    ]);
    expect(nodes.map((g) => [g.label, g.source, g.rows.map((r) => r.id)])).toEqual([
      ['Device', undefined, ['d1', 'd2']],
      ['Organization', 'x', ['o1']],
      ['Organization', 'y', ['o2']],
    ]);
    const labels = new Map([
      ['d1', 'Device' as const],
      ['o1', 'Organization' as const],
    ]);
    const rels = groupRelationships(
      [
        { type: 'MAKES', fromId: 'o1', toId: 'd1', props: {} },
        { type: 'MAKES', fromId: 'o1', toId: 'd1', source: 's', props: {} },
      ],
      (id) => labels.get(id),
      () => new Error('unknown end'),
    );
    expect(rels.map((g) => [g.type, g.fromLabel, g.toLabel, g.source, g.rows.length])).toEqual([
      ['MAKES', 'Organization', 'Device', undefined, 1],
      ['MAKES', 'Organization', 'Device', 's', 1],
    ]);
    expect(() =>
      groupRelationships(
        [{ type: 'MAKES', fromId: 'o1', toId: 'nope', props: {} }],
        (id) => labels.get(id),
        (r) => new Error(`unknown end ${r.toId}`),
      ),
    ).toThrow('unknown end nope');
  });

  it('refuses a marking above the writer clearance, a value the model refuses and a bad id, naming the row', () => {
    const device = (props: Record<string, unknown>, id = 'd1') => ({
      nodes: [{ label: 'Device' as const, rows: [{ id, props, where: 'doc[0]' }] }],
      relationships: [],
    });
    expect(() => validateWriteBatch(device({ name: 'A', classification: 'SECRET' }), 'RESTRICTED')).toThrow(InvalidRowError);
    expect(() => validateWriteBatch(device({ name: 'A', classification: 'SECRET' }), 'RESTRICTED')).toThrow(/^doc\[0\]\.classification: cannot be above/);
    expect(() => validateWriteBatch(device({ name: 'A', colour: 'red' }), 'SECRET')).toThrow('doc[0].colour: is not a property of Device');
    expect(() => validateWriteBatch(device({ name: 'A' }, 'has space'), 'SECRET')).toThrow(/^doc\[0\]\.id:/);
    expect(() => validateWriteBatch(device({ name: 'A', classification: 'RESTRICTED' }), 'RESTRICTED')).not.toThrow();
    expect(() =>
      validateWriteBatch(
        {
          nodes: [],
          relationships: [
            { type: 'MAKES', fromLabel: 'Organization', toLabel: 'Device', rows: [{ fromId: 'o', toId: 'd', props: { classification: 'SECRET' } }] },
          ],
        },
        'CONFIDENTIAL',
      ),
    ).toThrow('MAKES o -> d.classification: cannot be above your clearance (CONFIDENTIAL)');
  });
});
