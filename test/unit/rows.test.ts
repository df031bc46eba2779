/**
 * One row type per label, derived from the model (src/store/rows.ts NodeRowOf over the `as const`
 * declarations of src/domain/model.ts). The type-level checks below fail `npm run typecheck` when
 * the row types and the model disagree; the runtime checks run the store's conversion on a node
 * carrying every declared property.
 */
import {
  CERTIFICATION_STATUSES,
  CLASSIFICATIONS,
  COMMON_NODE_PROPERTIES,
  LABELS,
  NODE_PROPERTIES,
  type CertificationStatus,
  type Classification,
  type Label,
  type NodePropertiesOf,
  type PropertySpec,
} from '../../src/domain/model';
import { rowOf, toNodeRow, toRowOf } from '../../src/store/projection';
import {
  isRowOf,
  NORMALISED_PROPERTIES,
  type AssetRow,
  type CertificationRow,
  type ControlRow,
  type DeviceRow,
  type NodeRow,
  type NodeRowOf,
  type RowOf,
  type ThreatRow,
} from '../../src/store/rows';
import type { ResolversParentTypes } from '../../src/graphql/generated/resolvers-types';

// ------------------------------------------------------------------ type-level (npm run typecheck)

/** True only when A and B are the same type (not merely assignable). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only for `true`. */
const expectTrue = <T extends true>(): T | undefined => undefined;

/** Keys a row carries besides its stored properties. */
type RowMeta = '__label' | 'id' | '__nested' | '__history';
type StoredKeysOf<L extends Label> = Exclude<keyof NodeRowOf<L>, RowMeta>;

/** For every label: the row's property keys are exactly the model's declared ones (common and own). */
type KeysAgree = { [L in Label]: Equal<StoredKeysOf<L>, keyof NodePropertiesOf<L>> };
expectTrue<Equal<KeysAgree[Label], true>>();

/** For every label: codegen maps its GraphQL object type to its own row (mappers in codegen.ts). */
type MappersAgree = { [L in Label]: Equal<ResolversParentTypes[L], NodeRowOf<L>> };
expectTrue<Equal<MappersAgree[Label], true>>();
expectTrue<Equal<ResolversParentTypes['Node'], NodeRow>>();
expectTrue<Equal<ResolversParentTypes['Asset'], AssetRow>>();

// Values are typed from the property specs; normalised properties are never missing.
expectTrue<Equal<ControlRow['effectiveness'], number | null | undefined>>();
expectTrue<Equal<CertificationRow['status'], CertificationStatus | null | undefined>>();
expectTrue<Equal<CertificationRow['validationDates'], string[] | null | undefined>>();
expectTrue<Equal<ThreatRow['platforms'], string[]>>();
expectTrue<Equal<DeviceRow['classification'], Classification>>();
expectTrue<Equal<DeviceRow['__label'], 'Device'>>();
// The union of rows is discriminated by label.
expectTrue<Equal<Extract<NodeRow, { __label: 'Threat' }>, ThreatRow>>();
expectTrue<Equal<RowOf<'Device' | 'Component'>, AssetRow>>();

function notOnOtherLabels(device: DeviceRow, node: NodeRow): void {
  // @ts-expect-error: cvss is a Vulnerability property, not a Device one
  void device.cvss;
  // @ts-expect-error: a row of unknown label must be narrowed before reading a label's property
  void node.status;
  if (node.__label === 'Certification') void node.status;
}
void notOnOtherLabels;

// ------------------------------------------------------------------ runtime

/** A stored value of the declared type (what the projection returns after conversion). */
function valueOf(spec: PropertySpec): unknown {
  if (spec.enum) return spec.enum[0];
  switch (spec.type) {
    case 'int':
      return spec.min ?? 1;
    case 'float':
      return spec.max ?? 0.5;
    case 'boolean':
      return true;
    case 'date':
      return '2026-01-02';
    case 'datetime':
      return '2026-01-02T03:04:05.000Z';
    case 'string[]':
      return ['a', 'b'];
    default:
      return 'text';
  }
}

const declared = (label: Label): Record<string, PropertySpec> => ({ ...COMMON_NODE_PROPERTIES, ...NODE_PROPERTIES[label] });

describe('rows derived from the model', () => {
  it.each(LABELS.map((l) => [l]))('a %s node with every declared property converts to its row with exactly those properties', (label) => {
    const stored = Object.fromEntries(Object.entries(declared(label)).map(([key, spec]) => [key, valueOf(spec)]));
    const row: Record<string, unknown> = toRowOf([label], { ...stored, id: `row-${label}`, __label: label });
    expect(row.__label).toBe(label);
    expect(row.id).toBe(`row-${label}`);
    for (const [key, value] of Object.entries(stored)) expect([key, row[key]]).toEqual([key, value]);
    // beyond the declared ones, only label and id (and normalised defaults toNodeRow fills for every label)
    const extra = Object.keys(row).filter((k) => !(k in stored) && k !== '__label' && k !== 'id');
    expect(extra.filter((k) => !(NORMALISED_PROPERTIES as readonly string[]).includes(k))).toEqual([]);
  });

  it.each(LABELS.map((l) => [l]))(
    'a bare %s node gets a value for every normalised property its label declares (the row type makes them required)',
    (label) => {
      const row: Record<string, unknown> = toNodeRow({ id: 'bare', __label: label });
      const required = NORMALISED_PROPERTIES.filter((k) => k in declared(label));
      expect(required).toEqual(expect.arrayContaining(['name', 'classification', 'stale']));
      for (const key of required) expect([key, row[key] ?? null]).not.toEqual([key, null]);
      expect(row.name).toBe('bare');
      expect(CLASSIFICATIONS).toContain(row.classification);
    },
  );

  it('narrows to the labels a statement matched, and refuses a row of another label', () => {
    const cert = toNodeRow({ id: 'c1', __label: 'Certification', status: CERTIFICATION_STATUSES[0] });
    expect(isRowOf(cert, ['Certification'])).toBe(true);
    expect(isRowOf(cert, ['Device', 'Component'])).toBe(false);
    expect(rowOf(['Certification'], cert).status).toBe('ACTIVE');
    expect(() => rowOf(['Device', 'Component'], cert)).toThrow('a Certification row where Device or Component was matched');
    expect(() => toRowOf(['Threat'], { id: 'v1', __label: 'Vulnerability' })).toThrow('a Vulnerability row where Threat was matched');
  });
});
